// A place in a policy file, printed as FILE:LINE:COLUMN (1-based, columns in characters).
package org.platformd.policy;

import java.util.Objects;

/** A place in a policy file, printed as {@code FILE:LINE:COLUMN} (1-based, columns in characters). */
public record SourceLocation(String file, int line, int column) {
    public SourceLocation {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
