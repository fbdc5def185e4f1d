// How a capability chain walk ended.
package org.platformd.pci.caps;

/** How a capability chain walk ended. lspci prints the last three as {@code Capabilities: [xx] <...>}. */
public enum ChainEnd {
    /** A zero next pointer (or, for the extended chain, a zero/all-ones header): the normal end. */
    END,
    /** The capability at the offset isn't readable from this source ({@code <access denied>}). */
    ACCESS_DENIED,
    /** An ID of 0xff, i.e. a pointer into nothing ({@code <chain broken>}). */
    BROKEN,
    /** The offset was visited before ({@code <chain looped>}). */
    LOOPED
}
