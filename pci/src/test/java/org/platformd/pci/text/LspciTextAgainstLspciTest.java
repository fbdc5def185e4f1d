package org.platformd.pci.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.platformd.pci.PciDevice;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;
import org.platformd.pci.testing.Lspci;
import org.platformd.pci.testing.PciDumps;

/**
 * Our text against real lspci's on every dump of the corpus and on this machine. At -nn the
 * output must be identical. At -vv we print a subset of lspci's detail lines, so: every line we
 * print must appear in lspci's output in the same order, and every line lspci prints for the
 * fields we decode (device line, Subsystem, Control/Status/Latency/Interrupt, Regions, ROM,
 * bridge lines, every capability's first line, LnkCap/LnkSta) must appear in ours.
 */
class LspciTextAgainstLspciTest {
    private static final Pattern KEY = Pattern.compile("^(\\S|\\tSubsystem:|\\tRegion|\\tExpansion ROM|\\tBus:"
            + "|\\tCapabilities:|\\t\\tLnk(Cap|Sta):|\\tInterrupt|\\tControl|\\tStatus|\\tLatency|\\tFlags"
            + "|\\t[A-Za-z/ ]+behind bridge|\\tBridgeCtl|\\tSecondary|\\t!!!|\\tKernel driver)");
    private static final LspciText TEXT = new LspciText(new LspciNames(PciIds.system()));

    private static String ours(List<PciDevice> devices, int verbose) {
        List<DecodedDevice> d = DeviceDecoder.decodeAll(devices);
        return TEXT.render(d, verbose);
    }

    static void assertAgrees(String where, String lspci, String ours) {
        List<String> ref = List.of(lspci.split("\n", -1));
        List<String> mine = List.of(ours.split("\n", -1));
        int j = 0;
        for (String line : mine) {
            int k = j;
            while (k < ref.size() && !ref.get(k).equals(line)) {
                k++;
            }
            if (k == ref.size()) {
                fail(where + ": we print a line lspci doesn't (at that place): '" + line + "'");
            }
            j = k + 1;
        }
        Set<String> ourLines = new HashSet<>(mine);
        for (String line : ref) {
            if (KEY.matcher(line).find() && !ourLines.contains(line)) {
                fail(where + ": lspci prints a line we don't: '" + line + "'");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDumpMatchesLspci() {
        List<Path> files = PciDumps.files();
        assertFalse(files.isEmpty(), "no dumps in " + PciDumps.root());
        return files.stream().map(f -> DynamicTest.dynamicTest(PciDumps.root().relativize(f).toString(), () -> {
            List<PciDevice> devices = LspciDumpReader.read(f);
            assertEquals(Lspci.run("-F", f.toString(), "-nn"), ours(devices, 0), f + " at -nn");
            assertAgrees(f + " at -v", Lspci.run("-F", f.toString(), "-nn", "-v"), ours(devices, 1));
            assertAgrees(f + " at -vv", Lspci.run("-F", f.toString(), "-nn", "-vv"), ours(devices, 2));
            assertAgrees(f + " at -vvv", Lspci.run("-F", f.toString(), "-nn", "-vvv"), ours(devices, 3));
        }));
    }

    @Test
    void thisMachineMatchesLiveLspci() throws Exception {
        List<PciDevice> devices = SysfsReader.read(SysfsReader.LIVE_ROOT);
        assertEquals(Lspci.run("-nn"), ours(devices, 0));
        assertAgrees("live -v", Lspci.run("-nn", "-v"), ours(devices, 1));
        assertAgrees("live -vv", Lspci.run("-nn", "-vv"), ours(devices, 2));
    }

    @Test
    void sizesAndNamesAreCutLikeLspci() {
        assertEquals(" [size=4K]", Flags.size(4096));
        assertEquals(" [size=1536]", Flags.size(1536));
        assertEquals(" [size=114720M]", Flags.size(114720L << 20));
        assertEquals("", Flags.size(0));
    }
}
