package org.platformd.pci;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.json.DeviceJson;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.testing.PciDumps;
import org.platformd.pci.text.LspciText;

/** Sanity: every file of the shared corpus reads, decodes, renders and converts to JSON. */
class AllDumpsDecodeTest {
    @Test
    void theWholeCorpusDecodes() throws Exception {
        List<Path> files = PciDumps.files();
        assertTrue(files.size() >= 158, "expected the 158-file corpus in " + PciDumps.root() + ", found " + files.size());
        int devices = 0;
        int withExtended = 0;
        LspciText text = new LspciText(new LspciNames(PciIds.system()));
        for (Path f : files) {
            List<PciDevice> devs = LspciDumpReader.read(f);
            assertFalse(devs.isEmpty(), f.toString());
            List<DecodedDevice> decoded = DeviceDecoder.decodeAll(devs);
            assertEquals(devs.size(), DeviceJson.fromDecoded(decoded).size(), f.toString());
            assertFalse(text.render(decoded, 3).isEmpty());
            devices += devs.size();
            withExtended += (int) decoded.stream().filter(d -> !d.extended().capabilities().isEmpty()).count();
        }
        assertTrue(devices >= 1273, "corpus README promises 1,273 devices, read " + devices);
        assertTrue(withExtended > 100, "the corpus has hundreds of 4096-byte PCIe spaces; saw " + withExtended);
    }
}
