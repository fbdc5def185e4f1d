// A PCI function's address (domain, bus, device, function), printed as lspci does.
package org.platformd.pci;

import java.util.Objects;

/**
 * A PCI function's address: domain (segment), bus, device and function, printed the way
 * lspci prints it ({@code 0000:03:00.0}). Parsing accepts the short form without a domain
 * ({@code 03:00.0}, domain 0) because admins write it that way in policies.
 */
public record BusAddress(int domain, int bus, int device, int function) implements Comparable<BusAddress> {

    public BusAddress {
        // Linux domains are usually 16 bits, but VMD and Hyper-V create 32-bit ones (lspci prints
        // them as more than four digits); anything non-negative is accepted.
        if (domain < 0) {
            throw new IllegalArgumentException("PCI domain out of range 0..7fffffff: " + domain);
        }
        if (bus < 0 || bus > 0xff) {
            throw new IllegalArgumentException("PCI bus out of range 0..ff: " + bus);
        }
        if (device < 0 || device > 0x1f) {
            throw new IllegalArgumentException("PCI device out of range 0..1f: " + device);
        }
        if (function < 0 || function > 7) {
            throw new IllegalArgumentException("PCI function out of range 0..7: " + function);
        }
    }

    // equals and hashCode written out: the generated ones link a method-handle bootstrap on first use, ~0.01 s
    // of a fresh JVM each, and addresses are map keys everywhere the daemon and platformctl start
    @Override
    public boolean equals(Object o) {
        return o instanceof BusAddress a && domain == a.domain && bus == a.bus && device == a.device
                && function == a.function;
    }

    @Override
    public int hashCode() {
        return domain * 65536 + (bus << 8 | device << 3 | function);
    }

    public static BusAddress of(int bus, int device, int function) {
        return new BusAddress(0, bus, device, function);
    }

    /**
     * Parses {@code DDDD:BB:DD.F} or {@code BB:DD.F} (hex; lspci also prints 32-bit domains as
     * more than four digits on some machines, which are accepted up to 0x7fffffff).
     *
     * @throws IllegalArgumentException with the offending text when it is not a bus address
     */
    public static BusAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        String[] colon = s.split(":", -1);
        try {
            if (colon.length == 2 || colon.length == 3) {
                int domain = colon.length == 3 ? hex(colon[0], 8) : 0;
                String busPart = colon[colon.length - 2];
                String[] devFn = colon[colon.length - 1].split("\\.", -1);
                if (devFn.length == 2) {
                    return new BusAddress(domain, hex(busPart, 2), hex(devFn[0], 2), hex(devFn[1], 1));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PCI bus address '" + text + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(
                "not a PCI bus address '" + text + "' (expected DDDD:BB:DD.F or BB:DD.F in hex)");
    }

    /** True when {@code text} parses as a bus address. */
    public static boolean isBusAddress(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int hex(String part, int maxDigits) {
        if (part.isEmpty() || part.length() > maxDigits) {
            throw new IllegalArgumentException("'" + part + "' is not 1.." + maxDigits + " hex digits");
        }
        for (int i = 0; i < part.length(); i++) {
            if (Character.digit(part.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("'" + part + "' is not hex");
            }
        }
        return Integer.parseUnsignedInt(part, 16);
    }

    /** The 8-bit devfn value used by config mechanism #1 and the kernel. */
    public int devfn() {
        return (device << 3) | function;
    }

    /** lspci's long form, {@code 0000:03:00.0}. */
    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }

    /** lspci's short form without the domain, {@code 03:00.0}. */
    public String toShortString() {
        return String.format("%02x:%02x.%x", bus, device, function);
    }

    @Override
    public int compareTo(BusAddress o) {
        int c = Integer.compare(domain, o.domain);
        if (c == 0) c = Integer.compare(bus, o.bus);
        if (c == 0) c = Integer.compare(device, o.device);
        if (c == 0) c = Integer.compare(function, o.function);
        return c;
    }
}
