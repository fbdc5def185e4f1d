package org.platformd.pci.oracle;

/** Small hand-built config spaces for feeding lspci IDs no real dump contains. */
public final class SyntheticConfig {
    private SyntheticConfig() {}

    /** 256 bytes: vendor 1af4, capability list on, one capability with {@code id} at 0x40. */
    static byte[] withStandardCapability(int id) {
        byte[] c = header(256);
        c[0x40] = (byte) id;
        return c;
    }

    /** 4096 bytes: an Express endpoint at 0x40 (so lspci walks extended capabilities) and {@code id} at 0x100. */
    static byte[] withExtendedCapability(int id) {
        byte[] c = header(4096);
        c[0x40] = 0x10;
        c[0x42] = 0x02;
        c[0x100] = (byte) id;
        c[0x101] = (byte) (id >> 8);
        c[0x102] = 0x01; // version 1, next 0
        return c;
    }

    private static byte[] header(int size) {
        byte[] c = new byte[size];
        c[0] = (byte) 0xf4;
        c[1] = 0x1a;
        c[2] = 0x34;
        c[3] = 0x12;
        c[6] = 0x10;
        c[0x0b] = 0x02;
        c[0x34] = 0x40;
        return c;
    }

    /** The device in lspci -xxx text form, followed by a blank line. */
    public static String dumpText(String slot, byte[] config) {
        StringBuilder s = new StringBuilder(slot).append(" Synthetic device\n");
        for (int i = 0; i < config.length; i += 16) {
            s.append(String.format("%02x:", i));
            for (int b = 0; b < 16; b++) {
                s.append(String.format(" %02x", config[i + b] & 0xff));
            }
            s.append('\n');
        }
        return s.append('\n').toString();
    }
}
