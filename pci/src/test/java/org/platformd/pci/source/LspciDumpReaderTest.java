package org.platformd.pci.source;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;

class LspciDumpReaderTest {
    private static final Path F = Path.of("test.lspci");

    private static String header(String slot) {
        StringBuilder sb = new StringBuilder(slot + " Ethernet controller: Something\n");
        sb.append("00: 86 80 3a 15 07 04 10 00 04 00 00 02 00 00 00 00\n");
        for (int off = 0x10; off < 0x40; off += 16) {
            sb.append(String.format("%02x: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", off));
        }
        return sb.toString();
    }

    @Test
    void readsDevicesWithAndWithoutDomain() throws Exception {
        String text = header("00:19.0") + "\n" + header("0001:02:00.1") + "\n";
        List<PciDevice> devs = LspciDumpReader.parse(text, F);
        assertEquals(2, devs.size());
        assertEquals(BusAddress.parse("0000:00:19.0"), devs.get(0).address());
        assertEquals(BusAddress.parse("0001:02:00.1"), devs.get(1).address());
        assertEquals(64, devs.get(0).config().readableLength());
        assertEquals(0x8086, devs.get(0).config().u16(0));
        assertTrue(devs.get(0).notes().isEmpty());
        assertFalse(devs.get(0).hasResources());
    }

    @Test
    void readableLengthIsOnePastTheHighestByteGiven() throws Exception {
        String text = header("00:00.0") + "f0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
                + "ff0: 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10\n";
        PciDevice d = LspciDumpReader.parse(text, F).get(0);
        assertEquals(4096, d.config().readableLength());
        assertEquals(0, d.config().u8(0x100), "gaps read as zero, like pciutils' dump reader");
        assertEquals(0x10, d.config().u8(0xfff));
    }

    @Test
    void truncatedDataLineKeepsItsPrefixAndNotesFileAndLine() throws Exception {
        String text = header("00:00.0") + "40: 01 02 0\n";
        PciDevice d = LspciDumpReader.parse(text, F).get(0);
        assertEquals(0x42, d.config().readableLength());
        assertEquals(1, d.notes().size());
        assertTrue(d.notes().get(0).startsWith("test.lspci:6:"), d.notes().toString());
    }

    @Test
    void garbageLineIsAnErrorNamingFileAndLine() {
        String text = header("00:00.0") + "this is not a dump line\n";
        DumpFormatException e = assertThrows(DumpFormatException.class, () -> LspciDumpReader.parse(text, F));
        assertEquals(6, e.line());
        assertTrue(e.getMessage().startsWith("test.lspci:6: "), e.getMessage());
    }

    @Test
    void dataWithoutADeviceIsAnError() {
        assertThrows(DumpFormatException.class, () -> LspciDumpReader.parse("\n00: 00 00\n", F));
        assertThrows(DumpFormatException.class, () -> LspciDumpReader.parse(header("00:00.0") + "\n10: 00\n", F));
    }

    @Test
    void devicesWithLessThanAHeaderAreDroppedLikeLspciDoes() throws Exception {
        String text = "00:00.0 Host bridge\n00: 86 80 00 00\n\n" + header("00:01.0");
        List<PciDevice> devs = LspciDumpReader.parse(text, F);
        assertEquals(1, devs.size());
        assertEquals(1, devs.get(0).address().device());
    }

    @Test
    void crlfAndEmptyFilesAreFine() throws Exception {
        assertEquals(1, LspciDumpReader.parse(header("00:00.0").replace("\n", "\r\n"), F).size());
        assertTrue(LspciDumpReader.parse("", F).isEmpty());
    }

    @Test
    void unreadableFileIsAnIOException(@TempDir Path dir) {
        assertThrows(java.io.IOException.class, () -> LspciDumpReader.read(dir.resolve("missing.lspci")));
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.lspci");
        Files.writeString(f, header("03:00.0"));
        assertEquals(BusAddress.of(3, 0, 0), LspciDumpReader.read(f).get(0).address());
    }
}
