package org.platformd.pci.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.testing.PciDumps;
import org.platformd.pci.text.LspciText;

/**
 * The "one JVM for the whole corpus" side of {@code bin/bench-lspci}: loads pci.ids once, then
 * for every dump parses, decodes and renders {@code lspci -nn -vvv} text, writing it to standard
 * output (the script sends it to /dev/null, as it does lspci's). With {@code --rounds N} the
 * corpus is rendered N times and the time of each round is printed to standard error, so the
 * warmed-up per-file cost can be told from JVM start-up.
 */
public final class CorpusText {
    private CorpusText() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length == 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 1;
        List<Path> files = PciDumps.files();
        LspciText text = new LspciText(new LspciNames(PciIds.system()));
        OutputStream sink = System.out;
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            for (Path f : files) {
                String out = text.render(DeviceDecoder.decodeAll(LspciDumpReader.read(f)), 3);
                sink.write(out.getBytes(StandardCharsets.UTF_8));
            }
            sink.flush();
            long ns = System.nanoTime() - start;
            PrintStream err = System.err;
            err.printf("round %d: %d files in %.1f ms (%.3f ms per file)%n", r + 1, files.size(), ns / 1e6,
                    ns / 1e6 / files.size());
        }
    }
}
