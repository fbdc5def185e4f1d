package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platformd.policy.PolicyText.lines;
import static org.platformd.policy.PolicyText.load;
import static org.platformd.policy.PolicyText.rejected;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every error and warning the validator can give, each checked for its FILE:LINE:COLUMN
 * (the element's '<' or the attribute's name) and for naming what is wrong in the admin's
 * terms. Several problems in one file must all be reported.
 */
class ValidationMessagesTest {

    /** The one problem a file has, as printed. */
    private static String only(String xml) {
        List<Problem> problems = load(xml).problems();
        assertEquals(1, problems.size(), () -> lines(problems));
        return problems.get(0).toString();
    }

    private static String inPolicy(String selectors) {
        return only("<config>\n  <policy label=\"drv\">\n    " + selectors + "\n  </policy>\n</config>\n");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        List<Problem> problems = rejected("""
                <config>
                  <policy label="a" infoo="yes">
                    <device name="03:00"/>
                  </policy>
                  <policy label="a"><pci class="ETHERNT"/></policy>
                </config>
                """);
        assertEquals(List.of(
                "test.xml:2:21: error: unknown attribute infoo on <policy> (did you mean info?); allowed: label,"
                        + " label_prefix, label_suffix, info, dma_quota, max_devices, uid, gid, tls_cn, kubelet",
                "test.xml:3:13: error: <device name=\"03:00\"> in <policy label=\"a\">: malformed PCI bus address"
                        + " (expected DDDD:BB:DD.F or BB:DD.F in hex, device 00-1f, function 0-7, e.g. 0000:03:00.0)",
                "test.xml:5:3: error: <policy label=\"a\"> and the <policy> at line 2 have equal specificity and both"
                        + " match label \"a\"; merge them or make one more specific",
                "test.xml:5:26: error: <pci> in <policy label=\"a\">: unknown PCI class \"ETHERNT\" (did you mean"
                        + " ETHERNET?); known classes: AHCI, AUDIO, ETHERNET, HDAUDIO, ISABRIDGE, NVME, USB, USB4, VGA,"
                        + " WIFI, or a raw code like 0x0c0330"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void tiesBetweenPrefixSuffixPoliciesNameBothLines() {
        String m = only("<config>\n<policy label_prefix=\"usb\" label_suffix=\"hid\"><device name=\"pit\"/></policy>\n"
                + "<policy label_suffix=\" hid \" label_prefix=\"usb\"><device name=\"x\"/></policy>\n</config>");
        assertEquals("test.xml:3:1: error: <policy label_prefix=\"usb\" label_suffix=\"hid\"> and the <policy> at line 2"
                + " have equal specificity and both match label \"usb...hid\"; merge them or make one more specific", m);
    }

    @Test
    void policiesThatDifferInSpecificityAreNoTie() {
        assertInstanceOf(LoadResult.Loaded.class, load("<config><policy label_prefix=\"usb\"><device name=\"a\"/></policy>"
                + "<policy label_prefix=\"usb2\"><device name=\"b\"/></policy>"
                + "<policy label_prefix=\"usb\" label_suffix=\"x\"><device name=\"c\"/></policy>"
                + "<policy label=\"usb\"><device name=\"d\"/></policy>"
                + "<policy label_suffix=\"usb\"><device name=\"e\"/></policy></config>"));
    }

    @Test
    void labelThatContradictsItsPrefixOrSuffix() {
        assertTrue(only("<config><policy label=\"abc\" label_prefix=\"x\"><device name=\"a\"/></policy></config>")
                .endsWith("error: <policy label=\"abc\" label_prefix=\"x\"> can never match: label \"abc\" does not start"
                        + " with label_prefix \"x\""));
        assertTrue(only("<config><policy label=\"abc\" label_suffix=\"x\"><device name=\"a\"/></policy></config>")
                .endsWith("does not end with label_suffix \"x\""));
    }

    @Test
    void policyWithoutAnyLabelAttribute() {
        assertEquals("test.xml:1:9: error: <policy> without label, label_prefix or label_suffix can never match a"
                + " session; give one, or use <default-policy> for every label no policy matches",
                only("<config><policy info=\"yes\"/></config>"));
    }

    @Test
    void emptyPrefixIsAWarning() {
        LoadResult r = load("<config><policy label_prefix=\"\"><device name=\"a\"/></policy></config>");
        assertInstanceOf(LoadResult.Loaded.class, r);
        assertEquals("test.xml:1:17: warning: <policy label_prefix=\"\">: an empty label_prefix matches every label;"
                + " did you mean <default-policy>?", r.problems().get(0).toString());
    }

    @Test
    void defaultPolicyProblems() {
        assertEquals("test.xml:1:25: error: <default-policy> applies to every label no <policy> matches; it takes no"
                + " label_prefix (write a <policy> for that)", only("<config><default-policy label_prefix=\"x\"/></config>"));
        assertEquals("test.xml:3:1: error: a second <default-policy> (the first is at line 2); there can be only one",
                only("<config>\n<default-policy/>\n<default-policy/>\n</config>"));
    }

    @Test
    void rootAndUnknownElements() {
        assertEquals("test.xml:1:1: error: the root element is <platform>; a policy file starts with <config>",
                only("<platform/>"));
        assertEquals("test.xml:1:9: error: unknown element <polcy> in <config> (did you mean policy?); allowed: <policy>,"
                + " <default-policy>, <peer-limits>", only("<config><polcy/><default-policy/></config>"));
        assertEquals("test.xml:3:5: error: unknown element <usb> in <policy label=\"drv\">; allowed: <device>, <pci>",
                inPolicy("<usb/>"));
        assertEquals("test.xml:1:9: error: <config> takes no attributes; attribute devices_rom is unknown",
                only("<config devices_rom=\"x\"><default-policy/></config>"));
    }

    @Test
    void childElementsOfSelectors() {
        assertEquals("test.xml:3:24: error: <device> in <policy label=\"drv\"> takes no child elements; found <pci>",
                inPolicy("<device name=\"pit\"><pci class=\"USB\"/></device>"));
    }

    @Test
    void unknownAttributesOnSelectors() {
        assertEquals("test.xml:3:24: error: unknown attribute type on <device>; allowed: name, driver_override,"
                + " bus_master, reset, dma_unprotected", inPolicy("<device name=\"pit\" type=\"timer\"/>"));
        assertEquals("test.xml:3:10: error: unknown attribute vendor on <pci> (did you mean vendor_id?); allowed: class,"
                + " class_mask, vendor_id, device_id, driver_override, bus_master, reset, dma_unprotected", inPolicy("<pci vendor=\"0x8086\"/>"));
    }

    @Test
    void deviceNames() {
        assertEquals("test.xml:3:5: error: <device> in <policy label=\"drv\"> needs a name: a PCI bus address"
                + " (0000:03:00.0 or 03:00.0) or a platform device name (pit)", inPolicy("<device/>"));
        for (String bad : List.of("03:00", "0000:03:20.0", "03:00.8", "1:2:3:4.0", "zz:00.0", "00:00.0.0")) {
            assertTrue(inPolicy("<device name=\"" + bad + "\"/>").startsWith("test.xml:3:13: error: <device name=\""
                    + bad + "\"> in <policy label=\"drv\">: malformed PCI bus address"), bad);
        }
        assertTrue(inPolicy("<device name=\"a b\"/>").contains("not a platform device name"));
        assertTrue(inPolicy("<device name=\"-x\"/>").contains("not a platform device name"));
    }

    @Test
    void pciOnlyAttributesOnAPlatformDevice() {
        for (String a : List.of("driver_override", "bus_master", "reset")) {
            assertEquals("test.xml:3:24: error: " + a + " in <device name=\"pit\"> (<policy label=\"drv\">) applies to"
                    + " PCI devices only; \"pit\" is a platform device name", inPolicy("<device name=\"pit\" " + a + "=\"no\"/>"));
        }
    }

    @Test
    void pciClassProblems() {
        assertTrue(inPolicy("<pci class=\"ethernet\"/>").contains("unknown PCI class \"ethernet\" (did you mean ETHERNET?)"));
        assertTrue(inPolicy("<pci class=\"SERIAL\"/>").contains("unknown PCI class \"SERIAL\"; known classes:"));
        assertEquals("test.xml:3:22: error: <pci> in <policy label=\"drv\">: class_mask applies to a raw class code"
                + " (class=\"0x0c0330\"), not to the name VGA", inPolicy("<pci class=\"VGA\" class_mask=\"0xff0000\"/>"));
        assertEquals("test.xml:3:10: error: <pci> in <policy label=\"drv\">: class_mask without class; give class=\"0x...\""
                + " too", inPolicy("<pci class_mask=\"0xff0000\"/>"));
        assertEquals("test.xml:3:10: error: class=\"0x1000000\" in <pci> in <policy label=\"drv\">: too large; expected a"
                + " 24-bit class code (base class, subclass, interface), e.g. 0x0c0330", inPolicy("<pci class=\"0x1000000\"/>"));
        assertTrue(inPolicy("<pci class=\"0x0c0330\" class_mask=\"ffff00\"/>")
                .contains("class_mask=\"ffff00\" in <pci> in <policy label=\"drv\">: expected a 24-bit mask"));
    }

    @Test
    void pciClassWarnings() {
        LoadResult r = load("<config><policy label=\"d\"><pci class=\"0x0c0330\" class_mask=\"0xffff00\"/>"
                + "<pci class=\"0x000000\" class_mask=\"0x000000\"/></policy></config>");
        assertInstanceOf(LoadResult.Loaded.class, r);
        assertEquals(List.of(
                "test.xml:1:32: warning: <pci> in <policy label=\"d\">: class 0x0c0330 has bits outside class_mask 0xffff00;"
                        + " they are ignored",
                "test.xml:1:94: warning: <pci> in <policy label=\"d\">: class_mask=\"0x000000\" matches every PCI function,"
                        + " bridges included"), r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void dmaUnprotectedIsAVisibleOptIn() {
        LoadResult r = load("<config><policy label=\"d\"><pci vendor_id=\"0x1234\" dma_unprotected=\"yes\"/>"
                + "<device name=\"00:03.0\" bus_master=\"no\" dma_unprotected=\"yes\"/></policy></config>");
        assertInstanceOf(LoadResult.Loaded.class, r);
        assertEquals(List.of("test.xml:1:51: warning: <pci> in <policy label=\"d\">: dma_unprotected=\"yes\": where no"
                + " IOMMU confines its DMA (no IOMMU, or iommu=pt), this device's driver can make it read and write all"
                + " of the machine's memory"), r.problems().stream().map(Problem::toString).toList(),
                "no warning where bus_master=\"no\" keeps the device from DMA anyway");
        assertEquals("test.xml:3:28: error: dma_unprotected=\"maybe\" in <device name=\"00:03.0\"> in <policy"
                + " label=\"drv\">: expected yes or no", inPolicy("<device name=\"00:03.0\" dma_unprotected=\"maybe\"/>"));
        assertEquals("test.xml:3:24: error: dma_unprotected in <device name=\"pit\"> (<policy label=\"drv\">) applies to"
                + " PCI devices only; \"pit\" is a platform device name", inPolicy("<device name=\"pit\" dma_unprotected=\"no\"/>"));
    }

    @Test
    void pciIdProblems() {
        assertEquals("test.xml:3:10: error: vendor_id=\"8086\" in <pci> in <policy label=\"drv\">: expected a 16-bit hex ID"
                + " with 0x, e.g. 0x8086 (IDs and classes are written in hex with 0x, as lspci -nn shows them: 0x8086?)",
                inPolicy("<pci vendor_id=\"8086\"/>"));
        assertEquals("test.xml:3:10: error: <pci> in <policy label=\"drv\">: device_id needs vendor_id too (device IDs"
                + " are per vendor)", inPolicy("<pci device_id=\"0x100e\"/>"));
        assertEquals("test.xml:3:10: error: vendor_id=\"0xffff\" in <pci> in <policy label=\"drv\">: 0xffff is what an"
                + " empty slot reads, never a real ID", inPolicy("<pci vendor_id=\"0xffff\"/>"));
        assertTrue(inPolicy("<pci vendor_id=\"0x8086\" device_id=\"0x10000\"/>").contains("device_id=\"0x10000\" in <pci>"
                + " in <policy label=\"drv\">: too large"));
        assertEquals("test.xml:3:5: error: <pci> in <policy label=\"drv\"> selects nothing: give class (e.g. ETHERNET or"
                + " 0x0c0330) and/or vendor_id", inPolicy("<pci/>"));
    }

    @Test
    void accessAttributeValues() {
        assertEquals("test.xml:3:28: error: driver_override=\"maybe\" in <device name=\"00:03.0\"> in <policy"
                + " label=\"drv\">: expected yes or no", inPolicy("<device name=\"00:03.0\" driver_override=\"maybe\"/>"));
        assertTrue(inPolicy("<pci class=\"USB\" bus_master=\"1\"/>").contains("bus_master=\"1\" in <pci> in <policy"
                + " label=\"drv\">: expected yes or no"));
    }

    private static String policyAttr(String attr) {
        return only("<config><policy label=\"x\" " + attr + "><device name=\"pit\"/></policy></config>");
    }

    @Test
    void sessionAttributeValues() {
        assertEquals("test.xml:1:27: error: info=\"maybe\" in <policy label=\"x\">: expected yes or no",
                policyAttr("info=\"maybe\""));
        assertEquals("test.xml:1:27: error: dma_quota=\"12Q\" in <policy label=\"x\">: not a size; write bytes or a number"
                + " with K, M or G (binary units), e.g. 16M", policyAttr("dma_quota=\"12Q\""));
        assertTrue(policyAttr("dma_quota=\"16m\"").contains("not a size"));
        assertTrue(policyAttr("dma_quota=\"-1\"").contains("not a size"));
        assertEquals("test.xml:1:27: error: dma_quota=\"65G\" in <policy label=\"x\">: more than the limit of 64G",
                policyAttr("dma_quota=\"65G\""));
        assertTrue(policyAttr("dma_quota=\"99999999999999999999\"").contains("not a size"));
        assertTrue(policyAttr("dma_quota=\"9999999999999999999\"").contains("more than the limit of 64G"));
        assertEquals("test.xml:1:27: error: max_devices=\"0\" in <policy label=\"x\">: expected a count of devices from 1"
                + " to 65536 (leave it out for no limit; to grant nothing, list no devices)", policyAttr("max_devices=\"0\""));
        assertTrue(policyAttr("max_devices=\"65537\"").contains("max_devices=\"65537\""));
        assertEquals("test.xml:1:27: error: uid=\"-1\" in <policy label=\"x\">: expected a numeric Unix user ID (0 to"
                + " 4294967294); names are not looked up", policyAttr("uid=\"-1\""));
        assertTrue(policyAttr("uid=\"4294967295\"").contains("uid=\"4294967295\""));
        assertEquals("test.xml:1:27: error: gid=\"wheel\" in <policy label=\"x\">: expected a numeric Unix group ID (0 to"
                + " 4294967294); names are not looked up", policyAttr("gid=\"wheel\""));
    }

    @Test
    void uidStarIsAWarningNamingItsPlace() {
        LoadResult r = load("<config>\n  <policy label=\"x\" uid=\"*\"><device name=\"pit\"/></policy>\n</config>");
        assertInstanceOf(LoadResult.Loaded.class, r, () -> lines(r.problems()));
        assertEquals("test.xml:2:21: warning: uid=\"*\" in <policy label=\"x\">: every local user (and any peer that"
                + " can reach the daemon) may open sessions under it and drive what it grants; bind it with uid, gid or"
                + " tls_cn unless that is intended", lines(r.problems()));
    }

    @Test
    void peerBindingsThatDoNotGoTogether() {
        assertEquals("test.xml:1:27: error: gid=\"*\" in <policy label=\"x\">: not needed; without gid every group is"
                + " admitted. To admit every local user write uid=\"*\"", policyAttr("gid=\"*\""));
        assertEquals("test.xml:1:27: error: uid=\"*\" in <policy label=\"x\"> admits every local user; with gid write"
                + " gid=\"5\" alone (any uid in that primary group)", policyAttr("uid=\"*\" gid=\"5\""));
        assertEquals("test.xml:1:35: error: tls_cn in <policy label=\"x\"> reserves its labels for one TLS client alone;"
                + " uid and gid (which admit Unix-socket peers) cannot go with it", policyAttr("uid=\"1\" tls_cn=\"x\""));
        assertEquals("test.xml:1:27: error: tls_cn=\"\" in <policy label=\"x\">: expected the client certificate's CN",
                policyAttr("tls_cn=\" \""));
    }

    @Test
    void attributeColumnsSkipLookalikesInsideOtherValues() {
        // 'info=' appears inside the label's value first; the column must point at the real attribute.
        assertEquals("test.xml:3:3: error: info=\"x\" in <policy label=\"a info=b\">: expected yes or no",
                only("<config>\n<policy label=\"a info=b\"\n  info=\"x\"><device name=\"pit\"/></policy>\n</config>"));
    }

    @Test
    void warningsDoNotRejectAFile() {
        LoadResult r = load("""
                <config>
                  <policy label="a"/>
                  <policy label="b"><device name="pit"/><device name="pit"/></policy>
                  <policy label="c"><device name="pit"/></policy>
                </config>
                """);
        assertInstanceOf(LoadResult.Loaded.class, r);
        assertEquals(List.of(
                "test.xml:2:3: warning: <policy label=\"a\"> grants no devices; sessions under it see an empty bus",
                "test.xml:3:41: warning: <policy label=\"b\"> lists <device name=\"pit\"/> twice (also at line 3)",
                "test.xml:4:21: warning: device pit is granted by <policy label=\"c\"> and by <policy label=\"b\"> at line 3;"
                        + " only one session can hold it at a time"),
                r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void emptyConfigIsAWarning() {
        LoadResult r = load("<config/>");
        assertInstanceOf(LoadResult.Loaded.class, r);
        assertEquals("test.xml:1:1: warning: no <policy> and no <default-policy>: every session will be refused",
                r.problems().get(0).toString());
    }

    @Test
    void textCommentsAndWhitespace() {
        assertInstanceOf(LoadResult.Loaded.class, load("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<config>\r\n"
                + "  <!-- a comment -->\n\t<default-policy/>\n</config>\n"));
        assertEquals("test.xml:1:25: error: unexpected text \"hello\" inside <default-policy>; a policy holds only"
                + " elements and attributes (comments go in <!-- -->)", only("<config><default-policy>hello</default-policy></config>"));
    }

    @Test
    void malformedXml() {
        assertEquals("test.xml:1:27: error: the file ends inside <policy> (line 1), which is never closed; is the file"
                + " cut short?", only("<config><policy label=\"a\">"));
        assertTrue(only("<config><policy label=\"a\" label=\"b\"/></config>").equals("test.xml:1:38: error: attribute label appears twice on <policy>"));
        assertEquals("test.xml:1:11: error: malformed XML: The element type \"config\" must be terminated by the"
                + " matching end-tag \"</config>\".", only("<config></policy>"));
    }

    @Test
    void crlfLineEndingsCountOnce() {
        assertTrue(only("<config>\r\n<policy label=\"x\" info=\"maybe\">\r\n<device name=\"pit\"/></policy>\r\n</config>")
                .startsWith("test.xml:2:19: error: info=\"maybe\""));
    }
}
