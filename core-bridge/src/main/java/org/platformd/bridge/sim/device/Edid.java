// A minimal EDID 1.4 base block (plus an empty extension area) for the Bochs display's EDID window.
package org.platformd.bridge.sim.device;

/**
 * A minimal EDID 1.4 base block (plus an empty extension area) for the Bochs display's EDID window:
 * header, manufacturer "RHT" (as QEMU's), product 0x1234, one detailed timing with the preferred
 * resolution, checksum. Enough for a driver to find the preferred mode; not a full monitor description.
 */
final class Edid {
    private Edid() {
    }

    static byte[] block(int width, int height) {
        byte[] e = new byte[256];
        int[] header = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
        for (int i = 0; i < 8; i++) {
            e[i] = (byte) header[i];
        }
        int mfg = (('R' - '@') << 10) | (('H' - '@') << 5) | ('T' - '@');
        e[8] = (byte) (mfg >> 8);
        e[9] = (byte) mfg;
        e[10] = 0x34;
        e[11] = 0x12;
        e[16] = 1; // week
        e[17] = (byte) (2014 - 1990);
        e[18] = 1; // version 1.4
        e[19] = 4;
        e[20] = (byte) 0xa5; // digital, 8 bits per colour, DisplayPort-ish
        e[21] = 40; // cm
        e[22] = 30;
        e[23] = 120; // gamma 2.2
        e[24] = 0x06; // preferred timing mode, sRGB
        // detailed timing descriptor 1 at 54: pixel clock 65 MHz (in 10 kHz units), active sizes
        int clock = 6500;
        int hblank = 320;
        int vblank = 38;
        e[54] = (byte) clock;
        e[55] = (byte) (clock >> 8);
        e[56] = (byte) width;
        e[57] = (byte) hblank;
        e[58] = (byte) (((width >> 8) << 4) | (hblank >> 8));
        e[59] = (byte) height;
        e[60] = (byte) vblank;
        e[61] = (byte) (((height >> 8) << 4) | (vblank >> 8));
        int sum = 0;
        for (int i = 0; i < 127; i++) {
            sum += e[i] & 0xff;
        }
        e[127] = (byte) (256 - (sum & 0xff));
        return e;
    }
}
