// Lspci's -x/-xxx/-xxxx hex dump (show_hex_dump).
package org.platformd.pci.text;

import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;

/**
 * lspci's {@code -x}/{@code -xxx}/{@code -xxxx} hex dump (show_hex_dump): the standard header
 * (64 bytes, 128 for a CardBus bridge), all 256 bytes at {@code -xxx} and all 4096 at
 * {@code -xxxx} — each larger size only when the source could read all of it, as lspci falls
 * back to what it has. The output reads back with {@code LspciDumpReader}. Stateless.
 */
final class HexDump {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private HexDump() {
    }

    private static void hex2(StringBuilder out, int b) {
        out.append(DIGITS[(b >> 4) & 0xf]).append(DIGITS[b & 0xf]);
    }

    static void append(StringBuilder out, DecodedDevice d, int hex) {
        ConfigSpace cfg = d.config();
        int cnt = 64;
        if (d.headerType() == 2 && cfg.isReadable(64, 64)) {
            cnt = 128;
        }
        if (hex >= 3 && cfg.isReadable(cnt, 256 - cnt)) {
            cnt = 256;
            if (hex >= 4 && cfg.isReadable(256, 4096 - 256)) {
                cnt = 4096;
            }
        }
        for (int i = 0; i < cnt; i++) {
            if ((i & 15) == 0) {
                if (i > 0xff) {
                    out.append(DIGITS[i >> 8]); // %02x of an offset past 0xff has three digits
                }
                hex2(out, i);
                out.append(':');
            }
            out.append(' ');
            hex2(out, cfg.u8(i, 0));
            if ((i & 15) == 15) {
                out.append('\n');
            }
        }
    }
}
