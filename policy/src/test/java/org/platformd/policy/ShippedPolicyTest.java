package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.Test;
import org.platformd.pci.BusAddress;
import org.platformd.policy.GrantableDevice.PciFunction;
import org.platformd.policy.GrantableDevice.PlatformDevice;

/** The policy shipped for the emulated machine, and the schema shipped beside it. */
class ShippedPolicyTest {

    /** The emulated machine's devices as the lead describes them: bridges, edu behind one, Bochs display, PIT. */
    static final List<GrantableDevice> EMULATED = List.of(
            new PciFunction(BusAddress.of(0, 0, 0), 0x8086, 0x1237, 0x060000),
            new PciFunction(BusAddress.of(0, 1, 0), 0x1234, 0x1111, 0x038000),
            new PciFunction(BusAddress.of(0, 2, 0), 0x1234, 0x11e8, 0x00ff00),
            new PciFunction(BusAddress.of(0, 3, 0), 0x1b36, 0x0001, 0x060400),
            new PciFunction(BusAddress.of(1, 0, 0), 0x1234, 0x11e8, 0x00ff00),
            new PlatformDevice("pit"));

    private static Policy shipped() {
        LoadResult r = new PolicyLoader().loadShippedExample();
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, r, () -> PolicyText.lines(r.problems()));
        assertEquals(List.of(), loaded.problems(), "the shipped policy must have no warnings either");
        return loaded.policy();
    }

    private static List<String> grantedTo(Policy p, String label) {
        Match.Matched m = assertInstanceOf(Match.Matched.class, p.match(label));
        return Policy.grants(m.rule(), EMULATED).stream().map(g -> g.device().name()).toList();
    }

    @Test
    void passesValidationAndGrantsEachExampleDriverItsDevices() {
        Policy p = shipped();
        assertEquals(List.of("0000:00:02.0", "0000:01:00.0"), grantedTo(p, "edu-driver"));
        assertEquals(List.of("0000:00:01.0"), grantedTo(p, "fb-driver"));
        assertEquals(List.of("pit"), grantedTo(p, "pit-driver"));
        assertEquals(List.of(), grantedTo(p, "somebody-else"));
        assertTrue(p.defaultRule().isPresent());
    }

    @Test
    void framebufferMayNotDoDmaAndNoDriverSeesPhysicalAddresses() {
        Policy p = shipped();
        Match.Matched fb = (Match.Matched) p.match("fb-driver");
        assertEquals(0, fb.rule().attributes().dmaQuota());
        assertEquals(false, Policy.grants(fb.rule(), EMULATED).get(0).access().busMaster());
        for (PolicyRule r : p.allRules()) assertEquals(false, r.attributes().info(), r::describe);
    }

    @Test
    void noDeviceIsGrantedToTwoPoliciesAndNoBridgeToAny() {
        Policy p = shipped();
        List<String> all = new ArrayList<>();
        for (PolicyRule r : p.allRules()) Policy.grants(r, EMULATED).forEach(g -> all.add(g.device().name()));
        assertEquals(all.size(), new TreeSet<>(all).size());
        assertTrue(!all.contains("0000:00:00.0") && !all.contains("0000:00:03.0"));
    }

    private static Schema schema() throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f.newSchema(new StreamSource(PolicyLoader.class.getResourceAsStream(PolicyLoader.SCHEMA)));
    }

    @Test
    void shippedPolicyIsValidAgainstTheShippedSchema() throws Exception {
        Validator v = schema().newValidator();
        v.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        v.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SHIPPED_EXAMPLE)) {
            v.validate(new StreamSource(in));
        }
    }

    @Test
    void schemaDeclaresExactlyTheAttributesTheCheckerKnows() throws IOException {
        String xsd;
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.SCHEMA)) {
            xsd = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("<xs:attribute name=\"([a-z_]+)\"").matcher(xsd);
        while (m.find()) declared.add(m.group(1));
        Set<String> known = new TreeSet<>();
        known.addAll(PolicyValidator.POLICY_ATTRIBUTES);
        known.addAll(PolicyValidator.DEFAULT_POLICY_ATTRIBUTES);
        known.addAll(PolicyValidator.DEVICE_ATTRIBUTES);
        known.addAll(PolicyValidator.PCI_ATTRIBUTES);
        known.addAll(PolicyValidator.PEER_LIMITS_ATTRIBUTES);
        assertEquals(known, declared);
        for (PciClassAlias a : PciClassAlias.values()) {
            assertTrue(xsd.contains("<xs:enumeration value=\"" + a.name() + "\"/>"), a.name());
        }
    }
}
