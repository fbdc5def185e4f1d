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
 * Files an attacker or an accident might put where the policy belongs, as the loader meets them:
 * a file too large by its size, an endless stream, a directory, a missing file; and that the XML
 * reader's refusals speak of a policy. Each must give one clean error. The reader's own hostile
 * cases (entity bombs, XXE, XInclude, binary and non-UTF-8 bytes, limits) are tested in the xml
 * module ({@code HostileXmlTest}).
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
        org.platformd.xml.XmlLimits limits = PolicyLoader.DEFAULT_LIMITS.withMaxBytes(64 * 1024);
        Problem p = onlyError(new PolicyLoader(limits).load("fifo", in));
        assertEquals(64 * 1024 + 1, in.read);
        assertEquals("fifo:1:1: error: the file is larger than the limit of 65536 bytes for a policy; reading stopped"
                + " there (is this the right file?)", p.toString());
    }

    @Test
    void aDeviceFileWithoutSizeIsReadOnlyUpToTheLimit() {
        Path zero = Path.of("/dev/zero");
        if (!Files.isReadable(zero)) return;
        Problem p = onlyError(new PolicyLoader(PolicyLoader.DEFAULT_LIMITS.withMaxBytes(4096)).load(zero));
        assertTrue(p.message().contains("larger than the limit of 4096 bytes"), p.message());
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
