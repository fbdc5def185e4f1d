// The permission table laid over one device.
package org.platformd.driver.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.platformd.bridge.PciConfig;
import org.platformd.driver.config.PermissionTable.CapabilityRule;
import org.platformd.driver.config.PermissionTable.HeaderLayout;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.config.Bar;
import org.platformd.pci.decode.DecodedDevice;

/**
 * The permission table laid over one device: per byte of its config space, which bits read from the emulated
 * copy, which bits a write may change, and the emulated copy's first contents; plus its BAR registers'
 * sizing masks. Built once per acquisition from the device's header type and capability chains.
 *
 * <p>Capability chains come from the device, so they are not trusted: a capability that points into the
 * header (below 0x40, or below 0x100 for an extended one) is ignored; each capability claims its bytes
 * (its length from the table, an unknown one up to the next capability), the first claim wins, and a
 * vendor-specific capability's writable bytes are clamped to its own unclaimed run inside its region — its
 * length byte can never make MSI/MSI-X, another capability, the header or bytes past config space writable.
 * Loops and broken chains end in the walker ({@code CapabilityWalker}), which visits each offset once.
 */
final class ConfigPermissions {
    private static final int HEADER_END = 0x40;
    private static final int STANDARD_END = 0x100;

    private final int size;
    private final int[] virt;
    private final int[] write;
    private final byte[] seed;
    private final int[] barRegister; // per byte: index into barRegs, or -1
    private final int[] barRegs;
    private final long[] barSizeMask; // per BAR register: the address bits the device decodes (what sizing keeps)
    private final long[] barFlags;    // per BAR register: its read-only type bits
    private final boolean[] claimed;

    private ConfigPermissions(int size) {
        this.size = size;
        virt = new int[size];
        write = new int[size];
        seed = new byte[size];
        barRegister = new int[size];
        Arrays.fill(barRegister, -1);
        claimed = new boolean[size];
        barRegs = new int[6];
        barSizeMask = new long[6];
        barFlags = new long[6];
    }

    /**
     * @param hw     the device's config space (read for values the layout depends on and for seeds)
     * @param device the decoded device: header type, BARs with their sizes, capability chains
     * @param info   the policy's info="yes": physical addresses are shown
     */
    static ConfigPermissions of(PciConfig hw, DecodedDevice device, boolean info) {
        ConfigPermissions p = new ConfigPermissions(hw.size());
        p.applyHeader(hw, device, PermissionTable.header(device.headerType()), info);
        p.applyCapabilities(hw, device, info);
        return p;
    }

    int size() {
        return size;
    }

    int virt(int at) {
        return virt[at];
    }

    int write(int at) {
        return write[at];
    }

    byte seed(int at) {
        return seed[at];
    }

    /** The BAR register (0..5 of the header's list) byte {@code at} belongs to, or -1. */
    int barRegister(int at) {
        return barRegister[at];
    }

    int barOffset(int reg) {
        return barRegs[reg];
    }

    long barSizeMask(int reg) {
        return barSizeMask[reg];
    }

    long barFlags(int reg) {
        return barFlags[reg];
    }

    private void applyHeader(PciConfig hw, DecodedDevice device, HeaderLayout header, boolean info) {
        for (int i = 0; i < Math.min(HEADER_END, size); i++) {
            claimed[i] = true;
        }
        for (Field f : header.fields()) {
            apply(hw, f, 0, HEADER_END, info);
        }
        List<Integer> regs = header.barRegisters();
        for (int r = 0; r < regs.size(); r++) {
            int at = regs.get(r);
            barRegs[r] = at;
            for (int i = 0; i < 4; i++) {
                virt[at + i] = 0xff;
                barRegister[at + i] = r; // unused registers read 0 and keep nothing a client writes
            }
        }
        for (Bar bar : device.bars()) {
            int r = bar.index();
            if (r < 0 || r >= regs.size()) {
                continue;
            }
            long hwValue = hw.read32(barRegs[r]) & 0xffffffffL;
            long barSize = bar.size() == null ? 0 : bar.size();
            barFlags[r] = bar.io() ? hwValue & 0x3 : hwValue & 0xf;
            barSizeMask[r] = barSize == 0 ? 0 : ~(barSize - 1) & (bar.io() ? 0xfffffffcL : 0xfffffff0L);
            seed32(barRegs[r], info ? hwValue : barFlags[r]);
            if (bar.is64Bit() && r + 1 < regs.size()) {
                long hiHw = hw.read32(barRegs[r + 1]) & 0xffffffffL;
                barFlags[r + 1] = 0;
                barSizeMask[r + 1] = barSize == 0 ? 0 : (~(barSize - 1) >>> 32) & 0xffffffffL;
                seed32(barRegs[r + 1], info ? hiHw : 0);
            }
        }
    }

    private void seed32(int at, long value) {
        for (int i = 0; i < 4; i++) {
            seed[at + i] = (byte) (value >>> (8 * i));
        }
    }

    /** The field at {@code base + f.offset()}, clipped to [base, end) of its region. */
    private void apply(PciConfig hw, Field f, int base, int end, boolean info) {
        if (f.onlyWithoutInfo() && info) {
            return;
        }
        int at = base + f.offset();
        long hwValue = f.seed() == Field.Seed.HARDWARE && at + f.width() <= end ? read(hw, at, f.width()) : 0;
        for (int i = 0; i < f.width() && at + i < end; i++) {
            int v = Field.byteOf(f.virt(), i);
            virt[at + i] |= v;
            write[at + i] = Field.byteOf(f.write(), i);
            int s = switch (f.seed()) {
                case HARDWARE -> Field.byteOf(hwValue, i);
                case ZERO -> 0;
                case ONES -> 0xff;
            };
            seed[at + i] = (byte) ((seed[at + i] & ~v) | (s & v));
        }
    }

    private static long read(PciConfig hw, int at, int width) {
        return switch (width) {
            case 1 -> hw.read8(at);
            case 2 -> hw.read16(at);
            default -> hw.read32(at) & 0xffffffffL;
        };
    }

    /** A capability of the device with its region and what the table says about it. */
    private record Found(Capability cap, int end, CapabilityLayout layout) {
    }

    private void applyCapabilities(PciConfig hw, DecodedDevice device, boolean info) {
        List<Found> found = new ArrayList<>();
        collect(hw, device.capabilities().capabilities(), HEADER_END, Math.min(STANDARD_END, size),
                PermissionTable.STANDARD, found);
        if (size > STANDARD_END && device.extended() != null) {
            collect(hw, device.extended().capabilities(), STANDARD_END, size, PermissionTable.EXTENDED, found);
        }
        // Fixed-layout capabilities (and unknown ones) claim first, so a vendor length can't reach them.
        for (Found f : found) {
            if (!f.layout().isVendor()) {
                claim(f.cap().offset(), f.cap().offset() + f.layout().length(), f.end());
                for (Field field : f.layout().fields()) {
                    apply(hw, field, f.cap().offset(), f.end(), info);
                }
            }
        }
        List<Found> vendors = found.stream().filter(f -> f.layout().isVendor()).toList();
        List<Found> headersFree = new ArrayList<>();
        for (Found f : vendors) { // every vendor header first: one vendor's body can't swallow the next's header
            int at = f.cap().offset();
            boolean free = unclaimed(at, at + f.layout().writableFrom(), f.end());
            // its header is claimed even when it does not fit (one in the last dword): never another's body
            claim(at, at + f.layout().writableFrom(), f.end());
            if (free) {
                headersFree.add(f);
            }
        }
        for (Found f : headersFree) {
            int at = f.cap().offset();
            int end = Math.min(at + f.layout().length(), f.end());
            for (int i = at + f.layout().writableFrom(); i < end && !claimed[i]; i++) {
                claimed[i] = true;
                write[i] = 0xff; // the driver owns a vendor capability's meaning
            }
        }
    }

    private void collect(PciConfig hw, List<Capability> caps, int start, int end,
                         Map<Integer, CapabilityRule> rules, List<Found> out) {
        List<Capability> inRegion = caps.stream().filter(c -> c.offset() >= start && c.offset() + 4 <= end)
                .sorted(Comparator.comparingInt(Capability::offset)).toList();
        for (int i = 0; i < inRegion.size(); i++) {
            Capability c = inRegion.get(i);
            CapabilityRule rule = rules.get(c.id());
            CapabilityLayout layout;
            if (rule != null) {
                layout = rule.layout().apply(hw, c.offset());
            } else { // unknown: read-only, and up to the next capability so that no vendor length reaches it
                int next = i + 1 < inRegion.size() ? inRegion.get(i + 1).offset() : end;
                layout = CapabilityLayout.readOnly(Math.max(4, next - c.offset()));
            }
            out.add(new Found(c, end, layout));
        }
    }

    private void claim(int from, int to, int end) {
        for (int i = from; i < Math.min(to, end); i++) {
            claimed[i] = true;
        }
    }

    private boolean unclaimed(int from, int to, int end) {
        for (int i = from; i < Math.min(to, end); i++) {
            if (claimed[i]) {
                return false;
            }
        }
        return to <= end;
    }
}
