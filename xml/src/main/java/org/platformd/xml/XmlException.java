// An XML source that could not be read, with the first problem's source, line and column.
package org.platformd.xml;

import java.util.List;

/**
 * An XML source that could not be read: {@link SafeXmlReader.Result#orThrow} throws it with every
 * problem found, the first one in the message ({@code SOURCE:LINE:COLUMN: why}). For callers that
 * stop at the first problem; callers that show them all use {@link SafeXmlReader#read}.
 */
public final class XmlException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<XmlProblem> problems;

    public XmlException(List<XmlProblem> problems) {
        super(problems.isEmpty() ? "unreadable XML" : problems.get(0).toString());
        if (problems.isEmpty()) throw new IllegalArgumentException("an XmlException needs a problem");
        this.problems = List.copyOf(problems);
    }

    /** The first problem: what the message says. */
    public XmlProblem problem() {
        return problems.get(0);
    }

    /** Every problem found, in the order found. */
    public List<XmlProblem> problems() {
        return problems;
    }
}
