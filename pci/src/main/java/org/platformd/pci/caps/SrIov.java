// Single Root I/O Virtualization extended capability (ID 0010).
package org.platformd.pci.caps;

import org.platformd.pci.config.ConfigSpace;

/**
 * Single Root I/O Virtualization extended capability (ID 0010). All fields are -1 when the
 * capability's body is not readable.
 */
public record SrIov(long capabilities, int control, int status, int initialVfs, int totalVfs, int numVfs,
                    int functionDependencyLink, int vfOffset, int vfStride, int vfDeviceId,
                    long supportedPageSizes, long systemPageSize, long migrationState) implements CapabilityBody {

    public static SrIov decode(ConfigSpace cfg, int where) {
        if (!cfg.isReadable(where + 4, 0x3c)) {
            return new SrIov(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        }
        return new SrIov(cfg.u32(where + 0x04), cfg.u16(where + 0x08), cfg.u16(where + 0x0a),
                cfg.u16(where + 0x0c), cfg.u16(where + 0x0e), cfg.u16(where + 0x10), cfg.u8(where + 0x12),
                cfg.u16(where + 0x14), cfg.u16(where + 0x16), cfg.u16(where + 0x1a),
                cfg.u32(where + 0x1c), cfg.u32(where + 0x20), cfg.u32(where + 0x3c));
    }

    public boolean readable() {
        return totalVfs >= 0;
    }

    public boolean vfEnabled() {
        return control >= 0 && (control & 1) != 0;
    }
}
