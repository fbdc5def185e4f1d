// One element of a policy file as read by SafeXmlReader.
package org.platformd.policy.xml;

import java.util.List;
import java.util.Optional;
import org.platformd.policy.SourceLocation;

/**
 * One element of a policy file as read by {@link SafeXmlReader}: name, attributes in the
 * order written, child elements, and where the start tag begins. Text and comments are gone
 * (text other than whitespace is reported by the reader).
 */
public record XmlElement(String name, SourceLocation location, List<XmlAttribute> attributes, List<XmlElement> children) {

    public XmlElement {
        attributes = List.copyOf(attributes);
        children = List.copyOf(children);
    }

    public Optional<XmlAttribute> attribute(String attributeName) {
        return attributes.stream().filter(a -> a.name().equals(attributeName)).findFirst();
    }
}
