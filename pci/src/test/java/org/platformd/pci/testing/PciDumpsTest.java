package org.platformd.pci.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PciDumpsTest {
    @Test
    void findsSharedBesideTheCloneFromInsideAModule(@TempDir Path tmp) throws IOException {
        // CI layout: somewhere/clone/pci (working dir) with somewhere/shared/pci-dumps.
        Path dumps = Files.createDirectories(tmp.resolve("shared/pci-dumps"));
        Path module = Files.createDirectories(tmp.resolve("clone/pci"));
        assertEquals(dumps, PciDumps.locate(module, null));
    }

    @Test
    void findsSharedInsideAnAncestor(@TempDir Path tmp) throws IOException {
        // /work layout: /work/wt/oracle/pci with /work/shared/pci-dumps.
        Path dumps = Files.createDirectories(tmp.resolve("work/shared/pci-dumps"));
        Path module = Files.createDirectories(tmp.resolve("work/wt/oracle/pci"));
        assertEquals(dumps, PciDumps.locate(module, null));
    }

    @Test
    void notFoundIsAnErrorThatSaysWhereItLooked(@TempDir Path tmp) throws IOException {
        Path module = Files.createDirectories(tmp.resolve("isolated/pci"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PciDumps.locate(module, tmp));
        assertTrue(e.getMessage().contains("shared/pci-dumps not found above " + module), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("isolated/shared/pci-dumps").toString()), e.getMessage());
    }

    @Test
    void countsDeviceBlocksWithAndWithoutDomain(@TempDir Path tmp) throws IOException {
        Path dump = tmp.resolve("d.lspci");
        Files.writeString(dump, "00:01.0 a\n00: 00\n\n10000:00:04.0 b\n00: 00\n\n0000:02:00.1 c\n");
        assertEquals(3, PciDumps.deviceBlocks(dump));
    }
}
