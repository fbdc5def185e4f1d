package org.platformd.pci.decode;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.json.DeviceJson;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.DumpFormatException;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.text.LspciText;

/** Whatever the bytes, decoding ends, doesn't throw, and reports sane capability offsets. */
class DecoderPropertiesTest {
    private static final LspciText TEXT = new LspciText(new LspciNames(PciIds.EMPTY));

    @Provide
    Arbitrary<ConfigSpace> spaces() {
        Arbitrary<Integer> size = Arbitraries.of(64, 256, 4096);
        return size.flatMap(n -> Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofSize(n),
                        Arbitraries.integers().between(0, n),
                        Arbitraries.of(true, false))
                .as((bytes, readable, chainy) -> {
                    if (chainy) {
                        // make chains likely: capability bit on, pointers and ext headers plausible
                        bytes[6] |= 0x10;
                        bytes[0x0e] = (byte) (bytes[0x0e] & 0x83);
                        if (n > 0x100) {
                            bytes[0x40] = 0x10;
                            bytes[0x34] = 0x40;
                        }
                    }
                    return ConfigSpace.of(bytes, readable);
                }));
    }

    @Property(tries = 3000)
    void decodingNeverThrowsAndOffsetsAreSane(@ForAll("spaces") ConfigSpace space, @ForAll boolean withResources) {
        PciDevice dev = PciDevice.of(BusAddress.of(1, 2, 3), space);
        DecodedDevice d = DeviceDecoder.decode(dev);
        checkChain(d.capabilities().capabilities(), space, 0, 0x100);
        checkChain(d.extended().capabilities(), space, 0, 0x1000);
        assertNotNull(DeviceJson.toJson(List.of(dev)));
        assertNotNull(TEXT.render(List.of(d), 3));
    }

    private static void checkChain(List<Capability> caps, ConfigSpace space, int min, int max) {
        Set<Integer> seen = new HashSet<>();
        for (Capability c : caps) {
            assertTrue(c.offset() >= min && c.offset() < max, "offset " + c.offset());
            assertTrue(space.isReadable(c.offset(), 4), "reported capability must be readable: " + c.offset());
            assertTrue(seen.add(c.offset()), "offset twice: " + c.offset());
        }
    }

    @Property(tries = 500)
    void dumpReaderEitherReadsOrSaysWhere(@ForAll("dumpish") String text) {
        try {
            LspciDumpReader.parse(text, java.nio.file.Path.of("random.lspci"));
        } catch (DumpFormatException e) {
            assertTrue(e.getMessage().startsWith("random.lspci:"), e.getMessage());
            assertTrue(e.line() >= 1);
        }
    }

    @Provide
    Arbitrary<String> dumpish() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Arbitraries.of("00:00.0 Host bridge", "0000:01:00.1 x", "", "00: 86 80 12 34", "10: 0", "zz",
                        "ff0: 01 02", "1000: 00", "40: 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11"),
                Arbitraries.strings().ofMaxLength(30));
        return line.list().ofMaxSize(40).map(l -> String.join("\n", l));
    }
}
