// A place in an XML source, printed as SOURCE:LINE:COLUMN (1-based, columns in characters).
package org.platformd.xml;

import java.util.Objects;

/**
 * A place in an XML source, printed as {@code SOURCE:LINE:COLUMN} (1-based, columns in characters),
 * the way compilers print it, so editors jump to it. {@code source} is the file name as the caller
 * gave it, or a name such as "built-in".
 */
public record XmlLocation(String source, int line, int column) {
    public XmlLocation {
        Objects.requireNonNull(source, "source");
    }

    @Override
    public String toString() {
        return source + ":" + line + ":" + column;
    }
}
