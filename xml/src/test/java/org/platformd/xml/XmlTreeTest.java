// The tree SafeXmlReader builds: names, attributes, children, and the line and column of each.
package org.platformd.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tree a well-formed source becomes, and where each element and attribute is placed. */
class XmlTreeTest {

    private static XmlElement root(String xml) throws XmlException {
        return HostileXmlTest.read(xml).orThrow();
    }

    @Test
    void elementsAttributesAndChildrenInTheOrderWritten() throws XmlException {
        XmlElement r = root("<catalog>\n  <item name=\"a\" size=\"1\"/>\n  <!-- a comment -->\n  <group><item/></group>\n</catalog>");
        assertEquals("catalog", r.name());
        assertEquals(List.of("item", "group"), r.children().stream().map(XmlElement::name).toList());
        XmlElement item = r.children().get(0);
        assertEquals(List.of("name", "size"), item.attributes().stream().map(XmlAttribute::name).toList());
        assertEquals(Optional.of("1"), item.value("size"));
        assertEquals(Optional.empty(), item.value("colour"));
        assertEquals(1, r.children().get(1).children().size());
    }

    @Test
    void elementsArePlacedAtTheirLessThanAndAttributesAtTheirName() throws XmlException {
        XmlElement r = root("<catalog>\r\n  <item\n     name=\"a\"   size='x name=y'/>\r<item/></catalog>");
        assertEquals(new XmlLocation("t.xml", 1, 1), r.location());
        XmlElement item = r.children().get(0);
        assertEquals(new XmlLocation("t.xml", 2, 3), item.location());
        assertEquals("t.xml:3:6", item.attribute("name").orElseThrow().location().toString());
        assertEquals("t.xml:3:17", item.attribute("size").orElseThrow().location().toString(),
                "a lookalike inside another value is skipped");
        assertEquals("t.xml:4:1", r.children().get(1).location().toString(), "a lone CR ends a line as XML counts it");
    }

    @Test
    void referencesInValuesAreResolvedAndNonAsciiTextWithABomIsFine() throws XmlException {
        byte[] text = "<catalog><item name=\"caf\u00e9 &amp; &#x2192;\"/></catalog>".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(text, 0, withBom, 3, text.length);
        XmlElement r = HostileXmlTest.READER.read("b", withBom).orThrow();
        assertEquals(Optional.of("caf\u00e9 & \u2192"), r.children().get(0).value("name"));
    }

    @Test
    void schemaLocationForEditorsIsDroppedOnTheRootOnly() throws XmlException {
        XmlElement r = root("<catalog xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                + " xsi:noNamespaceSchemaLocation=\"catalog.xsd\"/>");
        assertTrue(r.attributes().isEmpty());
    }

    @Test
    void orThrowGivesEveryProblemWithTheFirstInTheMessage() {
        XmlException e = assertThrows(XmlException.class, () -> root("<catalog><?a?>\n<?b?></catalog>"));
        assertEquals("t.xml:1:10: processing instruction <?a ...?> is not allowed in a catalog", e.getMessage());
        assertEquals(new XmlLocation("t.xml", 1, 10), e.problem().location());
        assertEquals(2, e.problems().size());
    }

    @Test
    void theTreeIsImmutable() throws XmlException {
        XmlElement r = root("<catalog><item a=\"1\"/></catalog>");
        assertThrows(UnsupportedOperationException.class, () -> r.children().clear());
        assertThrows(UnsupportedOperationException.class, () -> r.children().get(0).attributes().clear());
    }
}
