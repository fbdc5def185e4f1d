// Reads a policy file into XmlElements with line and column for every element and attribute.
package org.platformd.policy.xml;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.platformd.policy.ParseLimits;
import org.platformd.policy.Problem;
import org.platformd.policy.SourceLocation;

/**
 * Reads a policy file into {@link XmlElement}s with line and column for every element and
 * attribute, and refuses anything a policy file has no business containing.
 *
 * <p>Hardening, in the order it happens: size limit (callers check the file size before
 * reading; this checks the bytes again); NUL bytes (a binary file) and byte-order marks of
 * UTF-16/32; strict UTF-8 decoding (the parser then sees characters, so an XML declaration
 * cannot switch the encoding); the JDK's StAX parser with DTD support off, external entities
 * off and no external access at all; a DOCTYPE stops reading at once (so neither an
 * external entity nor an internal entity bomb is ever expanded); nesting depth and element
 * count bounded while streaming; namespaced elements (XInclude among them), processing
 * instructions and stray text are reported. Well-formedness errors stop reading; the other
 * problems are collected so the admin sees them all at once.
 */
public final class SafeXmlReader {

    /** What reading produced: a root element when the file was well-formed, and the problems found. */
    public record Result(Optional<XmlElement> root, List<Problem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
    private static final String XINCLUDE = "http://www.w3.org/2001/XInclude";

    private final ParseLimits limits;

    public SafeXmlReader(ParseLimits limits) {
        this.limits = limits;
    }

    public Result read(String file, byte[] content) {
        SourceLocation start = new SourceLocation(file, 1, 1);
        if (content.length > limits.maxBytes()) {
            return failed(Problem.error(start, tooLargeMessage(content.length, limits.maxBytes())));
        }
        if (content.length == 0) {
            return failed(Problem.error(start, "the file is empty; a policy needs at least <config/>"));
        }
        Optional<String> encodingProblem = byteOrderMark(content);
        if (encodingProblem.isPresent()) {
            return failed(Problem.error(start, encodingProblem.get()));
        }
        int offset = hasUtf8Bom(content) ? 3 : 0;
        for (int i = offset; i < content.length; i++) {
            if (content[i] == 0) {
                return failed(Problem.error(start, "this is a binary file, not a policy (NUL byte at byte offset " + i
                        + "); a policy is a UTF-8 XML text file"));
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
            SourceLocation at = new SourceText(file, out.toString()).locate(out.length());
            return failed(Problem.error(at, String.format(
                    "the file is not UTF-8: byte 0x%02x at byte offset %d cannot start or continue a UTF-8 character"
                            + " (save the policy as UTF-8)", content[bad] & 0xff, bad)));
        }
        decoder.flush(out);
        out.flip();
        return parse(new SourceText(file, out.toString()));
    }

    public static String tooLargeMessage(long size, long max) {
        return "the file is " + size + " bytes, larger than the limit of " + max
                + " bytes for a policy; it was not read (is this the right file?)";
    }

    private static Result failed(Problem p) {
        return new Result(Optional.empty(), List.of(p));
    }

    private static boolean hasUtf8Bom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf;
    }

    private static Optional<String> byteOrderMark(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b.length > 1 ? b[1] & 0xff : -1;
        if (b.length >= 4 && b0 == 0 && b1 == 0 && (b[2] & 0xff) == 0xfe && (b[3] & 0xff) == 0xff
                || b.length >= 4 && b0 == 0xff && b1 == 0xfe && b[2] == 0 && b[3] == 0) {
            return Optional.of("the file is UTF-32; save the policy as UTF-8");
        }
        if (b0 == 0xfe && b1 == 0xff || b0 == 0xff && b1 == 0xfe) {
            return Optional.of("the file is UTF-16; save the policy as UTF-8");
        }
        return Optional.empty();
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXMLResolver((publicId, systemId, base, ns) -> {
            throw new XMLStreamException("external resources are not allowed: " + systemId);
        });
        return f;
    }

    /** A start tag being built: its children arrive before its end tag. */
    private record Open(String name, SourceLocation location, List<XmlAttribute> attributes, List<XmlElement> children) {}

    private Result parse(SourceText src) {
        List<Problem> problems = new ArrayList<>();
        Deque<Open> open = new ArrayDeque<>();
        XmlElement root = null;
        int elements = 0;
        int skipDepth = 0; // > 0 while inside an element we reported and do not keep
        XMLStreamReader r = null;
        try {
            r = factory().createXMLStreamReader(new StringReader(src.text()));
            String declared = r.getCharacterEncodingScheme();
            if (declared != null && !declared.equalsIgnoreCase("UTF-8") && !declared.equalsIgnoreCase("UTF8")) {
                problems.add(Problem.error(src.locate(0), "the XML declaration says encoding=\"" + declared
                        + "\"; a policy must be UTF-8 (change the declaration and save the file as UTF-8)"));
            }
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> {
                        problems.add(Problem.error(locationOf(src, r, "<!DOCTYPE"),
                                "a DOCTYPE is not allowed in a policy (no DTDs, no entity declarations); remove the"
                                        + " <!DOCTYPE ...> declaration. The file was not read further."));
                        return new Result(Optional.empty(), problems);
                    }
                    case XMLStreamConstants.START_ELEMENT -> {
                        elements++;
                        int depth = open.size() + skipDepth + 1;
                        int endOfTag = endOffset(src, r);
                        int startOfTag = src.text().lastIndexOf('<', Math.max(0, endOfTag - 1));
                        SourceLocation at = src.locate(Math.max(0, startOfTag));
                        String qname = qname(r.getPrefix(), r.getLocalName());
                        if (elements > limits.maxElements()) {
                            problems.add(Problem.error(at, "more than " + limits.maxElements()
                                    + " elements in one policy file; the file was not read further"));
                            return new Result(Optional.empty(), problems);
                        }
                        if (depth > limits.maxDepth()) {
                            problems.add(Problem.error(at, "elements nested deeper than " + limits.maxDepth()
                                    + " levels; a policy needs three (<config>, <policy>, <device>). The file was not read further."));
                            return new Result(Optional.empty(), problems);
                        }
                        if (skipDepth > 0) {
                            skipDepth++;
                            continue;
                        }
                        String ns = r.getNamespaceURI();
                        if (ns != null && !ns.isEmpty()) {
                            problems.add(Problem.error(at, XINCLUDE.equals(ns)
                                    ? "<" + qname + ">: XInclude is not supported; a policy is one self-contained file"
                                    : "<" + qname + "> is in XML namespace \"" + ns
                                            + "\"; policy elements have no namespace"));
                            skipDepth = 1;
                            continue;
                        }
                        List<XmlAttribute> attributes = attributes(src, r, startOfTag, endOfTag, open.isEmpty(), problems);
                        open.push(new Open(r.getLocalName(), at, attributes, new ArrayList<>()));
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (skipDepth > 0) {
                            skipDepth--;
                            continue;
                        }
                        Open o = open.pop();
                        XmlElement e = new XmlElement(o.name(), o.location(), o.attributes(), o.children());
                        if (open.isEmpty()) root = e;
                        else open.peek().children().add(e);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (skipDepth == 0 && !r.isWhiteSpace() && !r.getText().isBlank()) {
                            String text = r.getText().strip();
                            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
                            String where = open.isEmpty() ? "outside <config>" : "inside <" + open.peek().name() + ">";
                            int textStart = Math.max(0, src.text().indexOf(text.substring(0, Math.min(8, text.length())),
                                    open.isEmpty() ? 0 : offsetOf(src, open.peek().location())));
                            problems.add(Problem.error(src.locate(textStart), "unexpected text \"" + shown + "\" " + where
                                    + "; a policy holds only elements and attributes (comments go in <!-- -->)"));
                        }
                    }
                    case XMLStreamConstants.PROCESSING_INSTRUCTION -> problems.add(Problem.error(
                            locationOf(src, r, "<?"), "processing instruction <?" + r.getPITarget()
                                    + " ...?> is not allowed in a policy"));
                    case XMLStreamConstants.ENTITY_REFERENCE -> problems.add(Problem.error(
                            locationOf(src, r, "&"), "entity reference &" + r.getLocalName() + "; is not allowed"));
                    default -> {
                        // comments, whitespace, document start/end: nothing to keep
                    }
                }
            }
        } catch (XMLStreamException e) {
            String message = cleanParserMessage(e);
            if (!open.isEmpty() && message.contains("must start and end within the same entity")) {
                message = "the file ends inside <" + open.peek().name() + "> (line " + open.peek().location().line()
                        + "), which is never closed; is the file cut short?";
            }
            problems.add(Problem.error(locationOf(src, e.getLocation()), message));
            return new Result(Optional.empty(), problems);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // closing a reader over a String cannot fail in a way that matters here
                }
            }
        }
        return new Result(Optional.ofNullable(root), problems);
    }

    private static int offsetOf(SourceText src, SourceLocation at) {
        return src.offset(at.line(), at.column());
    }

    private static int endOffset(SourceText src, XMLStreamReader r) {
        Location l = r.getLocation();
        return src.offset(l.getLineNumber(), l.getColumnNumber());
    }

    /** The start of the construct the parser just reported, found backwards from where it stopped. */
    private static SourceLocation locationOf(SourceText src, XMLStreamReader r, String opener) {
        int end = endOffset(src, r);
        int start = src.text().lastIndexOf(opener, Math.max(0, end - 1));
        return src.locate(start < 0 ? end : start);
    }

    private static SourceLocation locationOf(SourceText src, Location l) {
        if (l == null || l.getLineNumber() < 1) return src.locate(0);
        return src.at(l.getLineNumber(), Math.max(1, l.getColumnNumber()));
    }

    private static String qname(String prefix, String local) {
        return prefix == null || prefix.isEmpty() ? local : prefix + ":" + local;
    }

    /**
     * The attributes with the position of each name, found by scanning the start tag's own
     * text (a '<' cannot occur inside a start tag, so the tag is the text from the last '<'
     * before the parser's position).
     */
    private List<XmlAttribute> attributes(SourceText src, XMLStreamReader r, int startOfTag, int endOfTag,
                                          boolean isRoot, List<Problem> problems) {
        String tag = src.text().substring(Math.max(0, startOfTag), Math.max(startOfTag, endOfTag));
        List<XmlAttribute> out = new ArrayList<>(r.getAttributeCount());
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String prefix = r.getAttributePrefix(i);
            String local = r.getAttributeLocalName(i);
            String qname = qname(prefix, local);
            SourceLocation at = src.locate(startOfTag + nameOffset(tag, qname));
            String ns = r.getAttributeNamespace(i);
            if (ns != null && !ns.isEmpty()) {
                if (isRoot && XSI.equals(ns) && (local.equals("noNamespaceSchemaLocation") || local.equals("schemaLocation"))) {
                    continue; // lets XSD-aware editors find the schema; meaningless to platformd
                }
                problems.add(Problem.error(at, "attribute " + qname + " is in XML namespace \"" + ns
                        + "\"; policy attributes have no namespace"));
                continue;
            }
            String value = r.getAttributeValue(i);
            if (value.length() > limits.maxAttributeLength()) {
                problems.add(Problem.error(at, "attribute " + qname + " is " + value.length()
                        + " characters long, longer than the limit of " + limits.maxAttributeLength()));
                continue;
            }
            out.add(new XmlAttribute(local, value, at));
        }
        return out;
    }

    /** Offset of an attribute name in a start tag, skipping quoted values; 0 when not found. */
    static int nameOffset(String tag, String name) {
        int i = 1;
        while (i < tag.length() && !isSpace(tag.charAt(i)) && tag.charAt(i) != '>' && tag.charAt(i) != '/') i++;
        while (i < tag.length()) {
            while (i < tag.length() && isSpace(tag.charAt(i))) i++;
            int nameStart = i;
            while (i < tag.length() && tag.charAt(i) != '=' && !isSpace(tag.charAt(i)) && tag.charAt(i) != '>') i++;
            if (tag.substring(nameStart, i).equals(name)) return nameStart;
            while (i < tag.length() && tag.charAt(i) != '"' && tag.charAt(i) != '\'') {
                if (tag.charAt(i) == '>') return 0;
                i++;
            }
            if (i >= tag.length()) return 0;
            char quote = tag.charAt(i++);
            while (i < tag.length() && tag.charAt(i) != quote) i++;
            i++;
        }
        return 0;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Xerces's "ParseError at [row,col]:[3,5]\nMessage: ..." reduced to the message. */
    static String cleanParserMessage(XMLStreamException e) {
        String m = e.getMessage() == null ? "malformed XML" : e.getMessage();
        int i = m.indexOf("Message: ");
        if (i >= 0) m = m.substring(i + "Message: ".length());
        m = m.strip();
        // The namespace-aware scanner reports some errors as a bare message key, e.g.
        // ".../REC-xml-names-19990114#AttributeNotUnique?policy&label".
        int key = m.indexOf("#AttributeNotUnique?");
        if (key >= 0) {
            String[] elementAndAttribute = m.substring(key + "#AttributeNotUnique?".length()).split("&", 2);
            if (elementAndAttribute.length == 2) {
                return "attribute " + elementAndAttribute[1] + " appears twice on <" + elementAndAttribute[0] + ">";
            }
        }
        if (m.startsWith("http://www.w3.org/TR/1999/REC-xml-names")) {
            return "malformed XML namespace use: " + m.substring(m.indexOf('#') + 1);
        }
        if (m.toLowerCase(Locale.ROOT).contains("was referenced, but not declared")) {
            m += " (a policy cannot declare entities; write the text out)";
        }
        return "malformed XML: " + m;
    }
}
