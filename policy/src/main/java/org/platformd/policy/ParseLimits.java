// Bounds on what the policy reader accepts, checked before and while parsing.
package org.platformd.policy;

import org.platformd.xml.XmlLimits;

/**
 * Bounds on what the policy reader accepts, checked before and while parsing so a hostile
 * or runaway file costs little: the file size is checked before a byte is read, the element
 * count and nesting depth while the parser streams. The policy's defaults and its public name
 * for {@link XmlLimits} (callers such as {@code platformctl policy check} set them); the reader
 * checks them.
 *
 * @param maxBytes           largest file accepted (default 1 MiB)
 * @param maxDepth           deepest element nesting (the language needs 3; default 16)
 * @param maxElements        most elements in a file (default 100,000)
 * @param maxAttributeLength longest attribute value in characters (default 4096)
 */
public record ParseLimits(long maxBytes, int maxDepth, int maxElements, int maxAttributeLength) {

    public static final ParseLimits DEFAULT = new ParseLimits(1L << 20, 16, 100_000, 4096);

    public ParseLimits {
        new XmlLimits(maxBytes, maxDepth, maxElements, maxAttributeLength); // the reader's own range checks, now
    }

    /** The same bounds as the XML reader takes them. */
    public XmlLimits toXmlLimits() {
        return new XmlLimits(maxBytes, maxDepth, maxElements, maxAttributeLength);
    }

    public ParseLimits withMaxBytes(long bytes) {
        return new ParseLimits(bytes, maxDepth, maxElements, maxAttributeLength);
    }

    public ParseLimits withMaxElements(int elements) {
        return new ParseLimits(maxBytes, maxDepth, elements, maxAttributeLength);
    }
}
