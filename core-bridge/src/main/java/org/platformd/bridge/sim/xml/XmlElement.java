// An element of a parsed XML file with the line and column where its start tag ends (the SAX locator's); immutable.
package org.platformd.bridge.sim.xml;

import java.util.List;
import java.util.Map;

/** An element of a parsed XML file with the line and column where its start tag ends (the SAX locator's); immutable. */
record XmlElement(String name, Map<String, String> attributes, int line, int column, List<XmlElement> children) {
    XmlElement {
        attributes = Map.copyOf(attributes);
        children = List.copyOf(children);
    }
}
