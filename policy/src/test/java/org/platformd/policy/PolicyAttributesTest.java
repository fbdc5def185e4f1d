package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.policy.PolicyText.policy;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every policy attribute and per-device attribute, as parsed from a file. */
class PolicyAttributesTest {

    private static PolicyAttributes attrs(String attributes) {
        return policy("<policy label=\"t\" " + attributes + "><device name=\"pit\"/></policy>")
                .rules().get(0).attributes();
    }

    @Test
    void defaultsWhenNothingIsSaid() {
        PolicyAttributes a = attrs("");
        assertEquals(PolicyAttributes.DEFAULT, a);
        assertFalse(a.info());
        assertEquals(16L << 20, a.dmaQuota());
        assertEquals(OptionalInt.empty(), a.maxDevices());
    }

    @ParameterizedTest(name = "info=\"{0}\"")
    @CsvSource({"yes, true", "true, true", "no, false", "false, false"})
    void info(String written, boolean expected) {
        assertEquals(expected, attrs("info=\"" + written + "\"").info());
    }

    @ParameterizedTest(name = "dma_quota=\"{0}\"")
    @CsvSource({"0, 0", "4096, 4096", "4K, 4096", "16M, 16777216", "2G, 2147483648", "64G, 68719476736",
                "65536M, 68719476736"})
    void dmaQuota(String written, long bytes) {
        assertEquals(bytes, attrs("dma_quota=\"" + written + "\"").dmaQuota());
    }

    @Test
    void maxDevices() {
        assertEquals(OptionalInt.of(1), attrs("max_devices=\"1\"").maxDevices());
        assertEquals(OptionalInt.of(65536), attrs("max_devices=\"65536\"").maxDevices());
    }

    @Test
    void uidAndGid() {
        PolicyAttributes a = attrs("uid=\"0\" gid=\"4294967294\"");
        assertEquals(OptionalLong.of(0), a.uid());
        assertEquals(OptionalLong.of(4294967294L), a.gid());
        assertEquals(PeerBinding.Kind.CREDENTIALS, a.peers().kind());
        assertTrue(a.peers().admits(new Claimant.UnixPeer(0, 4294967294L), 1000));
        assertFalse(a.peers().admits(new Claimant.UnixPeer(1, 4294967294L), 1000));
    }

    @Test
    void withoutUidGidOrTlsCnOnlyRootAndTheDaemonsUidAreAdmitted() {
        PeerBinding owner = attrs("").peers();
        assertEquals(PeerBinding.Kind.OWNER, owner.kind());
        assertTrue(owner.admits(new Claimant.UnixPeer(0, 0), 1000));
        assertTrue(owner.admits(new Claimant.UnixPeer(1000, 1000), 1000));
        assertFalse(owner.admits(new Claimant.UnixPeer(12345, 678), 1000));
        assertFalse(owner.admits(new Claimant.UnixPeer(65534, 65534), 0));
        assertTrue(owner.admits(new Claimant.TlsPeer("t"), 0), "a TLS client's CA vouches for it");
        assertFalse(owner.admits(new Claimant.AnonymousPeer("insecure-tcp"), 0));
    }

    @Test
    void uidStarAdmitsEveryone() {
        PeerBinding every = attrs("uid=\"*\"").peers();
        assertEquals(PeerBinding.everyone(), every);
        assertEquals(OptionalLong.empty(), attrs("uid=\" * \"").uid());
        assertTrue(every.admits(new Claimant.UnixPeer(12345, 678), 0));
        assertTrue(every.admits(new Claimant.TlsPeer("x"), 0));
        assertTrue(every.admits(new Claimant.AnonymousPeer("insecure-tcp"), 0));
    }

    @Test
    void tlsCnReservesTheLabelForThatCertificateAlone() {
        PeerBinding cn = attrs("tls_cn=\" edu-driver \"").peers();
        assertEquals(PeerBinding.tlsCommonName("edu-driver"), cn);
        assertTrue(cn.admits(new Claimant.TlsPeer("edu-driver"), 0));
        assertFalse(cn.admits(new Claimant.TlsPeer("edu-driver2"), 0));
        assertFalse(cn.admits(new Claimant.UnixPeer(0, 0), 0), "root neither");
        assertFalse(cn.admits(new Claimant.AnonymousPeer("insecure-tcp"), 0));
    }

    @Test
    void defaultPolicyTakesTheSameSessionAttributes() {
        PolicyRule d = policy("<default-policy info=\"yes\" dma_quota=\"1M\" max_devices=\"2\" uid=\"7\" gid=\"8\"/>")
                .defaultRule().orElseThrow();
        assertEquals(new PolicyAttributes(true, 1 << 20, OptionalInt.of(2),
                PeerBinding.credentials(OptionalLong.of(7), OptionalLong.of(8))), d.attributes());
        assertEquals(PeerBinding.Kind.TLS_CN, policy("<default-policy tls_cn=\"c\"/>").defaultRule().orElseThrow()
                .attributes().peers().kind());
    }

    private static List<Grant> grants(String selectors) {
        PolicyRule r = policy("<policy label=\"t\">" + selectors + "</policy>").rules().get(0);
        return Policy.grants(r, DeviceSelectorTest.MACHINE);
    }

    @Test
    void accessDefaults() {
        assertEquals(DeviceAccess.DEFAULT, grants("<device name=\"00:03.0\"/>").get(0).access());
        assertEquals(DeviceAccess.DEFAULT, grants("<device name=\"pit\"/>").get(0).access());
    }

    @Test
    void accessAttributesOnDeviceAndPci() {
        assertEquals(new DeviceAccess(true, false, false, false),
                grants("<device name=\"00:03.0\" driver_override=\"yes\" bus_master=\"no\" reset=\"no\"/>").get(0).access());
        assertEquals(new DeviceAccess(true, true, true, false),
                grants("<pci class=\"ETHERNET\" driver_override=\"yes\"/>").get(0).access());
        assertEquals(new DeviceAccess(false, true, true, true),
                grants("<pci class=\"ETHERNET\" dma_unprotected=\"yes\"/>").get(0).access());
        assertEquals(new DeviceAccess(false, true, true, true),
                grants("<device name=\"00:03.0\" dma_unprotected=\"yes\"/>").get(0).access());
    }

    @Test
    void theMostSpecificSelectorDecidesAccess() {
        // class grants hand-over; the named device says no: the named one wins, whatever the order.
        String both = "<pci class=\"ETHERNET\" driver_override=\"yes\"/><device name=\"00:03.0\"/>";
        String reversed = "<device name=\"00:03.0\"/><pci class=\"ETHERNET\" driver_override=\"yes\"/>";
        for (String s : List.of(both, reversed)) {
            Grant g = grants(s).get(0);
            assertEquals(DeviceSelectorTest.E1000, g.device());
            assertFalse(g.access().driverOverride());
            assertTrue(g.grantedBy() instanceof DeviceSelector.ByBusAddress);
        }
        Grant vendorDevice = grants("<pci vendor_id=\"0x8086\" reset=\"no\"/><pci vendor_id=\"0x8086\" device_id=\"0x100e\"/>"
                + "<pci class=\"ETHERNET\" bus_master=\"no\"/>").stream()
                .filter(g -> g.device().equals(DeviceSelectorTest.E1000)).findFirst().orElseThrow();
        assertEquals(DeviceAccess.DEFAULT, vendorDevice.access());
    }
}
