// Bounds on what SafeXmlReader accepts, checked before and while parsing.
package org.platformd.xml;

/**
 * Bounds on what {@link SafeXmlReader} accepts, checked before and while parsing so a hostile or
 * runaway file costs little: the size before the parser sees a byte, the element count and the
 * nesting depth while the parser streams, each attribute value's length as it is read.
 *
 * @param maxBytes           largest source accepted, in bytes
 * @param maxDepth           deepest element nesting (the root is depth 1)
 * @param maxElements        most elements in one source
 * @param maxAttributeLength longest attribute value in characters
 */
public record XmlLimits(long maxBytes, int maxDepth, int maxElements, int maxAttributeLength) {

    /**
     * The bounds platformd's own files are read within unless a caller sets others: 1 MiB, nesting 16 deep,
     * 100,000 elements, attribute values of 4096 characters (the policy's; machine files nest deeper).
     */
    public static final XmlLimits DEFAULT = new XmlLimits(1L << 20, 16, 100_000, 4096);

    public XmlLimits {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBytes out of range: " + maxBytes);
        }
        if (maxDepth < 3 || maxElements < 1 || maxAttributeLength < 1) {
            throw new IllegalArgumentException("limits too small: " + maxDepth + "/" + maxElements + "/" + maxAttributeLength);
        }
    }

    /** These bounds with another size limit. */
    public XmlLimits withMaxBytes(long bytes) {
        return new XmlLimits(bytes, maxDepth, maxElements, maxAttributeLength);
    }

    /** These bounds with another nesting depth. */
    public XmlLimits withMaxDepth(int depth) {
        return new XmlLimits(maxBytes, depth, maxElements, maxAttributeLength);
    }

    /** These bounds with another element count. */
    public XmlLimits withMaxElements(int elements) {
        return new XmlLimits(maxBytes, maxDepth, elements, maxAttributeLength);
    }
}
