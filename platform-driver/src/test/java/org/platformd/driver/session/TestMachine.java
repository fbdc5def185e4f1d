package org.platformd.driver.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small QEMU-like machine written as an {@code lspci -x} dump, for the daemon's inventory:
 * host bridge 00:00.0, Bochs display 00:02.0 (1234:1111), edu 00:03.0 and 00:04.0
 * (1234:11e8, INTA, MSI capability). The bytes are what QEMU 8 shows for these devices.
 */
public final class TestMachine {
    private TestMachine() {}

    /** A policy for this machine: edu-driver gets both edus, fb-driver the display, "owned" needs uid 4242. */
    public static final String POLICY = """
            <config>
              <policy label="edu-driver" dma_quota="1M">
                <pci vendor_id="0x1234" device_id="0x11e8"/>
              </policy>
              <policy label="fb-driver" dma_quota="0">
                <pci vendor_id="0x1234" device_id="0x1111"/>
              </policy>
              <policy label="owned" uid="4242">
                <pci vendor_id="0x1234" device_id="0x1111"/>
              </policy>
            </config>
            """;



    public static Path write(Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append(function("00:00.0 Host bridge: Intel Corporation 440FX", 0x8086, 0x1237, 0x060000, 0x02, 0, 0, 0));
        b.append(function("00:02.0 VGA compatible controller: Device 1234:1111", 0x1234, 0x1111, 0x030000, 0x02,
                0xfd000008L, 0, 0));
        b.append(function("00:03.0 Unclassified device [00ff]: Device 1234:11e8", 0x1234, 0x11e8, 0x00ff00, 0x10,
                0xfea00000L, 1, 0x40));
        b.append(function("00:04.0 Unclassified device [00ff]: Device 1234:11e8", 0x1234, 0x11e8, 0x00ff00, 0x10,
                0xfeb00000L, 1, 0x40));
        Path file = dir.resolve("machine.lspci");
        Files.writeString(file, b.toString());
        return file;
    }

    private static String function(String header, int vendor, int device, int classCode, int rev, long bar0,
            int pin, int msiAt) {
        byte[] c = new byte[256];
        le16(c, 0x00, vendor);
        le16(c, 0x02, device);
        le16(c, 0x04, 0x0003);
        le16(c, 0x06, msiAt != 0 ? 0x0010 : 0);
        c[0x08] = (byte) rev;
        c[0x09] = (byte) classCode;
        c[0x0a] = (byte) (classCode >> 8);
        c[0x0b] = (byte) (classCode >> 16);
        le32(c, 0x10, bar0);
        le16(c, 0x2c, 0x1af4);
        le16(c, 0x2e, 0x1100);
        c[0x3c] = (byte) (pin != 0 ? 11 : 0);
        c[0x3d] = (byte) pin;
        if (msiAt != 0) {
            c[0x34] = (byte) msiAt;
            c[msiAt] = 0x05; // MSI
            c[msiAt + 1] = 0;
            le16(c, msiAt + 2, 0x0080); // 64-bit, 1 vector
        }
        StringBuilder s = new StringBuilder(header).append('\n');
        for (int row = 0; row < 256; row += 16) {
            s.append(String.format("%02x:", row));
            for (int i = 0; i < 16; i++) {
                s.append(String.format(" %02x", c[row + i] & 0xff));
            }
            s.append('\n');
        }
        return s.append('\n').toString();
    }

    private static void le16(byte[] c, int at, int v) {
        c[at] = (byte) v;
        c[at + 1] = (byte) (v >> 8);
    }

    private static void le32(byte[] c, int at, long v) {
        le16(c, at, (int) v);
        le16(c, at + 2, (int) (v >> 16));
    }
}
