// Hostile and broken sources: each gives one clean problem, without expanding, fetching or over-reading anything.
package org.platformd.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources an attacker or an accident might hand the reader: entity bombs, external entities and
 * DTDs, XInclude, oversized, endless, binary and non-UTF-8 input, deep nesting, too many elements,
 * long attributes, malformed XML. Each must give a clean problem at SOURCE:LINE:COLUMN, worded with
 * the {@link DocumentKind}, without expanding an entity, fetching anything or reading past the limit.
 */
class HostileXmlTest {

    static final DocumentKind KIND = new DocumentKind("catalog", "catalog",
            "a catalog needs two (<catalog>, <item>)");
    static final XmlLimits LIMITS = new XmlLimits(1L << 20, 16, 100_000, 4096);
    static final SafeXmlReader READER = new SafeXmlReader(KIND, LIMITS);

    @TempDir
    Path dir;

    static SafeXmlReader.Result read(String xml) {
        return READER.read("t.xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    /** The one problem of a source that yields no tree, as SOURCE:LINE:COLUMN: message. */
    static String onlyProblem(SafeXmlReader.Result r) {
        assertTrue(r.root().isEmpty(), "a tree was built");
        assertEquals(1, r.problems().size(), r.problems()::toString);
        return r.problems().get(0).toString();
    }

    @Test
    void externalEntityIsRefusedAndTheSecretNeverAppears() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET-42");
        String problem = onlyProblem(read("<?xml version=\"1.0\"?>\n<!DOCTYPE catalog [\n  <!ENTITY xxe SYSTEM \""
                + secret.toUri() + "\">\n]>\n<catalog><item name=\"&xxe;\"/></catalog>\n"));
        assertEquals("t.xml:2:1: a DOCTYPE is not allowed in a catalog (no DTDs, no entity declarations);"
                + " remove the <!DOCTYPE ...> declaration. The file was not read further.", problem);
        assertFalse(problem.contains("TOP-SECRET"));
    }

    @Test
    void externalDtdIsNotFetched() {
        assertTrue(onlyProblem(read("<!DOCTYPE catalog SYSTEM \"http://192.0.2.1/s.dtd\">\n<catalog/>\n"))
                .startsWith("t.xml:1:1: a DOCTYPE is not allowed"));
    }

    @Test
    void billionLaughsIsRefusedBeforeAnyExpansion() {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE catalog [\n <!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            sb.append(" <!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
        }
        sb.append("]>\n<catalog><item name=\"&lol9;\"/></catalog>\n");
        assertTrue(onlyProblem(read(sb.toString())).startsWith("t.xml:2:1: a DOCTYPE is not allowed"));
    }

    @Test
    void undeclaredEntityIsAnErrorNotAnExpansion() {
        String problem = onlyProblem(read("<catalog><item name=\"&ext;\"/></catalog>"));
        assertTrue(problem.contains("The entity \"ext\" was referenced, but not declared")
                && problem.endsWith("(a catalog cannot declare entities; write the text out)"), problem);
    }

    @Test
    void xincludeIsRefused() {
        SafeXmlReader.Result r = read("<catalog xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
                + "  <xi:include href=\"/etc/passwd\" parse=\"text\"/>\n</catalog>");
        assertEquals(List.of("t.xml:2:3: <xi:include>: XInclude is not supported; a catalog is one"
                + " self-contained file"), r.problems().stream().map(XmlProblem::toString).toList());
    }

    @Test
    void oversizedContentIsRefusedBeforeParsing() {
        byte[] justOver = new byte[(1 << 20) + 1];
        Arrays.fill(justOver, (byte) ' ');
        assertEquals("big:1:1: the file is 1048577 bytes, larger than the limit of 1048576 bytes for a catalog;"
                + " it was not read (is this the right file?)", onlyProblem(READER.read("big", justOver)));
        assertEquals("the file is 5 bytes, larger than the limit of 1048576 bytes for a catalog; it was not"
                + " read (is this the right file?)", READER.tooLargeMessage(5));
    }

    /** An endless stream, like a FIFO or /dev/zero, counting what was taken from it. */
    private static final class Endless extends InputStream {
        private final byte[] unit = "<item name=\"x\"/>\n".getBytes(StandardCharsets.US_ASCII);
        long read;

        @Override
        public int read() {
            return unit[(int) (read++ % unit.length)];
        }
    }

    @Test
    void anEndlessStreamIsReadNoFurtherThanTheLimit() throws IOException {
        Endless in = new Endless();
        SafeXmlReader small = new SafeXmlReader(KIND, new XmlLimits(64 * 1024, 16, 100_000, 4096));
        assertEquals("fifo:1:1: the file is larger than the limit of 65536 bytes for a catalog; reading"
                + " stopped there (is this the right file?)", onlyProblem(small.read("fifo", in)));
        assertEquals(64 * 1024 + 1, in.read);
    }

    @Test
    void binaryContentIsRefused() {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + 7);
        bytes[0] = 0x7f;
        bytes[1] = 'E';
        bytes[2] = 'L';
        bytes[3] = 'F';
        bytes[4] = 0;
        assertEquals("b:1:1: this is a binary file, not a catalog (NUL byte at byte offset 4); a catalog"
                + " is a UTF-8 XML text file", onlyProblem(READER.read("b", bytes)));
    }

    @Test
    void nonUtf8TextIsPlacedWhereTheBadByteIs() {
        byte[] latin1 = "<catalog>\n  <item name=\"caf\u00e9\"/>\n</catalog>\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("l:2:18: the file is not UTF-8: byte 0xe9 at byte offset 27 cannot start or continue a UTF-8"
                + " character (save the catalog as UTF-8)", onlyProblem(READER.read("l", latin1)));
    }

    @Test
    void utf16AndUtf32AreRefused() {
        assertEquals("x:1:1: the file is UTF-16; save the catalog as UTF-8",
                onlyProblem(READER.read("x", "<catalog/>".getBytes(StandardCharsets.UTF_16))));
        byte[] utf32 = {0, 0, (byte) 0xfe, (byte) 0xff, 0, 0, 0, '<'};
        assertEquals("x:1:1: the file is UTF-32; save the catalog as UTF-8", onlyProblem(READER.read("x", utf32)));
    }

    @Test
    void declaredNonUtf8EncodingIsRefused() {
        assertEquals(List.of("t.xml:1:1: the XML declaration says encoding=\"ISO-8859-1\"; a catalog must be"
                + " UTF-8 (change the declaration and save the file as UTF-8)"),
                read("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><catalog/>").problems().stream()
                        .map(XmlProblem::toString).toList());
    }

    @Test
    void emptyAndBlankSources() {
        assertEquals("e:1:1: the file is empty; a catalog needs at least <catalog/>",
                onlyProblem(READER.read("e", new byte[0])));
        assertTrue(onlyProblem(read("  \n")).startsWith("t.xml:"), "whitespace alone is malformed");
    }

    @Test
    void nestingDepthIsBounded() {
        String deep = "<catalog>" + "<item>".repeat(20) + "</item>".repeat(20) + "</catalog>";
        assertEquals("t.xml:1:100: elements nested deeper than 16 levels; a catalog needs two (<catalog>, <item>)."
                + " The file was not read further.", onlyProblem(read(deep)));
    }

    @Test
    void aThousandLevelsStopAtTheLimitToo() {
        String deep = "<catalog>" + "<item>".repeat(1000) + "</item>".repeat(1000) + "</catalog>";
        assertTrue(onlyProblem(read(deep)).contains("nested deeper than 16 levels"));
    }

    @Test
    void elementCountIsBounded() {
        String many = "<catalog><group>" + "<item name=\"pit\"/>".repeat(50) + "</group></catalog>";
        SafeXmlReader reader = new SafeXmlReader(KIND, new XmlLimits(1L << 20, 16, 10, 4096));
        assertEquals("m:1:161: more than 10 elements in one catalog file; the file was not read further",
                onlyProblem(reader.read("m", many.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void attributeLengthIsBounded() {
        String problem = read("<catalog><item name=\"" + "a".repeat(5000) + "\"/></catalog>").problems().get(0).toString();
        assertEquals("t.xml:1:16: attribute name is 5000 characters long, longer than the limit of 4096", problem);
    }

    @Test
    void processingInstructionsForeignNamespacesTextAndEntityUseAreAllReported() {
        SafeXmlReader.Result r = read("<catalog xmlns:x=\"urn:x\"><?evil cmd?><x:item/>\n"
                + "<item x:info=\"yes\"/> stray </catalog>");
        assertEquals(List.of(
                "t.xml:1:26: processing instruction <?evil ...?> is not allowed in a catalog",
                "t.xml:1:38: <x:item> is in XML namespace \"urn:x\"; catalog elements have no namespace",
                "t.xml:2:7: attribute x:info is in XML namespace \"urn:x\"; catalog attributes have no namespace",
                "t.xml:2:22: unexpected text \"stray\" inside <catalog>; a catalog holds only elements and"
                        + " attributes (comments go in <!-- -->)"),
                r.problems().stream().map(XmlProblem::toString).toList());
        assertTrue(r.root().isPresent(), "problems that do not stop reading still give the tree");
    }

    @Test
    void malformedXmlStopsReadingWithThePlace() {
        assertTrue(onlyProblem(read("<catalog>\n  <item>")).endsWith(": the file ends inside <item> (line 2), which is"
                + " never closed; is the file cut short?"), () -> onlyProblem(read("<catalog>\n  <item>")));
        assertTrue(onlyProblem(read("<catalog><item></catalog>")).startsWith("t.xml:1:18: malformed XML: The element type \"item\" must be terminated"),
                () -> onlyProblem(read("<catalog><item></catalog>")));
        assertEquals("t.xml:1:29: attribute a appears twice on <item>",
                onlyProblem(read("<catalog><item a=\"1\" a=\"2\"/></catalog>")));
    }
}
