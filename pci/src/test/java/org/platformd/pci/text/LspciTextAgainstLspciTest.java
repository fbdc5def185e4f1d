package org.platformd.pci.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.platformd.pci.PciDevice;
import org.platformd.pci.caps.PowerLimit;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.source.SysfsReader;
import org.platformd.pci.testing.Lspci;
import org.platformd.pci.testing.PciDumps;

/**
 * Our text against real lspci's (pciutils 3.9.0), byte for byte: every dump of the shared corpus
 * at {@code -nn}, {@code -nn -v}, {@code -nn -vv} and {@code -nn -vvv}, and this machine's sysfs
 * tree against live lspci at the same levels. From live lspci's output only the lines named in
 * {@link #LIVE_ONLY} are set aside, each for the reason given there; nothing else may differ.
 */
class LspciTextAgainstLspciTest {
    private static final LspciText TEXT = new LspciText(new LspciNames(PciIds.system()));

    /**
     * Lines live lspci may print that come from neither the config space nor the sysfs files
     * {@code SysfsReader} reads, keyed by their label (the text between the tab and the colon).
     */
    static final Map<String, String> LIVE_ONLY = Map.of(
            "Kernel modules", "lspci asks libkmod which modules match the device's modalias (the kernel's module"
                    + " index under /lib/modules); Debian's lspci prints it only when libkmod loads");

    private static String ours(List<PciDevice> devices, int verbose) {
        List<DecodedDevice> d = DeviceDecoder.decodeAll(devices);
        return TEXT.render(d, verbose);
    }

    private static String[] flags(int verbose) {
        return switch (verbose) {
            case 0 -> new String[] {"-nn"};
            case 1 -> new String[] {"-nn", "-v"};
            case 2 -> new String[] {"-nn", "-vv"};
            default -> new String[] {"-nn", "-vvv"};
        };
    }

    /** lspci's text without the {@link #LIVE_ONLY} lines (whole lines, matched by label). */
    static String withoutLiveOnlyLines(String lspci) {
        return lspci.lines().filter(l -> !isLiveOnly(l)).map(l -> l + "\n").collect(Collectors.joining());
    }

    private static boolean isLiveOnly(String line) {
        if (!line.startsWith("\t") || line.startsWith("\t\t")) {
            return false;
        }
        int colon = line.indexOf(':');
        return colon > 0 && LIVE_ONLY.containsKey(line.substring(1, colon));
    }

    @TestFactory
    Stream<DynamicTest> everyDumpMatchesLspciExactly() {
        List<Path> files = PciDumps.files();
        assertEquals(158, files.size(), "dumps in " + PciDumps.root());
        return files.stream().map(f -> DynamicTest.dynamicTest(PciDumps.root().relativize(f).toString(), () -> {
            List<PciDevice> devices = LspciDumpReader.read(f);
            for (int v = 0; v <= 3; v++) {
                String[] args = Stream.concat(Stream.of("-F", f.toString()), Stream.of(flags(v))).toArray(String[]::new);
                assertEquals(Lspci.run(args), ours(devices, v), f + " at " + String.join(" ", flags(v)));
            }
        }));
    }

    @Test
    void thisMachineMatchesLiveLspciExactly() throws Exception {
        List<PciDevice> devices = SysfsReader.read(SysfsReader.LIVE_ROOT);
        for (int v = 0; v <= 3; v++) {
            assertEquals(withoutLiveOnlyLines(Lspci.run(flags(v))), ours(devices, v), "live " + String.join(" ", flags(v)));
        }
        // the tree: lspci builds it from sysfs parent links too, we from bus numbers alone; on an
        // ordinary topology both give the same drawing
        LspciTree tree = new LspciTree(new LspciNames(PciIds.system(), LspciNames.Mode.NAMES));
        List<DecodedDevice> decoded = DeviceDecoder.decodeAll(devices);
        assertEquals(Lspci.run("-t"), tree.render(decoded, null, false), "live -t");
        assertEquals(Lspci.run("-tv"), tree.render(decoded, null, true), "live -tv");
    }

    @Test
    void liveOnlyLinesAreSetAsideByLabelOnly() {
        String lspci = "00:01.0 Host bridge [0600]: X [8086:1237]\n\tKernel driver in use: x\n\tKernel modules: y\n"
                + "\t\tKernel modules: nested detail stays\n\n";
        assertEquals("00:01.0 Host bridge [0600]: X [8086:1237]\n\tKernel driver in use: x\n"
                + "\t\tKernel modules: nested detail stays\n\n", withoutLiveOnlyLines(lspci));
    }

    @Test
    void sizesAndNamesAreCutLikeLspci() {
        assertEquals(" [size=4K]", Flags.size(4096));
        assertEquals(" [size=1536]", Flags.size(1536));
        assertEquals(" [size=114720M]", Flags.size(114720L << 20));
        assertEquals("", Flags.size(0));
    }

    @Test
    void powerLimitsPrintLikeCsPercentG() {
        assertEquals("25W", PowerLimit.text(250, 1));
        assertEquals("0.75W", PowerLimit.text(75, 2));
        assertEquals("0W", PowerLimit.text(0, 0));
        assertEquals("300W", PowerLimit.text(0xf2, 0));
        assertEquals(">600W", PowerLimit.text(0xff, 0));
        assertEquals("0.255W", PowerLimit.text(255, 3));
    }
}
