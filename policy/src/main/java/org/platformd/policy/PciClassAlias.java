// Genode's names for PCI classes in <pci class="..."/>.
package org.platformd.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Genode's names for PCI classes in {@code <pci class="..."/>}. The codes and wildcards are
 * those of Genode's platform driver ({@code pci_class_code_alias} in
 * repos/os/src/drivers/platform/pci.cc): a wildcard programming interface is a mask of
 * {@code 0xffff00}; USB lists the four host-controller interfaces (UHCI, OHCI, EHCI, xHCI)
 * one by one, so a USB device controller (interface 0xfe) is not a "USB" device.
 */
public enum PciClassAlias {
    AHCI(ClassPattern.subclass(0x010600)),
    AUDIO(ClassPattern.subclass(0x040100)),
    ETHERNET(ClassPattern.subclass(0x020000)),
    HDAUDIO(ClassPattern.subclass(0x040300)),
    ISABRIDGE(ClassPattern.subclass(0x060100)),
    NVME(ClassPattern.exact(0x010802)),
    USB(ClassPattern.exact(0x0c0300), ClassPattern.exact(0x0c0310), ClassPattern.exact(0x0c0320),
            ClassPattern.exact(0x0c0330)),
    USB4(ClassPattern.exact(0x0c0340)),
    VGA(ClassPattern.exact(0x030000)),
    WIFI(ClassPattern.subclass(0x028000));

    private final List<ClassPattern> patterns;

    PciClassAlias(ClassPattern... patterns) {
        this.patterns = List.of(patterns);
    }

    /** The class codes this alias stands for; a device matches when any pattern matches. */
    public List<ClassPattern> patterns() {
        return patterns;
    }

    /** The alias spelled exactly as in Genode (upper case), if there is one. */
    public static Optional<PciClassAlias> byName(String name) {
        return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
    }

    /** A class code compared under a mask: {@code (deviceClass & mask) == (code & mask)}. */
    public record ClassPattern(int code, int mask) {
        public ClassPattern {
            if (code < 0 || code > 0xffffff || mask < 0 || mask > 0xffffff) {
                throw new IllegalArgumentException(String.format("class pattern out of 24 bits: %x/%x", code, mask));
            }
        }

        static ClassPattern exact(int code) {
            return new ClassPattern(code, 0xffffff);
        }

        static ClassPattern subclass(int code) {
            return new ClassPattern(code, 0xffff00);
        }

        public boolean matches(int classCode) {
            return (classCode & mask) == (code & mask);
        }

        @Override
        public String toString() {
            return mask == 0xffffff ? String.format("0x%06x", code) : String.format("0x%06x/0x%06x", code, mask);
        }
    }
}
