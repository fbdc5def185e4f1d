package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;

/**
 * {@code platformctl lspci --socket S --label L} against a daemon on the emulated machine:
 * the label's virtual bus, with the config space its driver sees (BAR address hidden, size
 * known, IRQ line unknown), and nothing of what other labels get.
 */
class LspciOverSocketTest {
    @TempDir
    Path dir;

    @Test
    void showsTheVirtualBusOfALabelAsItsDriverSeesIt() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (RunningDaemon daemon = RunningDaemon.start(DaemonOptions.parse("--socket", socket.toString()))) {
            var cl = CommandTree.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            assertEquals(0, cl.execute("lspci", "-v", "--socket", socket.toString(), "--label", "edu-driver"), err.toString());
            String text = out.toString();
            assertEquals(2, text.split("Unclassified device \\[00ff\\]: Device \\[1234:11e8\\] \\(rev 10\\)", -1).length - 1,
                    text);
            assertTrue(text.startsWith("00:00.0 ") && text.contains("\n00:01.0 "), text);
            assertTrue(text.contains("Memory at <unassigned> (32-bit, non-prefetchable) [disabled] [size=1M]"), text);
            assertTrue(text.contains("Capabilities: [40] MSI: Enable- Count=1/1"), text);
            assertTrue(!text.contains("1234:1111"), "the display belongs to fb-driver: " + text);
        }
    }
}
