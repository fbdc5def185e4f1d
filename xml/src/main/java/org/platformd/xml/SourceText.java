// The decoded text of an XML source with its line starts, to turn character offsets into LINE:COLUMN and back.
package org.platformd.xml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoded text of an XML source with its line starts, to turn character offsets into
 * {@code LINE:COLUMN} and back. Line breaks are counted as XML counts them: CR LF, CR or LF.
 */
final class SourceText {

    private final String source;
    private final String text;
    private final int[] lineStarts;

    SourceText(String source, String text) {
        this.source = source;
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
            if (c == '\r' || c == '\n') starts.add(i + 1);
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    String text() {
        return text;
    }

    /** 1-based line and column of a character offset. */
    XmlLocation locate(int offset) {
        int o = Math.max(0, Math.min(offset, text.length()));
        int i = Arrays.binarySearch(lineStarts, o);
        int line = i >= 0 ? i : -i - 2;
        return new XmlLocation(source, line + 1, o - lineStarts[line] + 1);
    }

    /** The offset of a 1-based line and column as a parser reports them (clamped to the text). */
    int offset(int line, int column) {
        if (line < 1) return 0;
        if (line > lineStarts.length) return text.length();
        return Math.min(text.length(), lineStarts[line - 1] + Math.max(0, column - 1));
    }

    XmlLocation at(int line, int column) {
        return new XmlLocation(source, Math.max(1, line), Math.max(1, column));
    }
}
