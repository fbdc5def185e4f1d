// One kubelet allocation: a label's devices handed to one container, and who has claimed it.
package org.platformd.driver.session;

import java.util.Set;

/**
 * One kubelet allocation: the devices of {@code label} the kubelet's Allocate gave one container
 * ({@code devices}: host device names, the device plugin's device IDs). {@code id} names it in logs
 * and in its token file's name; the token itself is never kept, only its hash ({@link AllocationTokens}).
 */
public record Allocation(String id, String label, Set<String> devices) {
    public Allocation {
        devices = Set.copyOf(devices);
    }
}
