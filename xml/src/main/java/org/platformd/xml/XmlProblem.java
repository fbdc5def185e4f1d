// One thing wrong with an XML source, where it is and in words a person understands.
package org.platformd.xml;

import java.util.Objects;

/**
 * One thing wrong with an XML source: where it is and what is wrong, in the words of the person who
 * edits the file (never a parser's internal message key). Printed {@code SOURCE:LINE:COLUMN: message}.
 */
public record XmlProblem(XmlLocation location, String message) {
    public XmlProblem {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
