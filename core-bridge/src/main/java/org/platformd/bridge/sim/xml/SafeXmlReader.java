// Parses XML into XmlElements with line and column numbers, hardened against hostile input.
package org.platformd.bridge.sim.xml;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Parses XML into {@link XmlElement}s with line and column numbers, hardened against hostile input: DOCTYPE
 * declarations are refused outright (so no internal or external entities, no billion-laughs), external
 * DTDs and schemas are never fetched, secure processing limits apply. Non-whitespace text content is
 * refused (the machine format has none). Stateless; a new SAX parser per call.
 */
final class SafeXmlReader {
    private SafeXmlReader() {
    }

    static XmlElement parse(InputStream in, String source) throws MachineDescriptionException {
        SAXParser parser;
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setXIncludeAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            parser = f.newSAXParser();
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (ParserConfigurationException | SAXException e) {
            throw new MachineDescriptionException(source, 0, 0, "XML parser can't be set up safely: " + e.getMessage(), e);
        }
        TreeBuilder builder = new TreeBuilder(source);
        try {
            parser.parse(in, builder);
        } catch (SAXParseException e) {
            throw new MachineDescriptionException(source, Math.max(e.getLineNumber(), 1),
                    Math.max(e.getColumnNumber(), 1), "not well-formed XML: " + e.getMessage(), e);
        } catch (SAXException e) {
            if (e.getCause() instanceof MachineDescriptionException m) {
                throw m;
            }
            throw new MachineDescriptionException(source, Math.max(builder.line(), 1), builder.column(), e.getMessage(), e);
        } catch (IOException e) {
            // the parser's decoder reports bytes that are not the declared encoding as an IOException: the
            // content's fault, at the position the parser had reached
            throw new MachineDescriptionException(source, Math.max(builder.line(), 1), builder.column(),
                    "can't read: " + e.getMessage(), e);
        }
        return builder.root;
    }

    private static final class TreeBuilder extends DefaultHandler {
        private final String source;
        private final Deque<Pending> stack = new ArrayDeque<>();
        private Locator locator;
        private XmlElement root;

        TreeBuilder(String source) {
            this.source = source;
        }

        int line() {
            return locator == null ? 0 : locator.getLineNumber();
        }

        int column() {
            return locator == null ? 0 : locator.getColumnNumber();
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < atts.getLength(); i++) {
                map.put(atts.getQName(i), atts.getValue(i));
            }
            stack.push(new Pending(qName, map, line(), column(), new ArrayList<>()));
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            Pending p = stack.pop();
            XmlElement e = new XmlElement(p.name, p.attributes, p.line, p.column, p.children);
            if (stack.isEmpty()) {
                root = e;
            } else {
                stack.peek().children.add(e);
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            for (int i = start; i < start + length; i++) {
                if (!Character.isWhitespace(ch[i])) {
                    throw new SAXException(new MachineDescriptionException(source, line(), column(),
                            "unexpected text '" + new String(ch, start, length).trim() + "'"));
                }
            }
        }

        private record Pending(String name, Map<String, String> attributes, int line, int column, List<XmlElement> children) {
        }
    }
}
