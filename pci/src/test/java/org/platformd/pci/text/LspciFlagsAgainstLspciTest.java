package org.platformd.pci.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.decode.DeviceFilter;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.testing.Lspci;
import org.platformd.pci.testing.PciDumps;

/**
 * lspci's naming, selection and dump flags against real lspci on every dump of the corpus:
 * no {@code -n}, {@code -n} and {@code -nn} naming, {@code -D}, {@code -k}, {@code -x},
 * {@code -xxx}, {@code -xxxx}, and {@code -s}/{@code -d} selectors built from each file's own
 * devices (exact, wildcard and mismatching ones), and the {@code -t}/{@code -tv} tree, whole and
 * filtered. Output must be identical.
 */
class LspciFlagsAgainstLspciTest {
    private static final PciIds IDS = PciIds.system();

    /** One lspci invocation's flags and what they mean to us. */
    private record Flags(List<String> args, LspciNames.Mode mode, LspciOptions options, String slot, String id,
                         boolean tree) {
    }

    private static Flags flags(LspciNames.Mode mode, LspciOptions o, String slot, String id, String... args) {
        return new Flags(List.of(args), mode, o, slot, id, false);
    }

    private static Flags tree(LspciNames.Mode mode, boolean verbose, String slot, String... args) {
        return new Flags(List.of(args), mode, LspciOptions.verbose(verbose ? 1 : 0), slot, null, true);
    }

    private static List<Flags> combinations(DecodedDevice first) {
        var a = first.address();
        List<Flags> list = new ArrayList<>();
        list.add(flags(LspciNames.Mode.NAMES, LspciOptions.verbose(0), null, null));
        list.add(flags(LspciNames.Mode.NAMES, LspciOptions.verbose(2), null, null, "-vv"));
        list.add(flags(LspciNames.Mode.NUMERIC, new LspciOptions(0, false, 4, false), null, null, "-n", "-xxxx"));
        list.add(flags(LspciNames.Mode.MIXED, new LspciOptions(0, true, 1, true), null, null, "-nn", "-k", "-D", "-x"));
        list.add(flags(LspciNames.Mode.MIXED, new LspciOptions(1, false, 3, false), null, null, "-nn", "-v", "-xxx"));
        String slot = String.format("%x:%x", a.bus(), a.device());
        String vendor = String.format("%04x:", first.vendorId());
        list.add(flags(LspciNames.Mode.MIXED, LspciOptions.verbose(0), slot, vendor, "-nn", "-s", slot, "-d", vendor));
        String fn = "." + a.function();
        String cls = String.format("::%02xxx", first.classCode() >> 16);
        list.add(flags(LspciNames.Mode.NUMERIC, LspciOptions.verbose(0), fn, cls, "-n", "-s", fn, "-d", cls));
        String none = "*:*:*:" + String.format("%02x", (first.progIf() + 1) & 0xff);
        list.add(flags(LspciNames.Mode.MIXED, LspciOptions.verbose(0), "0:*", none, "-nn", "-s", "0:*", "-d", none));
        list.add(tree(LspciNames.Mode.NAMES, false, null, "-t"));
        list.add(tree(LspciNames.Mode.MIXED, true, slot, "-nn", "-tv", "-s", slot));
        return list;
    }

    @TestFactory
    Stream<DynamicTest> everyDumpWithLspcisFlags() {
        List<Path> files = PciDumps.files();
        assertFalse(files.isEmpty());
        return files.stream().map(f -> DynamicTest.dynamicTest(PciDumps.root().relativize(f).toString(), () -> {
            List<DecodedDevice> bus = DeviceDecoder.decodeAll(LspciDumpReader.read(f));
            for (Flags fl : combinations(bus.get(0))) {
                DeviceFilter filter = DeviceFilter.ANY;
                if (fl.slot() != null) {
                    filter = filter.withSlot(fl.slot());
                }
                if (fl.id() != null) {
                    filter = filter.withId(fl.id());
                }
                List<DecodedDevice> shown = bus.stream().filter(filter::matches).toList();
                LspciNames names = new LspciNames(IDS, fl.mode());
                boolean filtered = fl.slot() != null || fl.id() != null;
                String ours = fl.tree()
                        ? new LspciTree(names).render(bus, filtered ? filter::matches : null, fl.options().verbose() > 0)
                        : new LspciText(names).render(bus, shown, fl.options());
                List<String> args = new ArrayList<>(List.of("-F", f.toString()));
                args.addAll(fl.args());
                assertEquals(Lspci.run(args.toArray(String[]::new)), ours, f + " with " + fl.args());
            }
        }));
    }

    @Test
    void selectorsParseAndRefuseLikeLibpci() throws Exception {
        DeviceFilter f = DeviceFilter.ANY.withSlot("0001:02:03.4");
        assertEquals(List.of(1, 2, 3, 4), List.of(f.domain(), f.bus(), f.slot(), f.function()));
        f = DeviceFilter.ANY.withSlot("1f");
        assertEquals(List.of(-1, -1, 0x1f, -1), List.of(f.domain(), f.bus(), f.slot(), f.function()));
        f = DeviceFilter.ANY.withId("8086::0cxx");
        assertEquals(0x8086, f.vendor());
        assertEquals(-1, f.device());
        assertEquals(0x0c00, f.deviceClass());
        assertEquals(0xffffff00, f.deviceClassMask());
        assertEquals("Invalid bus number",
                assertThrows(DeviceFilter.SyntaxException.class, () -> DeviceFilter.ANY.withSlot("100:0")).getMessage());
        assertEquals("Invalid slot number",
                assertThrows(DeviceFilter.SyntaxException.class, () -> DeviceFilter.ANY.withSlot("20")).getMessage());
        assertEquals("At least two fields must be given",
                assertThrows(DeviceFilter.SyntaxException.class, () -> DeviceFilter.ANY.withId("8086")).getMessage());
        assertEquals("Too many fields",
                assertThrows(DeviceFilter.SyntaxException.class, () -> DeviceFilter.ANY.withId("1:2:3:4:5")).getMessage());
    }
}
