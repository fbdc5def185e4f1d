// The one hardened XML reader: bytes in, an immutable XmlElement tree with line and column out, or every problem.
package org.platformd.xml;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
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

/**
 * The one hardened XML reader of platformd (the policy and the emulated machine's description both
 * use it): reads a source into {@link XmlElement}s with line and column for every element and
 * attribute, and refuses anything a configuration file has no business containing.
 *
 * <p>Hardening, in the order it happens: the size limit and the byte checks of {@link SourceBytes}
 * (empty, UTF-16/32, NUL bytes, strict UTF-8); the JDK's StAX parser with DTD support off, external
 * entities off, no external access at all, a resolver that refuses everything, and the JDK's own
 * depth limit one above ours; a DOCTYPE stops reading at once (so neither an external entity nor an
 * internal entity bomb is ever expanded); nesting depth and element count bounded while streaming;
 * namespaced elements and attributes (XInclude among them), processing instructions, entity
 * references and stray text are reported. Well-formedness errors and exceeded limits stop reading;
 * the other problems are collected so the person editing the file sees them all at once.
 *
 * <p>Stateless and thread-safe: a new parser per read.
 */
public final class SafeXmlReader {

    /**
     * What reading produced: a root element when the source was well-formed, and the problems found
     * (never empty when there is no root).
     */
    public record Result(Optional<XmlElement> root, List<XmlProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
            if (root.isEmpty() && problems.isEmpty()) throw new IllegalArgumentException("no root and no problem");
        }

        /** The root when there is no problem at all; otherwise every problem, thrown. */
        public XmlElement orThrow() throws XmlException {
            if (!problems.isEmpty()) throw new XmlException(problems);
            return root.orElseThrow();
        }
    }

    private static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
    private static final String XINCLUDE = "http://www.w3.org/2001/XInclude";

    private final DocumentKind kind;
    private final XmlLimits limits;
    private final SourceBytes bytes;

    public SafeXmlReader(DocumentKind kind, XmlLimits limits) {
        this.kind = kind;
        this.limits = limits;
        this.bytes = new SourceBytes(limits, kind);
    }

    public XmlLimits limits() {
        return limits;
    }

    /** Reads a source already in memory. */
    public Result read(String source, byte[] content) {
        SourceBytes.Decoded decoded = bytes.decode(source, content);
        if (decoded.problem().isPresent()) {
            return new Result(Optional.empty(), List.of(decoded.problem().get()));
        }
        return parse(decoded.text().orElseThrow());
    }

    /**
     * Reads a stream, taking at most the size limit + 1 bytes from it (it may be endless: a FIFO,
     * /dev/zero). Only a failing read is an exception; what was read is judged like {@link #read(String, byte[])}.
     */
    public Result read(String source, InputStream in) throws IOException {
        byte[] content = bytes.readBounded(in);
        if (content.length > limits.maxBytes()) {
            return new Result(Optional.empty(),
                    List.of(new XmlProblem(new XmlLocation(source, 1, 1), bytes.streamTooLargeMessage())));
        }
        return read(source, content);
    }

    /** The message for a file whose size, known before reading, is over the limit. */
    public String tooLargeMessage(long size) {
        return bytes.tooLargeMessage(size);
    }

    private XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        // The JDK's own bound, behind ours: our check (one level shallower) reports first, in our words.
        f.setProperty("jdk.xml.maxElementDepth", limits.maxDepth() + 1);
        f.setXMLResolver((publicId, systemId, base, ns) -> {
            throw new XMLStreamException("external resources are not allowed: " + systemId);
        });
        return f;
    }

    /** A start tag being built: its children arrive before its end tag. */
    private record Open(String name, XmlLocation location, List<XmlAttribute> attributes, List<XmlElement> children) {}

    private Result parse(SourceText src) {
        List<XmlProblem> problems = new ArrayList<>();
        Deque<Open> open = new ArrayDeque<>();
        XmlElement root = null;
        int elements = 0;
        int skipDepth = 0; // > 0 while inside an element we reported and do not keep
        XMLStreamReader r = null;
        try {
            r = factory().createXMLStreamReader(new StringReader(src.text()));
            String declared = r.getCharacterEncodingScheme();
            if (declared != null && !declared.equalsIgnoreCase("UTF-8") && !declared.equalsIgnoreCase("UTF8")) {
                problems.add(new XmlProblem(src.locate(0), "the XML declaration says encoding=\"" + declared
                        + "\"; a " + kind.noun() + " must be UTF-8 (change the declaration and save the file as UTF-8)"));
            }
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> {
                        problems.add(new XmlProblem(locationOf(src, r, "<!DOCTYPE"), "a DOCTYPE is not allowed in a "
                                + kind.noun() + " (no DTDs, no entity declarations); remove the <!DOCTYPE ...>"
                                + " declaration. The file was not read further."));
                        return new Result(Optional.empty(), problems);
                    }
                    case XMLStreamConstants.START_ELEMENT -> {
                        elements++;
                        int depth = open.size() + skipDepth + 1;
                        int endOfTag = endOffset(src, r);
                        int startOfTag = src.text().lastIndexOf('<', Math.max(0, endOfTag - 1));
                        XmlLocation at = src.locate(Math.max(0, startOfTag));
                        String qname = qname(r.getPrefix(), r.getLocalName());
                        if (elements > limits.maxElements()) {
                            problems.add(new XmlProblem(at, "more than " + limits.maxElements() + " elements in one "
                                    + kind.noun() + " file; the file was not read further"));
                            return new Result(Optional.empty(), problems);
                        }
                        if (depth > limits.maxDepth()) {
                            problems.add(new XmlProblem(at, "elements nested deeper than " + limits.maxDepth()
                                    + " levels; " + kind.nestingHint() + ". The file was not read further."));
                            return new Result(Optional.empty(), problems);
                        }
                        if (skipDepth > 0) {
                            skipDepth++;
                            continue;
                        }
                        String ns = r.getNamespaceURI();
                        if (ns != null && !ns.isEmpty()) {
                            problems.add(new XmlProblem(at, XINCLUDE.equals(ns)
                                    ? "<" + qname + ">: XInclude is not supported; a " + kind.noun()
                                            + " is one self-contained file"
                                    : "<" + qname + "> is in XML namespace \"" + ns + "\"; " + kind.noun()
                                            + " elements have no namespace"));
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
                            problems.add(unexpectedText(src, r.getText().strip(), open.peek()));
                        }
                    }
                    case XMLStreamConstants.PROCESSING_INSTRUCTION -> problems.add(new XmlProblem(
                            locationOf(src, r, "<?"), "processing instruction <?" + r.getPITarget()
                                    + " ...?> is not allowed in a " + kind.noun()));
                    case XMLStreamConstants.ENTITY_REFERENCE -> problems.add(new XmlProblem(
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
            problems.add(new XmlProblem(locationOf(src, e.getLocation()), message));
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
        if (root == null && problems.isEmpty()) {
            problems.add(new XmlProblem(src.locate(0), "no <" + kind.root() + "> element"));
        }
        return new Result(Optional.ofNullable(root), problems);
    }

    /** Text where only elements belong, shown shortened and placed at its start. */
    private XmlProblem unexpectedText(SourceText src, String text, Open parent) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        String where = parent == null ? "outside <" + kind.root() + ">" : "inside <" + parent.name() + ">";
        int textStart = Math.max(0, src.text().indexOf(text.substring(0, Math.min(8, text.length())),
                parent == null ? 0 : src.offset(parent.location().line(), parent.location().column())));
        return new XmlProblem(src.locate(textStart), "unexpected text \"" + shown + "\" " + where + "; a "
                + kind.noun() + " holds only elements and attributes (comments go in <!-- -->)");
    }

    private static int endOffset(SourceText src, XMLStreamReader r) {
        Location l = r.getLocation();
        return src.offset(l.getLineNumber(), l.getColumnNumber());
    }

    /** The start of the construct the parser just reported, found backwards from where it stopped. */
    private static XmlLocation locationOf(SourceText src, XMLStreamReader r, String opener) {
        int end = endOffset(src, r);
        int start = src.text().lastIndexOf(opener, Math.max(0, end - 1));
        return src.locate(start < 0 ? end : start);
    }

    private static XmlLocation locationOf(SourceText src, Location l) {
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
                                          boolean isRoot, List<XmlProblem> problems) {
        String tag = src.text().substring(Math.max(0, startOfTag), Math.max(startOfTag, endOfTag));
        List<XmlAttribute> out = new ArrayList<>(r.getAttributeCount());
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String prefix = r.getAttributePrefix(i);
            String local = r.getAttributeLocalName(i);
            String qname = qname(prefix, local);
            XmlLocation at = src.locate(startOfTag + nameOffset(tag, qname));
            String ns = r.getAttributeNamespace(i);
            if (ns != null && !ns.isEmpty()) {
                if (isRoot && XSI.equals(ns) && (local.equals("noNamespaceSchemaLocation") || local.equals("schemaLocation"))) {
                    continue; // lets XSD-aware editors find the schema; meaningless to platformd
                }
                problems.add(new XmlProblem(at, "attribute " + qname + " is in XML namespace \"" + ns + "\"; "
                        + kind.noun() + " attributes have no namespace"));
                continue;
            }
            String value = r.getAttributeValue(i);
            if (value.length() > limits.maxAttributeLength()) {
                problems.add(new XmlProblem(at, "attribute " + qname + " is " + value.length()
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
    String cleanParserMessage(XMLStreamException e) {
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
            m += " (a " + kind.noun() + " cannot declare entities; write the text out)";
        }
        return "malformed XML: " + m;
    }
}
