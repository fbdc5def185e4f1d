// A place in a policy file, printed as FILE:LINE:COLUMN (1-based, columns in characters).
package org.platformd.policy;

import java.util.Objects;
import org.platformd.xml.XmlLocation;

/** A place in a policy file, printed as {@code FILE:LINE:COLUMN} (1-based, columns in characters). */
public record SourceLocation(String file, int line, int column) {
    public SourceLocation {
        Objects.requireNonNull(file, "file");
    }

    /** Where the XML reader placed an element, attribute or problem. */
    public static SourceLocation of(XmlLocation at) {
        return new SourceLocation(at.source(), at.line(), at.column());
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
