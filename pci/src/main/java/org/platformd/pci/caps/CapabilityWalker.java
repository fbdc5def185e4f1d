// Walks the standard and extended capability chains the way lspci 3.9.0 does, defensively.
package org.platformd.pci.caps;

import static org.platformd.pci.config.ConfigRegisters.STATUS;
import static org.platformd.pci.config.ConfigRegisters.STATUS_CAP_LIST;

import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.config.ConfigSpace;

/**
 * Walks the standard and extended capability chains the way lspci 3.9.0 does, defensively:
 * every pointer comes from the device, so the walk ends (with a {@link ChainEnd} and a note,
 * never an exception) on an unreadable offset, an ID of 0xff, or an offset seen before.
 * Each offset is visited at most once, so a walk takes at most 64 (standard) or 1024
 * (extended) steps whatever the bytes are.
 */
public final class CapabilityWalker {
    private CapabilityWalker() {
    }

    /**
     * The standard chain starting at the pointer register {@code pointerRegister} (0x34, or
     * 0x14 for CardBus bridges). Empty unless the status register's capability-list bit is set.
     *
     */
    public static CapabilityChain walkStandard(ConfigSpace cfg, int pointerRegister) {
        int status = cfg.u16(STATUS, 0);
        if ((status & STATUS_CAP_LIST) == 0) {
            return CapabilityChain.EMPTY;
        }
        List<Capability> caps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean[] seen = new boolean[256];
        int where = cfg.u8(pointerRegister, 0) & ~3;
        int expressType = -1;
        while (where != 0) {
            if (!cfg.isReadable(where, 4)) {
                notes.add(String.format("capability at 0x%02x is not readable (source has %d bytes)",
                        where, cfg.readableLength()));
                return new CapabilityChain(caps, ChainEnd.ACCESS_DENIED, where, notes);
            }
            if (where < 0x40) {
                notes.add(String.format("capability pointer 0x%02x points into the standard header", where));
            }
            int id = cfg.u8(where);
            int next = cfg.u8(where + 1) & ~3;
            int flags = cfg.u16(where + 2);
            if (seen[where]) {
                notes.add(String.format("capability chain loops back to 0x%02x", where));
                return new CapabilityChain(caps, ChainEnd.LOOPED, where, notes);
            }
            seen[where] = true;
            if (id == 0xff) {
                notes.add(String.format("capability chain broken at 0x%02x (ID ff)", where));
                return new CapabilityChain(caps, ChainEnd.BROKEN, where, notes);
            }
            CapabilityBody body = switch (id) {
                case CapabilityNames.PM -> PowerManagement.decode(cfg, where);
                case CapabilityNames.MSI -> Msi.decode(cfg, where);
                case CapabilityNames.MSIX -> MsiX.decode(cfg, where);
                case CapabilityNames.EXPRESS -> PciExpress.decode(cfg, where);
                case CapabilityNames.SSVID -> SubsystemId.decode(cfg, where);
                default -> null;
            };
            if (body instanceof PciExpress e && expressType < 0) {
                expressType = e.portType();
            }
            caps.add(new Capability(false, id, where, -1, flags, CapabilityNames.standard(id), body));
            where = next;
        }
        return new CapabilityChain(caps, ChainEnd.END, 0, notes);
    }

    /**
     * The extended chain from 0x100. lspci only looks for it when the standard chain has a
     * PCI-X or PCI Express capability; callers decide that ({@link #mayHaveExtended}).
     *
     * @param expressPortType the function's PCI Express port type (AER root registers depend on it), or -1
     */
    public static CapabilityChain walkExtended(ConfigSpace cfg, int expressPortType) {
        List<Capability> caps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean[] seen = new boolean[4096];
        int where = 0x100;
        do {
            if (!cfg.isReadable(where, 4)) {
                if (where != 0x100 || cfg.readableLength() > 0x100) {
                    notes.add(String.format("extended capability at 0x%03x is not readable", where));
                }
                break;
            }
            long header = cfg.u32(where);
            if (header == 0 || header == 0xffffffffL) {
                break;
            }
            if (where < 0x100) {
                notes.add(String.format("extended capability pointer 0x%03x points below 0x100", where));
            }
            int id = (int) (header & 0xffff);
            int version = (int) ((header >> 16) & 0xf);
            if (seen[where]) {
                notes.add(String.format("extended capability chain loops back to 0x%03x", where));
                return new CapabilityChain(caps, ChainEnd.LOOPED, where, notes);
            }
            seen[where] = true;
            boolean root = expressPortType == PciExpress.TYPE_ROOT_PORT
                    || expressPortType == PciExpress.TYPE_ROOT_EVENT_COLLECTOR;
            CapabilityBody body = switch (id) {
                case CapabilityNames.EXT_AER -> Aer.decode(cfg, where, root);
                case CapabilityNames.EXT_ACS -> Acs.decode(cfg, where);
                case CapabilityNames.EXT_SRIOV -> SrIov.decode(cfg, where);
                default -> null;
            };
            caps.add(new Capability(true, id, where, version, header, CapabilityNames.extended(id), body));
            where = (int) ((header >> 20) & ~3L);
        } while (where != 0);
        return new CapabilityChain(caps, ChainEnd.END, 0, notes);
    }

    /** lspci walks the extended chain only after seeing a PCI-X or PCI Express capability. */
    public static boolean mayHaveExtended(CapabilityChain standard) {
        for (Capability c : standard.capabilities()) {
            if (c.id() == CapabilityNames.PCIX || c.id() == CapabilityNames.EXPRESS) {
                return true;
            }
        }
        return false;
    }
}
