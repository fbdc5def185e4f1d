// One attribute as written, with where its name starts.
package org.platformd.xml;

import java.util.Objects;

/** One attribute as written (entity and character references resolved), with where its name starts. */
public record XmlAttribute(String name, String value, XmlLocation location) {
    public XmlAttribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(location, "location");
    }
}
