package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.platformd.policy.PolicyText.policy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.platformd.pci.BusAddress;
import org.platformd.policy.GrantableDevice.PciFunction;
import org.platformd.policy.GrantableDevice.PlatformDevice;

/** Every device selector, granting from a machine with one device of each kind that matters. */
class DeviceSelectorTest {

    private static PciFunction pci(String address, int vendor, int device, int classCode) {
        return new PciFunction(BusAddress.parse(address), vendor, device, classCode);
    }

    static final PciFunction HOST_BRIDGE = pci("00:00.0", 0x8086, 0x29c0, 0x060000);
    static final PciFunction ISA_BRIDGE = pci("00:1f.0", 0x8086, 0x2918, 0x060100);
    static final PciFunction VGA = pci("00:02.0", 0x1234, 0x1111, 0x030000);
    static final PciFunction E1000 = pci("00:03.0", 0x8086, 0x100e, 0x020000);
    static final PciFunction WIFI = pci("02:00.0", 0x8086, 0x2723, 0x028000);
    static final PciFunction AHCI = pci("00:1f.2", 0x8086, 0x2922, 0x010601);
    static final PciFunction NVME = pci("01:00.0", 0x144d, 0xa808, 0x010802);
    static final PciFunction UHCI = pci("00:1d.0", 0x8086, 0x2934, 0x0c0300);
    static final PciFunction OHCI = pci("00:06.0", 0x106b, 0x003f, 0x0c0310);
    static final PciFunction EHCI = pci("00:1d.7", 0x8086, 0x293a, 0x0c0320);
    static final PciFunction XHCI = pci("00:14.0", 0x8086, 0xa36d, 0x0c0330);
    static final PciFunction USB4 = pci("00:0d.2", 0x8086, 0x9a1b, 0x0c0340);
    static final PciFunction USB_DEVICE = pci("00:14.1", 0x8086, 0xa36e, 0x0c03fe);
    static final PciFunction HDA = pci("00:1b.0", 0x8086, 0x293e, 0x040300);
    static final PciFunction AC97 = pci("00:05.0", 0x8086, 0x2415, 0x040100);
    static final PciFunction EDU_BEHIND_BRIDGE = pci("0001:05:00.0", 0x1234, 0x11e8, 0x00ff00);
    static final PlatformDevice PIT = new PlatformDevice("pit");

    static final List<GrantableDevice> MACHINE = List.of(HOST_BRIDGE, ISA_BRIDGE, VGA, E1000, WIFI, AHCI, NVME,
            UHCI, OHCI, EHCI, XHCI, USB4, USB_DEVICE, HDA, AC97, EDU_BEHIND_BRIDGE, PIT);

    static List<GrantableDevice> granted(String selectors) {
        Policy p = policy("<policy label=\"t\">" + selectors + "</policy>");
        return Policy.grants(p.rules().get(0), MACHINE).stream().map(Grant::device).toList();
    }

    @Test
    void deviceByLongBusAddress() {
        assertEquals(List.of(EDU_BEHIND_BRIDGE), granted("<device name=\"0001:05:00.0\"/>"));
    }

    @Test
    void deviceByShortBusAddressMeansDomainZero() {
        assertEquals(List.of(E1000), granted("<device name=\"00:03.0\"/>"));
        assertEquals(List.of(), granted("<device name=\"05:00.0\"/>"));
    }

    @Test
    void busAddressHexIsCaseInsensitive() {
        assertEquals(List.of(ISA_BRIDGE), granted("<device name=\"0000:00:1F.0\"/>"));
    }

    @Test
    void deviceByPlatformName() {
        assertEquals(List.of(PIT), granted("<device name=\"pit\"/>"));
        assertEquals(List.of(), granted("<device name=\"uart\"/>"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "AHCI, 00:1f.2",
        "AUDIO, 00:05.0",
        "ETHERNET, 00:03.0",
        "HDAUDIO, 00:1b.0",
        "ISABRIDGE, 00:1f.0",
        "NVME, 01:00.0",
        "USB, 00:06.0 00:1d.0 00:1d.7 00:14.0",
        "USB4, 00:0d.2",
        "VGA, 00:02.0",
        "WIFI, 02:00.0",
    })
    void classAliasesAsInGenode(String alias, String addresses) {
        List<String> got = granted("<pci class=\"" + alias + "\"/>").stream()
                .map(d -> ((PciFunction) d).address().toShortString()).sorted().toList();
        List<String> want = List.of(addresses.split(" ")).stream().sorted().toList();
        assertEquals(want, got);
    }

    @Test
    void usbAliasDoesNotGrantAUsbDeviceController() {
        // Genode lists only the four host controller interfaces; 0x0c03fe is a gadget controller.
        assertEquals(false, granted("<pci class=\"USB\"/>").contains(USB_DEVICE));
    }

    @Test
    void rawClassCodeIsExactByDefault() {
        assertEquals(List.of(XHCI), granted("<pci class=\"0x0c0330\"/>"));
    }

    @Test
    void rawClassWithMask() {
        assertEquals(List.of(UHCI, OHCI, EHCI, XHCI, USB4, USB_DEVICE),
                granted("<pci class=\"0x0c0300\" class_mask=\"0xffff00\"/>").stream()
                        .sorted((a, b) -> MACHINE.indexOf(a) - MACHINE.indexOf(b)).toList());
        assertEquals(List.of(HOST_BRIDGE, ISA_BRIDGE), granted("<pci class=\"0x060000\" class_mask=\"0xff0000\"/>"));
    }

    @Test
    void vendorOnlyGrantsEveryDeviceOfTheVendor() {
        assertEquals(List.of(VGA, EDU_BEHIND_BRIDGE), granted("<pci vendor_id=\"0x1234\"/>"));
    }

    @Test
    void vendorAndDevice() {
        assertEquals(List.of(E1000), granted("<pci vendor_id=\"0x8086\" device_id=\"0x100e\"/>"));
        assertEquals(List.of(E1000), granted("<pci vendor_id=\"0X8086\" device_id=\"0x100E\"/>"));
    }

    @Test
    void classAndVendorTogetherMustBothMatch() {
        assertEquals(List.of(UHCI, EHCI, XHCI), granted("<pci class=\"USB\" vendor_id=\"0x8086\"/>"));
    }

    @Test
    void severalSelectorsAddUpAndEachDeviceIsGrantedOnceInMachineOrder() {
        assertEquals(List.of(VGA, E1000, EDU_BEHIND_BRIDGE, PIT), granted(
                "<device name=\"pit\"/><pci class=\"ETHERNET\"/><pci vendor_id=\"0x1234\"/><device name=\"00:02.0\"/>"));
    }

    @Test
    void grantsThroughTheIndexEqualGrantsByScanningEveryDevice() {
        String selectors = "<pci class=\"USB\"/><pci class=\"0x000000\" class_mask=\"0x0000ff\"/>"
                + "<pci vendor_id=\"0x8086\"/><device name=\"pit\"/><device name=\"0001:05:00.0\"/>";
        Policy p = policy("<policy label=\"t\">" + selectors + "</policy>");
        PolicyRule rule = p.rules().get(0);
        List<GrantableDevice> scanned = MACHINE.stream()
                .filter(d -> rule.devices().stream().anyMatch(s -> s.matches(d))).toList();
        assertEquals(scanned, Policy.grants(rule, MACHINE).stream().map(Grant::device).toList());
    }
}
