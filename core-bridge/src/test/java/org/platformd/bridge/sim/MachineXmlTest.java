package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.bridge.sim.xml.MachineDescriptionException;
import org.platformd.pci.BusAddress;

/** The machine XML: a real file through the real parser, errors with file:line. */
class MachineXmlTest {
    @TempDir
    Path tmp;

    private Path file(String xml) throws Exception {
        Path f = tmp.resolve("machine.xml");
        Files.writeString(f, xml);
        return f;
    }

    private MachineDescriptionException fails(String xml) throws Exception {
        Path f = file(xml);
        return assertThrows(MachineDescriptionException.class, () -> Machine.load(f).close());
    }

    @Test
    void aFileDescribesItsMachine() throws Exception {
        Path f = file("""
                <machine name="two-edus">
                  <pci>
                    <device model="host-bridge" slot="00.0"/>
                    <device model="edu" slot="04.0" irq="5" dma-mask-bits="32"/>
                    <device model="edu" slot="04.1"/>
                  </pci>
                </machine>
                """);
        try (Machine m = Machine.load(f)) {
            assertEquals("two-edus", m.name());
            assertEquals(3, m.functions().size());
            assertEquals(5, m.function(BusAddress.parse("00:04.0")).orElseThrow().interruptLine());
            try (SimBackend b = new SimBackend(m)) {
                assertEquals(0x80, b.openConfig(BusAddress.parse("00:04.0")).read8(0x0e), "multifunction bit");
                assertEquals(0x00, b.openConfig(BusAddress.parse("00:04.1")).read8(0x0e));
            }
            assertTrue(m.platformDevices().isEmpty());
        }
    }

    @Test
    void errorsNameFileAndLine() throws Exception {
        MachineDescriptionException e = fails("""
                <machine>
                  <pci>
                    <device model="edu" slot="02.0"/>
                    <device model="vga" slot="03.0"/>
                  </pci>
                </machine>
                """);
        assertEquals(4, e.line());
        assertEquals(5, e.column()); // the start tag's '<', as the policy's errors are placed
        assertTrue(e.getMessage().contains("machine.xml:4:5: ") && e.getMessage().contains("'vga'"), e.getMessage());
    }

    /** Found by MachineXmlFuzzTest: refusals said FILE:LINE only; every one now says FILE:LINE:COL. */
    @Test
    void everyKindOfRefusalIsPlacedAtLineAndColumn() throws Exception {
        String[] bad = {
            "<machine><pci><device model='edu' slot='02.0'/></pci>\n  <oops/></machine>", // unknown element
            "<machine><pci>\n<device model='edu' slot='02.0' colour='red'/></pci></machine>", // unknown attribute
            "<machine><pci></pci>\n  text</machine>",                                      // text content
            "<machine><pci>\n  <device model='edu'",                                        // not well-formed
            "",                                                                             // empty
            "<machine><pci><device model='edu' slot='02.1'/></pci></machine>",               // function without .0
        };
        for (String xml : bad) {
            MachineDescriptionException e = fails(xml);
            assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
            assertTrue(e.getMessage().matches("(?s).*machine\\.xml:" + e.line() + ":" + e.column() + ": .+"),
                    e.getMessage());
        }
        byte[] notUtf8 = "<machine name='\u00e9'/>".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        MachineDescriptionException e = assertThrows(MachineDescriptionException.class, () ->
                org.platformd.bridge.sim.xml.MachineDescriptionReader.read(new java.io.ByteArrayInputStream(notUtf8), "m.xml"));
        assertTrue(e.getMessage().matches("(?s)m\\.xml:[1-9][0-9]*:[1-9][0-9]*: .+"), e.getMessage());
    }

    @Test
    void duplicateSlotsUnknownAttributesBadNumbersAreRefused() throws Exception {
        assertTrue(fails("<machine><pci><device model='edu' slot='02.0'/>\n<device model='edu' slot='02.0'/></pci></machine>")
                .getMessage().contains("already used on line 1"));
        assertTrue(fails("<machine><pci><device model='edu' slot='02.0' colour='red'/></pci></machine>")
                .getMessage().contains("'colour'"));
        assertTrue(fails("<machine><pci><device model='edu' slot='20.0'/></pci></machine>")
                .getMessage().contains("slot=\"20.0\""));
        assertTrue(fails("<machine><pci><device model='bochs-display' slot='02.0' vgamem='1M'/></pci></machine>")
                .getMessage().contains("out of range"));
        assertTrue(fails("<machine><pci><device model='edu' slot='02.1'/></pci></machine>")
                .getMessage().contains("function 02.0"));
        assertTrue(fails("<machine><pci/><platform-device model='pit'/><platform-device model='pit' name='pit2'/></machine>")
                .getMessage().contains("already used by 'pit'"));
        assertTrue(fails("<machine/>").getMessage().contains("<pci>"));
        assertTrue(fails("<machine><pci>text</pci></machine>").getMessage().contains("unexpected text"));
    }

    @Test
    void doctypeAndEntitiesAreRefused() throws Exception {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "s3cr3t");
        MachineDescriptionException e = fails("<?xml version=\"1.0\"?>\n<!DOCTYPE machine [<!ENTITY x SYSTEM \"file://"
                + secret + "\">]>\n<machine name=\"&x;\"><pci/></machine>");
        assertTrue(e.getMessage().contains(":2:1: a DOCTYPE is not allowed in a machine description"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cr3t"));
        assertTrue(fails("<machine><pci>").getMessage().endsWith(
                ": the file ends inside <pci> (line 1), which is never closed; is the file cut short?"));
    }

    @Test
    void theBuiltInMachineHasTheDocumentedDevices() {
        try (Machine m = Machine.builtIn()) {
            assertEquals(java.util.List.of("0000:00:00.0 host-bridge", "0000:00:02.0 edu", "0000:00:03.0 pci-bridge",
                    "0000:01:01.0 bochs-display", "0000:01:02.0 pci-bridge", "0000:02:00.0 edu",
                    "pit pit ports 0x40-0x43 irq 0"), m.describe());
        }
    }
}
