// One element as SafeXmlReader read it: name, attributes, children and where its start tag begins; immutable.
package org.platformd.xml;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One element as {@link SafeXmlReader} read it: name, attributes in the order written, child
 * elements, and where its start tag begins (the {@code <}). Text and comments are gone: text other
 * than whitespace is reported by the reader. Immutable, so a tree is safe to share between threads.
 */
public record XmlElement(String name, XmlLocation location, List<XmlAttribute> attributes, List<XmlElement> children) {

    public XmlElement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        attributes = List.copyOf(attributes);
        children = List.copyOf(children);
    }

    /** The attribute called {@code attributeName}; the parser refuses a name given twice. */
    public Optional<XmlAttribute> attribute(String attributeName) {
        return attributes.stream().filter(a -> a.name().equals(attributeName)).findFirst();
    }

    /** The value of the attribute called {@code attributeName}, if given. */
    public Optional<String> value(String attributeName) {
        return attribute(attributeName).map(XmlAttribute::value);
    }
}
