package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files an attacker or an accident might put where the policy belongs. Each must give one
 * clean error, without expanding entities, fetching anything, or reading more than the size
 * limit.
 */
class HostileFilesTest {

    @TempDir
    Path dir;

    private static Problem onlyError(LoadResult r) {
        LoadResult.Rejected rejected = assertInstanceOf(LoadResult.Rejected.class, r);
        assertEquals(1, rejected.problems().size(), () -> PolicyText.lines(rejected.problems()));
        return rejected.problems().get(0);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void externalEntityIsRefusedAndTheSecretNeverAppears() throws IOException {
        Path secret = write("secret.txt", "TOP-SECRET-42");
        Path xxe = write("xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE config [\n  <!ENTITY xxe SYSTEM \""
                + secret.toUri() + "\">\n]>\n<config><policy label=\"&xxe;\"><device name=\"pit\"/></policy></config>\n");
        Problem p = onlyError(new PolicyLoader().load(xxe));
        assertEquals(xxe + ":2:1: error: a DOCTYPE is not allowed in a policy (no DTDs, no entity declarations); remove"
                + " the <!DOCTYPE ...> declaration. The file was not read further.", p.toString());
        assertFalse(p.message().contains("TOP-SECRET"));
    }

    @Test
    void externalDtdIsNotFetched() throws IOException {
        Path xml = write("ext.xml", "<!DOCTYPE config SYSTEM \"http://192.0.2.1/policy.dtd\">\n<config/>\n");
        assertTrue(onlyError(new PolicyLoader().load(xml)).message().startsWith("a DOCTYPE is not allowed"));
    }

    @Test
    void billionLaughsIsRefusedBeforeAnyExpansion() throws IOException {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE config [\n <!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            sb.append(" <!ENTITY lol").append(i).append(" \"");
            sb.append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
        }
        sb.append("]>\n<config><policy label=\"&lol9;\"><device name=\"pit\"/></policy></config>\n");
        Problem p = onlyError(new PolicyLoader().load(write("lol.xml", sb.toString())));
        assertEquals(2, p.location().line());
        assertTrue(p.message().startsWith("a DOCTYPE is not allowed"));
    }

    @Test
    void undeclaredEntityIsAnErrorNotAnExpansion() {
        List<Problem> problems = PolicyText.rejected("<config><policy label=\"&ext;\"/></config>");
        assertTrue(problems.get(0).message().contains("The entity \"ext\" was referenced, but not declared"),
                problems.get(0).message());
    }

    @Test
    void xincludeIsRefused() {
        List<Problem> problems = PolicyText.rejected("<config xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
                + "  <xi:include href=\"/etc/passwd\" parse=\"text\"/>\n</config>");
        assertEquals("test.xml:2:3: error: <xi:include>: XInclude is not supported; a policy is one self-contained file",
                problems.get(0).toString());
    }

    @Test
    void hundredMegabyteFileIsRefusedFromItsSizeWithoutBeingRead() throws IOException {
        Path big = dir.resolve("big.xml");
        byte[] chunk = "<policy label=\"x\"><device name=\"pit\"/></policy>\n".repeat(20_000)
                .getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write("<config>\n".getBytes(StandardCharsets.UTF_8));
            long written = 0;
            while (written < 100L << 20) {
                out.write(chunk);
                written += chunk.length;
            }
            out.write("</config>\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.size(big) > 100L << 20);
        Problem p = onlyError(new PolicyLoader().load(big));
        assertEquals(big + ":1:1: error: the file is " + Files.size(big) + " bytes, larger than the limit of 1048576"
                + " bytes for a policy; it was not read (is this the right file?)", p.toString());
    }

    /** Counts what the loader pulls from a stream, to prove it stops at the limit. */
    private static final class CountingStream extends FilterInputStream {
        long read;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) read++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) read += n;
            return n;
        }
    }

    /** An endless stream of policy text, like a FIFO someone pointed the daemon at. */
    private static final class EndlessPolicy extends InputStream {
        private final byte[] unit = "<policy label=\"x\"/>\n".getBytes(StandardCharsets.US_ASCII);
        private long pos;

        @Override
        public int read() {
            return unit[(int) (pos++ % unit.length)];
        }
    }

    @Test
    void aStreamIsReadNoFurtherThanTheLimit() {
        CountingStream in = new CountingStream(new EndlessPolicy());
        ParseLimits limits = ParseLimits.DEFAULT.withMaxBytes(64 * 1024);
        Problem p = onlyError(new PolicyLoader(limits).load("fifo", in));
        assertEquals(64 * 1024 + 1, in.read);
        assertEquals("fifo:1:1: error: the file is larger than the limit of 65536 bytes for a policy; reading stopped"
                + " there (is this the right file?)", p.toString());
    }

    @Test
    void aDeviceFileWithoutSizeIsReadOnlyUpToTheLimit() {
        Path zero = Path.of("/dev/zero");
        if (!Files.isReadable(zero)) return;
        Problem p = onlyError(new PolicyLoader(ParseLimits.DEFAULT.withMaxBytes(4096)).load(zero));
        assertTrue(p.message().contains("larger than the limit of 4096 bytes"), p.message());
    }

    @Test
    void binaryFileIsRefused() throws IOException {
        Path bin = dir.resolve("policy.bin");
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + 7);
        bytes[0] = 0x7f;
        bytes[1] = 'E';
        bytes[2] = 'L';
        bytes[3] = 'F';
        bytes[4] = 0;
        Files.write(bin, bytes);
        assertEquals(bin + ":1:1: error: this is a binary file, not a policy (NUL byte at byte offset 4); a policy is a"
                + " UTF-8 XML text file", onlyError(new PolicyLoader().load(bin)).toString());
    }

    @Test
    void nonUtf8TextIsRefusedWithWhereTheBadByteIs() throws IOException {
        Path latin1 = dir.resolve("latin1.xml");
        Files.write(latin1, "<config>\n  <policy label=\"caf\u00e9\"/>\n</config>\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + ":2:21: error: the file is not UTF-8: byte 0xe9 at byte offset 29 cannot start or continue"
                + " a UTF-8 character (save the policy as UTF-8)", onlyError(new PolicyLoader().load(latin1)).toString());
    }

    @Test
    void utf16IsRefused() {
        byte[] utf16 = "<config/>".getBytes(StandardCharsets.UTF_16);
        assertEquals("x.xml:1:1: error: the file is UTF-16; save the policy as UTF-8",
                onlyError(new PolicyLoader().parse("x.xml", utf16)).toString());
    }

    @Test
    void utf8WithBomAndNonAsciiLabelsAreFine() {
        byte[] text = "<config><policy label=\"caf\u00e9 \u2192 fb\"><device name=\"pit\"/></policy></config>"
                .getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(text, 0, withBom, 3, text.length);
        LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, new PolicyLoader().parse("x.xml", withBom));
        assertInstanceOf(Match.Matched.class, loaded.policy().match("caf\u00e9 \u2192 fb"));
    }

    @Test
    void declaredNonUtf8EncodingIsRefused() {
        assertEquals("test.xml:1:1: error: the XML declaration says encoding=\"ISO-8859-1\"; a policy must be UTF-8"
                + " (change the declaration and save the file as UTF-8)",
                PolicyText.rejected("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><config/>").get(0).toString());
    }

    @Test
    void emptyFileAndDirectoryAndMissingFile() throws IOException {
        assertEquals("e.xml:1:1: error: the file is empty; a policy needs at least <config/>",
                onlyError(new PolicyLoader().parse("e.xml", new byte[0])).toString());
        assertEquals(dir + ":1:1: error: is a directory, not a policy file", onlyError(new PolicyLoader().load(dir)).toString());
        Path missing = dir.resolve("missing.xml");
        assertEquals(missing + ":1:1: error: no such file", onlyError(new PolicyLoader().load(missing)).toString());
    }

    @Test
    void nestingDepthIsBounded() {
        String deep = "<config>" + "<policy>".repeat(20) + "</policy>".repeat(20) + "</config>";
        Problem p = onlyError(PolicyText.load(deep));
        assertEquals("test.xml:1:129: error: elements nested deeper than 16 levels; a policy needs three (<config>,"
                + " <policy>, <device>). The file was not read further.", p.toString());
    }

    @Test
    void elementCountIsBounded() {
        String many = "<config><policy label=\"a\">" + "<device name=\"pit\"/>".repeat(50) + "</policy></config>";
        Problem p = onlyError(new PolicyLoader(ParseLimits.DEFAULT.withMaxElements(10))
                .parse("m.xml", many.getBytes(StandardCharsets.UTF_8)));
        assertEquals("m.xml:1:187: error: more than 10 elements in one policy file; the file was not read further",
                p.toString());
    }

    @Test
    void attributeLengthIsBounded() {
        char[] label = new char[5000];
        Arrays.fill(label, 'a');
        Problem p = onlyError(PolicyText.load("<config><policy label=\"" + new String(label) + "\"/></config>"));
        assertEquals("test.xml:1:17: error: attribute label is 5000 characters long, longer than the limit of 4096",
                p.toString());
    }

    @Test
    void processingInstructionsAndForeignNamespacesAreRefused() {
        List<Problem> problems = PolicyText.rejected("<config xmlns:x=\"urn:x\"><?evil cmd?><x:policy/>"
                + "<default-policy x:info=\"yes\"/></config>");
        assertEquals(List.of(
                "test.xml:1:25: error: processing instruction <?evil ...?> is not allowed in a policy",
                "test.xml:1:37: error: <x:policy> is in XML namespace \"urn:x\"; policy elements have no namespace",
                "test.xml:1:64: error: attribute x:info is in XML namespace \"urn:x\"; policy attributes have no namespace"),
                problems.stream().map(Problem::toString).toList());
    }

    @Test
    void schemaLocationForEditorsIsAllowedOnTheRoot() {
        assertInstanceOf(LoadResult.Loaded.class, PolicyText.load("<config xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                + " xsi:noNamespaceSchemaLocation=\"platformd-policy.xsd\"><default-policy/></config>"));
    }

    @Test
    void rejectedBytesAreNeverPassedToTheParserWhenTooLarge() {
        byte[] justOver = new byte[(1 << 20) + 1];
        Arrays.fill(justOver, (byte) ' ');
        InputStream in = new ByteArrayInputStream(justOver);
        assertTrue(onlyError(new PolicyLoader().load("s", in)).message().contains("larger than the limit"));
    }
}
