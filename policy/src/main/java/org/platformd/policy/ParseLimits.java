// Bounds on what the policy reader accepts, checked before and while parsing.
package org.platformd.policy;

/**
 * Bounds on what the policy reader accepts, checked before and while parsing so a hostile
 * or runaway file costs little: the file size is checked before a byte is read, the element
 * count and nesting depth while the parser streams.
 *
 * @param maxBytes           largest file accepted (default 1 MiB)
 * @param maxDepth           deepest element nesting (the language needs 3; default 16)
 * @param maxElements        most elements in a file (default 100,000)
 * @param maxAttributeLength longest attribute value in characters (default 4096)
 */
public record ParseLimits(long maxBytes, int maxDepth, int maxElements, int maxAttributeLength) {

    public static final ParseLimits DEFAULT = new ParseLimits(1L << 20, 16, 100_000, 4096);

    public ParseLimits {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBytes out of range: " + maxBytes);
        }
        if (maxDepth < 3 || maxElements < 1 || maxAttributeLength < 1) {
            throw new IllegalArgumentException("limits too small: " + maxDepth + "/" + maxElements + "/" + maxAttributeLength);
        }
    }

    public ParseLimits withMaxBytes(long bytes) {
        return new ParseLimits(bytes, maxDepth, maxElements, maxAttributeLength);
    }

    public ParseLimits withMaxElements(int elements) {
        return new ParseLimits(maxBytes, maxDepth, elements, maxAttributeLength);
    }
}
