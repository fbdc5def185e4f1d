package org.platformd.driver.config;

import io.grpc.Status;
import org.platformd.bridge.PciConfig;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.config.Bar;
import org.platformd.pci.decode.DecodedDevice;

/**
 * A client's view of a device's configuration space, in the spirit of Linux's
 * {@code vfio_pci_config.c}: a per-byte table says where each byte comes from on read
 * (hardware or an emulated register) and which of its bits a write may change on the
 * hardware. IDs, class and status read through and are read-only; of the command register
 * only I/O and memory decode, bus master (unless the policy says bus_master="no") and INTx
 * disable reach the device; BARs and the expansion ROM are emulated (sizing by writing all
 * ones works, physical addresses are hidden unless the policy has info="yes"); MSI/MSI-X and
 * unknown capabilities are read-only (interrupts are programmed by the server); vendor-specific
 * capabilities pass through.
 *
 * <p>Not thread-safe on its own: the owning {@code DeviceHandle} serializes access.
 */
public final class ConfigVirtualizer {
    private static final int BAR0 = 0x10;
    private static final int ROM = 0x30;
    private static final int INTERRUPT_LINE = 0x3c;
    private static final int CAP_VENDOR = 0x09;

    /** Where a byte comes from. */
    private enum Source { HARDWARE, EMULATED }

    private final PciConfig hw;
    private final int size;
    private final Source[] source;
    private final int[] writable; // per byte: bits a write may change on the hardware
    private final byte[] emulated;
    private final long[] barSizeMask = new long[6]; // per 32-bit BAR register: bits the address occupies
    private final int[] barFlags = new int[6];

    public ConfigVirtualizer(PciConfig hw, DecodedDevice device, boolean info, boolean busMasterAllowed) {
        this.hw = hw;
        this.size = hw.size();
        source = new Source[size];
        writable = new int[size];
        emulated = new byte[size];
        java.util.Arrays.fill(source, Source.HARDWARE);
        // command register: IO, MEM, MASTER (bit 2), INTx disable (bit 10)
        writable[0x04] = 0x03 | (busMasterAllowed ? 0x04 : 0);
        writable[0x05] = 0x04;
        for (int i = 0; i < 4; i++) {
            source[ROM + i] = Source.EMULATED; // no option ROM for clients
        }
        if (!info) {
            source[INTERRUPT_LINE] = Source.EMULATED;
            emulated[INTERRUPT_LINE] = (byte) 0xff; // "unknown", as for a device without a routed line
        }
        if ((device.headerType() & 0x7f) == 0) {
            for (Bar bar : device.bars()) {
                emulateBar(bar, info);
            }
        } else {
            for (int i = BAR0; i < 0x40; i++) {
                source[i] = Source.HARDWARE; // bridges: read-only view of windows and bus numbers
            }
        }
        for (Capability c : device.capabilities().capabilities()) {
            if (c.id() == CAP_VENDOR) {
                int len = c.offset() + 2 < size ? hw.read8(c.offset() + 2) : 0;
                for (int i = c.offset() + 3; i < Math.min(size, c.offset() + len); i++) {
                    writable[i] = 0xff; // vendor-specific: the driver owns its meaning
                }
            }
        }
    }

    private void emulateBar(Bar bar, boolean info) {
        int reg = bar.index();
        if (reg < 0 || reg > 5) {
            return;
        }
        int at = BAR0 + 4 * reg;
        long hwValue = hw.read32(at) & 0xffffffffL;
        long size = bar.size() == null ? 0 : bar.size();
        int flags = bar.io() ? (int) (hwValue & 0x3) : (int) (hwValue & 0xf);
        barFlags[reg] = flags;
        barSizeMask[reg] = size == 0 ? 0 : (~(size - 1)) & (bar.io() ? 0xfffffffcL : 0xfffffff0L);
        setEmulated32(at, info ? hwValue : flags);
        if (bar.is64Bit() && reg < 5) {
            int hiAt = at + 4;
            long hiHw = hw.read32(hiAt) & 0xffffffffL;
            barFlags[reg + 1] = 0;
            barSizeMask[reg + 1] = size == 0 ? 0 : ((~(size - 1)) >>> 32) & 0xffffffffL;
            setEmulated32(hiAt, info ? hiHw : 0);
        }
    }

    private void setEmulated32(int at, long value) {
        for (int i = 0; i < 4; i++) {
            source[at + i] = Source.EMULATED;
            emulated[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private void check(int offset, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw Status.INVALID_ARGUMENT.withDescription("config access width " + width + " (expected 1, 2 or 4)")
                    .asRuntimeException();
        }
        if (offset % width != 0) {
            throw Status.INVALID_ARGUMENT.withDescription("config offset 0x" + Integer.toHexString(offset)
                    + " is not a multiple of the width " + width).asRuntimeException();
        }
        if (offset < 0 || offset > size - width) { // uint32 on the wire: negative is above 2^31
            throw Status.OUT_OF_RANGE.withDescription("config offset 0x" + Integer.toUnsignedString(offset, 16) + " + " + width
                    + " beyond the " + size + "-byte config space").asRuntimeException();
        }
    }

    private long hwRead(int offset, int width) {
        return switch (width) {
            case 1 -> hw.read8(offset);
            case 2 -> hw.read16(offset);
            default -> hw.read32(offset) & 0xffffffffL;
        };
    }

    public long read(int offset, int width) {
        check(offset, width);
        long value = hwRead(offset, width);
        for (int i = 0; i < width; i++) {
            if (source[offset + i] == Source.EMULATED) {
                value = (value & ~(0xffL << (8 * i))) | ((emulated[offset + i] & 0xffL) << (8 * i));
            }
        }
        return value;
    }

    /** Writes what the table allows; returns the bits of {@code value} that were dropped. */
    public long write(int offset, int width, long value) {
        check(offset, width);
        long hwMask = 0;
        long dropped = 0;
        for (int i = 0; i < width; i++) {
            int at = offset + i;
            int b = (int) (value >>> (8 * i)) & 0xff;
            if (at >= BAR0 && at < BAR0 + 24 && source[at] == Source.EMULATED) {
                int reg = (at - BAR0) / 4;
                int shift = 8 * ((at - BAR0) % 4);
                long keep = (barSizeMask[reg] >>> shift) & 0xff;
                long flags = (barFlags[reg] >>> shift) & 0xff;
                emulated[at] = (byte) ((b & keep) | flags);
                dropped |= (long) (b & ~keep & 0xff) << (8 * i);
                continue;
            }
            int allowed = source[at] == Source.EMULATED ? 0 : writable[at];
            hwMask |= (long) allowed << (8 * i);
            dropped |= (long) (b & ~allowed & 0xff) << (8 * i);
        }
        if (hwMask != 0) {
            long current = hwRead(offset, width);
            long merged = (current & ~hwMask) | (value & hwMask);
            switch (width) {
                case 1 -> hw.write8(offset, (int) merged);
                case 2 -> hw.write16(offset, (int) merged);
                default -> hw.write32(offset, (int) merged);
            }
        }
        // Of the BAR bits, only the address bits the device decodes count as taken.
        return dropped;
    }
}
