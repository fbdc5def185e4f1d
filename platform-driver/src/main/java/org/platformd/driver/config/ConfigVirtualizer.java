// A client's view of a device's configuration space, as Linux's vfio_pci_config.c does it.
package org.platformd.driver.config;

import org.platformd.bridge.PciConfig;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.pci.decode.DecodedDevice;

/**
 * A client's view of a device's configuration space, as Linux's {@code vfio_pci_config.c} does it: the
 * per-byte {@link ConfigPermissions} (from the {@link PermissionTable}) say which bits read from an emulated
 * copy and which bits a write may change — in the emulated copy where virtualized, else on the device. The
 * three handlers: BAR sizing (the emulated BAR keeps the address bits the device decodes, so writing all ones
 * reads back the size), the command register (turning bus mastering on passes the {@link BusMasterGate} first,
 * or nothing of the write is applied), and vendor-specific capabilities (written through, their length
 * clamped when the table was laid).
 *
 * <p>A write reaches the device only in the bytes that have writable bits, with the narrowest accesses that
 * cover them: a 32-bit write at 0x04 writes the command register alone and never writes back the status
 * register's write-1-to-clear bits.
 *
 * <p>Not thread-safe on its own: a caller holds the monitor of the {@code DeviceHandle} that made it
 * ({@code synchronized (handle)}, as PlatformServiceImpl's ReadConfig and WriteConfig do) for each read
 * or write, so a read-modify-write of the emulated copy and the device is one step.
 */
public final class ConfigVirtualizer {
    private final PciConfig hw;
    private final ConfigPermissions perms;
    private final byte[] emulated;

    public ConfigVirtualizer(PciConfig hw, DecodedDevice device, boolean info) {
        this.hw = hw;
        this.perms = ConfigPermissions.of(hw, device, info);
        emulated = new byte[perms.size()];
        for (int i = 0; i < emulated.length; i++) {
            emulated[i] = perms.seed(i);
        }
    }

    /**
     * @throws PlatformError INVALID_ARGUMENT for a width other than 1, 2, 4 or an unaligned
     *                                        offset; OUT_OF_RANGE outside config space (offsets are the wire's
     *                                        uint32: a negative int is one at 2^31 and above)
     */
    private void check(int offset, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "config access width " + Integer.toUnsignedString(width)
                    + " (expected 1, 2 or 4)");
        }
        if (offset < 0 || offset > perms.size() - width) {
            throw new PlatformError(ErrorCode.OUT_OF_RANGE, "config offset 0x" + Integer.toHexString(offset) + " + " + width
                    + " beyond the " + perms.size() + "-byte config space");
        }
        if (offset % width != 0) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "config offset 0x" + Integer.toHexString(offset)
                    + " is not a multiple of the width " + width);
        }
    }

    private long hwRead(int offset, int width) {
        return switch (width) {
            case 1 -> hw.read8(offset);
            case 2 -> hw.read16(offset);
            default -> hw.read32(offset) & 0xffffffffL;
        };
    }

    private void hwWrite(int offset, int width, long value) {
        switch (width) {
            case 1 -> hw.write8(offset, (int) value);
            case 2 -> hw.write16(offset, (int) value);
            default -> hw.write32(offset, (int) value);
        }
    }

    public long read(int offset, int width) {
        check(offset, width);
        long virt = 0;
        long emu = 0;
        for (int i = 0; i < width; i++) {
            virt |= (long) perms.virt(offset + i) << (8 * i);
            emu |= (emulated[offset + i] & 0xffL) << (8 * i);
        }
        long device = virt == Field.ones(width) ? 0 : hwRead(offset, width);
        return (device & ~virt) | (emu & virt);
    }

    /**
     * Writes what the table allows; returns the bits of {@code value} that did not take.
     *
     * @param gate asked first when the write sets the command register's bus-master bit; its refusal fails
     *             the write with nothing applied
     */
    public long write(int offset, int width, long value, BusMasterGate gate) {
        check(offset, width);
        if (setsBusMaster(offset, width, value)) {
            gate.requireAllowed();
        }
        long hwMask = 0;
        long dropped = 0;
        for (int i = 0; i < width; i++) {
            int at = offset + i;
            int b = Field.byteOf(value, i);
            int reg = perms.barRegister(at);
            if (reg >= 0) { // BAR sizing: the address bits the device decodes stick, its type bits stay
                int shift = 8 * (at - perms.barOffset(reg));
                int keep = (int) (perms.barSizeMask(reg) >>> shift) & 0xff;
                int flags = (int) (perms.barFlags(reg) >>> shift) & 0xff;
                emulated[at] = (byte) ((b & keep) | flags);
                dropped |= (long) (b & ~keep & 0xff) << (8 * i);
                continue;
            }
            int writable = perms.write(at);
            int toEmulated = writable & perms.virt(at);
            emulated[at] = (byte) ((emulated[at] & ~toEmulated) | (b & toEmulated));
            hwMask |= (long) (writable & ~perms.virt(at) & 0xff) << (8 * i);
            dropped |= (long) (b & ~writable & 0xff) << (8 * i);
        }
        writeDevice(offset, width, value, hwMask);
        return dropped;
    }

    /** Whether a write of {@code width} bytes at {@code offset} sets the command register's bus-master bit. */
    static boolean setsBusMaster(int offset, int width, long value) {
        int command = PermissionTable.COMMAND;
        if (offset > command || command >= offset + width) {
            return false;
        }
        return ((value >>> (8 * (command - offset) + PermissionTable.COMMAND_MASTER_BIT)) & 1) != 0;
    }

    /**
     * Read-modify-write of the {@code mask} bits, touching only bytes that have some: an access whose bytes
     * all have writable bits is done at its width, else it is split in halves (so read-only neighbours such
     * as the status register, whose set bits a write-back would clear, are never written).
     */
    private void writeDevice(int offset, int width, long value, long mask) {
        if (mask == 0) {
            return;
        }
        boolean everyByte = true;
        for (int i = 0; i < width; i++) {
            everyByte &= Field.byteOf(mask, i) != 0;
        }
        if (everyByte) {
            long merged = (hwRead(offset, width) & ~mask) | (value & mask);
            hwWrite(offset, width, merged);
            return;
        }
        int half = width / 2;
        long low = Field.ones(half);
        writeDevice(offset, half, value & low, mask & low);
        writeDevice(offset + half, half, (value >>> (8 * half)) & low, (mask >>> (8 * half)) & low);
    }
}
