// lspci's -s and -d device selection, parsed and matched as libpci's filter.c does.
package org.platformd.pci.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * lspci's device selection ({@code -s [[[[DOMAIN]:]BUS]:][DEVICE][.[FUNC]]} and {@code -d
 * [VENDOR]:[DEVICE][:CLASS[:PROG_IF]]}), parsed and matched as libpci's filter.c does: hex
 * fields, an empty field or {@code *} matches anything, and in a class {@code x} digits are
 * wildcards. -1 in a field means "any". Immutable.
 */
public record DeviceFilter(int domain, int bus, int slot, int function, int vendor, int device,
                           int deviceClass, int deviceClassMask, int progIf) {

    /** The filter that keeps every device. */
    public static final DeviceFilter ANY = new DeviceFilter(-1, -1, -1, -1, -1, -1, -1, ~0, -1);

    /** Thrown for text lspci would refuse; the message is lspci's ("Invalid bus number", ...). */
    public static final class SyntaxException extends Exception {
        public SyntaxException(String message) {
            super(message);
        }
    }

    private static List<String> split(String str, char sep, int max) throws SyntaxException {
        if (str.length() >= 64) {
            throw new SyntaxException("Expression too long");
        }
        List<String> fields = new ArrayList<>();
        int start = 0;
        while (true) {
            if (fields.size() >= max) {
                throw new SyntaxException("Too many fields");
            }
            int at = str.indexOf(sep, start);
            if (at < 0) {
                fields.add(str.substring(start));
                break;
            }
            fields.add(str.substring(start, at));
            start = at + 1;
        }
        while (fields.size() < max) {
            fields.add(null);
        }
        return fields;
    }

    private static boolean defined(String field) {
        return field != null && !field.isEmpty() && !field.equals("*");
    }

    /** {value, mask} of a hex field, or null when the field is undefined (keep the default). */
    private static int[] hex(String str, boolean wildcards, long max, String error) throws SyntaxException {
        if (!defined(str)) {
            return null;
        }
        long out = 0;
        int mask = ~0;
        long bound = 0;
        for (char c : str.toCharArray()) {
            if ((c == 'x' || c == 'X') && wildcards) {
                out <<= 4;
                bound = (bound << 4) | 1;
                mask <<= 4;
            } else {
                int digit = Character.digit(c, 16);
                if (digit < 0) {
                    throw new SyntaxException(error);
                }
                out = (out << 4) | digit;
                bound = (bound << 4) | digit;
                mask = (mask << 4) | 0xf;
            }
            if (bound > max) {
                throw new SyntaxException(error);
            }
        }
        return new int[] {(int) out, mask};
    }

    /** This filter with an {@code -s} selector applied. */
    public DeviceFilter withSlot(String text) throws SyntaxException {
        List<String> f = split(text, ':', 3);
        int dom = domain;
        int b = bus;
        int s = slot;
        int fn = function;
        int i = 0;
        if (f.get(2) != null) {
            int[] v = hex(f.get(0), false, 0x7fffffffL, "Invalid domain number");
            dom = v != null ? v[0] : dom;
            i++;
        }
        if (f.get(i + 1) != null) {
            int[] v = hex(f.get(i), false, 0xff, "Invalid bus number");
            b = v != null ? v[0] : b;
            i++;
        }
        String dev = f.get(i);
        if (defined(dev)) {
            List<String> sf;
            try {
                sf = split(dev, '.', 2);
            } catch (SyntaxException e) {
                throw new SyntaxException("Invalid slot/function number");
            }
            int[] v = hex(sf.get(0), false, 0x1f, "Invalid slot number");
            s = v != null ? v[0] : s;
            v = hex(sf.get(1), false, 7, "Invalid function number");
            fn = v != null ? v[0] : fn;
        }
        return new DeviceFilter(dom, b, s, fn, vendor, device, deviceClass, deviceClassMask, progIf);
    }

    /** This filter with a {@code -d} selector applied. */
    public DeviceFilter withId(String text) throws SyntaxException {
        List<String> f = split(text, ':', 4);
        if (f.get(1) == null) {
            throw new SyntaxException("At least two fields must be given");
        }
        int[] v = hex(f.get(0), false, 0xffff, "Invalid vendor ID");
        int ven = v != null ? v[0] : vendor;
        v = hex(f.get(1), false, 0xffff, "Invalid device ID");
        int dev = v != null ? v[0] : device;
        v = hex(f.get(2), true, 0xffff, "Invalid class code");
        int cls = v != null ? v[0] : deviceClass;
        int clsMask = v != null ? v[1] : deviceClassMask;
        v = hex(f.get(3), false, 0xff, "Invalid programming interface code");
        int pif = v != null ? v[0] : progIf;
        return new DeviceFilter(domain, bus, slot, function, ven, dev, cls, clsMask, pif);
    }

    /** True when lspci's filter would show {@code d}. */
    public boolean matches(DecodedDevice d) {
        var a = d.address();
        if ((domain >= 0 && domain != a.domain()) || (bus >= 0 && bus != a.bus())
                || (slot >= 0 && slot != a.device()) || (function >= 0 && function != a.function())) {
            return false;
        }
        if ((device >= 0 && device != d.deviceId()) || (vendor >= 0 && vendor != d.vendorId())) {
            return false;
        }
        if (deviceClass >= 0 && ((deviceClass ^ (d.classCode() >> 8)) & deviceClassMask) != 0) {
            return false;
        }
        return progIf < 0 || progIf == d.progIf();
    }
}
