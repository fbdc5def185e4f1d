// What ExportResource hands a client: a token for the fd socket, the fds' roles, and how to use them.
package org.platformd.driver.fdpass;

import java.time.Instant;
import java.util.List;
import org.platformd.bridge.FdRegion;
import org.platformd.driver.device.InterruptMode;

/**
 * What ExportResource hands a client, as domain values: the token to redeem on the fd socket before
 * {@code expiry}, the role of each fd the socket will send (in order), and how to use them: a region to map, or
 * an interrupt's eventfds. The protocol layer shows it as the wire {@code ExportResourceResponse}
 * ({@code server/WireExports}; the roles through {@code server/WireEnums}).
 */
public record ExportedResource(String token, Instant expiry, String fdSocketPath, List<FdRole> fdRoles, Usage usage) {
    public ExportedResource {
        fdRoles = List.copyOf(fdRoles);
    }

    /** What one passed fd is. */
    public enum FdRole {
        /** A file to mmap: a BAR's resource file or memfd, a DMA buffer's memfd or hugetlbfs file. */
        MEMORY,
        /** An eventfd the device's interrupt signals. */
        INTERRUPT_TRIGGER,
        /** An eventfd the client writes to unmask a level-triggered line (INTx through VFIO). */
        INTERRUPT_UNMASK
    }

    /** How to use the fds. */
    public sealed interface Usage permits Region, InterruptFds {}

    /**
     * Where the resource lies in the passed file, in what mmap takes: the mapping's offset and length are whole
     * map units (pages, or huge pages), and the resource starts {@code dataOffset} bytes into the mapping.
     *
     * @param busAddress the DMA buffer's bus address; 0 for a BAR
     */
    public record Region(long mapOffset, long mapLength, long dataOffset, long size, boolean writeCombining,
            long busAddress) implements Usage {
        /** The mapping that covers {@code r}: mmap wants whole map units, and the resource may start inside the first. */
        public static Region of(FdRegion r, boolean writeCombining, long busAddress) {
            long unit = r.mapUnit();
            long mapOffset = r.offset() & ~(unit - 1);
            long dataOffset = r.offset() - mapOffset;
            long mapLength = (dataOffset + r.size() + unit - 1) & ~(unit - 1);
            return new Region(mapOffset, mapLength, dataOffset, r.size(), writeCombining, busAddress);
        }
    }

    /**
     * An interrupt vector's eventfds: the trigger, and the unmask fd when {@code unmaskFdIncluded} (a mode that
     * masks until acknowledged, where the backend has one).
     */
    public record InterruptFds(InterruptMode mode, int vector, boolean unmaskFdIncluded) implements Usage {}
}
