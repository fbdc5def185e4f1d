// Reads the device selectors of a policy, <device name> and <pci ...>, with their access attributes.
package org.platformd.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.platformd.pci.BusAddress;
import org.platformd.policy.PciClassAlias.ClassPattern;
import org.platformd.xml.XmlAttribute;
import org.platformd.xml.XmlElement;

/**
 * Reads the device selectors inside a policy: {@code <device name>} (a PCI bus address or a
 * platform device name) and {@code <pci>} (class by name or code and mask, vendor and device IDs),
 * each with its access attributes ({@code driver_override}, {@code bus_master}, {@code reset},
 * {@code dma_unprotected}). A selector with any error is left out (empty). One instance per file.
 */
final class DeviceSelectorReader {

    private static final Pattern PLATFORM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");

    private final ProblemList problems;
    private final AttributeValues values;

    DeviceSelectorReader(ProblemList problems, AttributeValues values) {
        this.problems = problems;
        this.values = values;
    }

    Optional<DeviceSelector> device(XmlElement e, String who) {
        int before = problems.errorCount();
        Map<String, XmlAttribute> attrs = values.known(e, PolicyValidator.DEVICE_ATTRIBUTES);
        XmlAttribute nameAttr = attrs.get("name");
        if (nameAttr == null) {
            problems.error(e.location(), "<device> in " + who + " needs a name: a PCI bus address (0000:03:00.0 or 03:00.0)"
                    + " or a platform device name (pit)");
            return Optional.empty();
        }
        String name = nameAttr.value().strip();
        DeviceAccess access = access(attrs, who, "<device name=\"" + name + "\">");
        if (name.contains(":")) {
            try {
                BusAddress address = BusAddress.parse(name);
                return problems.errorCount() == before
                        ? Optional.of(new DeviceSelector.ByBusAddress(address, access, e.location()))
                        : Optional.empty();
            } catch (IllegalArgumentException ex) {
                problems.error(nameAttr.location(), "<device name=\"" + name + "\"> in " + who
                        + ": malformed PCI bus address (expected DDDD:BB:DD.F or BB:DD.F in hex, device 00-1f,"
                        + " function 0-7, e.g. 0000:03:00.0)");
                return Optional.empty();
            }
        }
        if (!PLATFORM_NAME.matcher(name).matches()) {
            problems.error(nameAttr.location(), "<device name=\"" + name + "\"> in " + who + ": not a platform device name"
                    + " (letters, digits, '_', '.', '+', '-', starting with a letter or digit) nor a PCI bus address");
            return Optional.empty();
        }
        for (String pciOnly : PolicyValidator.ACCESS_ATTRIBUTES) {
            XmlAttribute a = attrs.get(pciOnly);
            if (a != null) {
                problems.error(a.location(), pciOnly + " in <device name=\"" + name + "\"> (" + who + ") applies to PCI"
                        + " devices only; \"" + name + "\" is a platform device name");
            }
        }
        return problems.errorCount() == before
                ? Optional.of(new DeviceSelector.ByPlatformName(name, DeviceAccess.DEFAULT, e.location()))
                : Optional.empty();
    }

    Optional<DeviceSelector> pci(XmlElement e, String who) {
        int before = problems.errorCount();
        Map<String, XmlAttribute> attrs = values.known(e, PolicyValidator.PCI_ATTRIBUTES);
        String where = "<pci> in " + who;
        OptionalInt vendor = values.hex16(attrs.get("vendor_id"), where, "vendor_id");
        OptionalInt device = values.hex16(attrs.get("device_id"), where, "device_id");
        if (attrs.containsKey("device_id") && !attrs.containsKey("vendor_id")) {
            problems.error(attrs.get("device_id").location(), where + ": device_id needs vendor_id too (device IDs are"
                    + " per vendor)");
        }
        List<ClassPattern> classMatch = List.of();
        String classText = null;
        XmlAttribute cls = attrs.get("class");
        XmlAttribute mask = attrs.get("class_mask");
        if (cls != null) {
            classText = cls.value().strip();
            Matcher hex = AttributeValues.HEX.matcher(classText);
            if (hex.matches()) {
                OptionalLong code = values.hexValue(cls, where, 0xffffff, "a 24-bit class code (base class, subclass,"
                        + " interface), e.g. 0x0c0330");
                int maskValue = 0xffffff;
                if (mask != null) {
                    OptionalLong m = values.hexValue(mask, where, 0xffffff, "a 24-bit mask, e.g. 0xffff00");
                    if (m.isPresent()) maskValue = (int) m.getAsLong();
                }
                if (code.isPresent()) {
                    int c = (int) code.getAsLong();
                    if ((c & ~maskValue) != 0) {
                        problems.warning(cls.location(), String.format("%s: class 0x%06x has bits outside class_mask 0x%06x;"
                                + " they are ignored", where, c, maskValue));
                    }
                    if (maskValue == 0) {
                        problems.warning(mask.location(), where + ": class_mask=\"0x000000\" matches every PCI function,"
                                + " bridges included");
                    }
                    classMatch = List.of(new ClassPattern(c, maskValue));
                }
            } else {
                Optional<PciClassAlias> alias = PciClassAlias.byName(classText);
                if (alias.isPresent()) {
                    classMatch = alias.get().patterns();
                    if (mask != null) {
                        problems.error(mask.location(), where + ": class_mask applies to a raw class code (class=\"0x0c0330\"),"
                                + " not to the name " + classText);
                    }
                } else {
                    String known = Arrays.stream(PciClassAlias.values()).map(Enum::name).collect(Collectors.joining(", "));
                    problems.error(cls.location(), where + ": unknown PCI class \"" + classText + "\"" + Suggestions.didYouMean(
                            classText.toUpperCase(Locale.ROOT), Arrays.stream(PciClassAlias.values()).map(Enum::name).toList(), true)
                            + "; known classes: " + known + ", or a raw code like 0x0c0330");
                }
            }
        } else if (mask != null) {
            problems.error(mask.location(), where + ": class_mask without class; give class=\"0x...\" too");
        }
        boolean misspelt = attrs.size() != e.attributes().size(); // already reported as unknown
        if (cls == null && mask == null && !attrs.containsKey("vendor_id") && !attrs.containsKey("device_id") && !misspelt) {
            problems.error(e.location(), where + " selects nothing: give class (e.g. ETHERNET or 0x0c0330) and/or vendor_id");
        }
        DeviceAccess access = access(attrs, who, "<pci>");
        if (problems.errorCount() != before) return Optional.empty();
        return Optional.of(new DeviceSelector.ByPciIds(vendor, device, classMatch, classText, access, e.location()));
    }

    private DeviceAccess access(Map<String, XmlAttribute> attrs, String who, String what) {
        String where = what + " in " + who;
        DeviceAccess access = new DeviceAccess(
                values.bool(attrs.get("driver_override"), where, DeviceAccess.DEFAULT.driverOverride()),
                values.bool(attrs.get("bus_master"), where, DeviceAccess.DEFAULT.busMaster()),
                values.bool(attrs.get("reset"), where, DeviceAccess.DEFAULT.reset()),
                values.bool(attrs.get("dma_unprotected"), where, DeviceAccess.DEFAULT.dmaUnprotected()));
        if (access.dmaUnprotected() && access.busMaster()) {
            problems.warning(attrs.get("dma_unprotected").location(), where + ": dma_unprotected=\"yes\": where no IOMMU"
                    + " confines its DMA (no IOMMU, or iommu=pt), this device's driver can make it read and write"
                    + " all of the machine's memory");
        }
        return access;
    }
}
