// Lspci's Name+/Name- flag lists.
package org.platformd.pci.text;

/** lspci's {@code Name+}/{@code Name-} flag lists. */
final class Flags {
    private Flags() {
    }

    static char flag(long value, long bit) {
        return (value & bit) != 0 ? '+' : '-';
    }

    /** {@code names[i]+/-} for each {@code bits[i]}, space-separated. */
    static String list(long value, String[] names, long[] bits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(names[i]).append(flag(value, bits[i]));
        }
        return sb.toString();
    }

    /** lspci's show_size: {@code  [size=4K]}, nothing for 0. */
    static String size(long x) {
        if (x == 0) {
            return "";
        }
        String[] suffix = {"", "K", "M", "G", "T"};
        int i = 0;
        // lspci only switches to a bigger unit while the size divides evenly
        while (i < suffix.length - 1 && Long.remainderUnsigned(x, 1024) == 0) {
            x = Long.divideUnsigned(x, 1024);
            i++;
        }
        return " [size=" + Long.toUnsignedString(x) + suffix[i] + "]";
    }
}
