// The result of walking one chain: the capabilities in walk order, how the walk ended.
package org.platformd.pci.caps;

import java.util.List;

/**
 * The result of walking one chain: the capabilities in walk order, how the walk ended
 * (and at which offset when it didn't end normally), and notes about anything odd.
 */
public record CapabilityChain(List<Capability> capabilities, ChainEnd end, int endOffset, List<String> notes) {
    public static final CapabilityChain EMPTY = new CapabilityChain(List.of(), ChainEnd.END, 0, List.of());

    public CapabilityChain {
        capabilities = List.copyOf(capabilities);
        notes = List.copyOf(notes);
    }

    /** The first capability with {@code id}, or null. */
    public Capability find(int id) {
        for (Capability c : capabilities) {
            if (c.id() == id) {
                return c;
            }
        }
        return null;
    }
}
