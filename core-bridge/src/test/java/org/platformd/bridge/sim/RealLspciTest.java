package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.sim.pci.PciFunction;

/**
 * The emulated config spaces as pciutils' own lspci decodes them (from an {@code lspci -xxx}-style
 * dump): the lines QEMU's devices show in a guest.
 */
class RealLspciTest {
    private static final Path LSPCI = Path.of("/usr/bin/lspci");

    @TempDir
    Path tmp;

    @Test
    void lspciSeesQemusDevices() throws Exception {
        assumeTrue(Files.isExecutable(LSPCI), "needs pciutils' lspci");
        Path dump = tmp.resolve("machine.dump");
        StringBuilder sb = new StringBuilder();
        try (Machine m = Machine.builtIn()) {
            for (PciFunction f : m.functions()) {
                byte[] c = f.configSnapshot();
                sb.append(f.address().toShortString()).append(" device\n");
                for (int i = 0; i < c.length; i += 16) {
                    sb.append(String.format("%02x:", i));
                    for (int j = 0; j < 16; j++) {
                        sb.append(String.format(" %02x", c[i + j] & 0xff));
                    }
                    sb.append('\n');
                }
                sb.append('\n');
            }
        }
        Files.writeString(dump, sb.toString());
        Process p = new ProcessBuilder(LSPCI.toString(), "-F", dump.toString(), "-nn", "-vv")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        for (String expected : new String[] {
            "00:00.0 Host bridge [0600]: Intel Corporation 440FX - 82441FX PMC [Natoma] [8086:1237] (rev 02)",
            "00:02.0 Unclassified device [00ff]: Device [1234:11e8] (rev 10)",
            "\tCapabilities: [40] MSI: Enable- Count=1/1 Maskable- 64bit+",
            "00:03.0 PCI bridge [0604]: Red Hat, Inc. QEMU PCI-PCI bridge [1b36:0001]",
            "\tBus: primary=00, secondary=01, subordinate=02, sec-latency=0",
            "\tCapabilities: [4c] MSI: Enable- Count=1/1 Maskable+ 64bit+",
            "\tCapabilities: [48] Slot ID: 0 slots, First-, chassis 01",
            "\tCapabilities: [40] Hot-plug capable",
            "01:01.0 Display controller [0380]: Device [1234:1111] (rev 02)",
            "\tRegion 0: Memory at d0000000 (32-bit, prefetchable) [disabled]",
            "\tPrefetchable memory behind bridge: 00000000d0000000-00000000d0ffffff [size=16M] [64-bit]",
            "\tBus: primary=01, secondary=02, subordinate=02, sec-latency=0",
            "02:00.0 Unclassified device [00ff]: Device [1234:11e8] (rev 10)",
        }) {
            assertTrue(out.contains(expected), "lspci shows '" + expected + "' in:\n" + out);
        }
    }
}
