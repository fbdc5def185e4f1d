// Turns a source's bytes into text, refusing what is not a UTF-8 text file before a parser sees it.
package org.platformd.xml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a source's bytes into text, refusing what is not a UTF-8 text file before a parser sees
 * it. In order: the size limit, an empty file, byte-order marks of UTF-16/32, NUL bytes (a binary
 * file), strict UTF-8 decoding. Decoding here, not in the parser, means the parser sees characters,
 * so an XML declaration cannot switch the encoding. Stateless.
 */
final class SourceBytes {

    /** The text, or the one problem that stopped it. */
    record Decoded(Optional<SourceText> text, Optional<XmlProblem> problem) {}

    private final XmlLimits limits;
    private final DocumentKind kind;

    SourceBytes(XmlLimits limits, DocumentKind kind) {
        this.limits = limits;
        this.kind = kind;
    }

    /**
     * At most the size limit + 1 bytes of {@code in}: one byte more than allowed is enough to know
     * the source is too large, whatever it is (a FIFO, /dev/zero).
     */
    byte[] readBounded(InputStream in) throws IOException {
        return in.readNBytes((int) limits.maxBytes() + 1);
    }

    String tooLargeMessage(long size) {
        return "the file is " + size + " bytes, larger than the limit of " + limits.maxBytes()
                + " bytes for a " + kind.noun() + "; it was not read (is this the right file?)";
    }

    String streamTooLargeMessage() {
        return "the file is larger than the limit of " + limits.maxBytes() + " bytes for a " + kind.noun()
                + "; reading stopped there (is this the right file?)";
    }

    Decoded decode(String source, byte[] content) {
        XmlLocation start = new XmlLocation(source, 1, 1);
        if (content.length > limits.maxBytes()) {
            return failed(start, tooLargeMessage(content.length));
        }
        if (content.length == 0) {
            return failed(start, "the file is empty; a " + kind.noun() + " needs at least <" + kind.root() + "/>");
        }
        Optional<String> encodingProblem = byteOrderMark(content);
        if (encodingProblem.isPresent()) {
            return failed(start, encodingProblem.get());
        }
        int offset = hasUtf8Bom(content) ? 3 : 0;
        for (int i = offset; i < content.length; i++) {
            if (content[i] == 0) {
                return failed(start, "this is a binary file, not a " + kind.noun() + " (NUL byte at byte offset " + i
                        + "); a " + kind.noun() + " is a UTF-8 XML text file");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content, offset, content.length - offset);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult cr = decoder.decode(in, out, true);
        if (cr.isError()) {
            int bad = in.position();
            out.flip();
            XmlLocation at = new SourceText(source, out.toString()).locate(out.length());
            return new Decoded(Optional.empty(), Optional.of(new XmlProblem(at, String.format(
                    "the file is not UTF-8: byte 0x%02x at byte offset %d cannot start or continue a UTF-8 character"
                            + " (save the %s as UTF-8)", content[bad] & 0xff, bad, kind.noun()))));
        }
        decoder.flush(out);
        out.flip();
        return new Decoded(Optional.of(new SourceText(source, out.toString())), Optional.empty());
    }

    private static Decoded failed(XmlLocation at, String message) {
        return new Decoded(Optional.empty(), Optional.of(new XmlProblem(at, message)));
    }

    private static boolean hasUtf8Bom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf;
    }

    private Optional<String> byteOrderMark(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b.length > 1 ? b[1] & 0xff : -1;
        if (b.length >= 4 && b0 == 0 && b1 == 0 && (b[2] & 0xff) == 0xfe && (b[3] & 0xff) == 0xff
                || b.length >= 4 && b0 == 0xff && b1 == 0xfe && b[2] == 0 && b[3] == 0) {
            return Optional.of("the file is UTF-32; save the " + kind.noun() + " as UTF-8");
        }
        if (b0 == 0xfe && b1 == 0xff || b0 == 0xff && b1 == 0xfe) {
            return Optional.of("the file is UTF-16; save the " + kind.noun() + " as UTF-8");
        }
        return Optional.empty();
    }
}
