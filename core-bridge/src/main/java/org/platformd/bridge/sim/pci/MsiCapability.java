// An MSI capability in a ConfigSpaceModel, laid out per the PCI spec (and QEMU's msi.c).
package org.platformd.bridge.sim.pci;

/**
 * An MSI capability in a {@link ConfigSpaceModel}, laid out per the PCI spec (and QEMU's msi.c):
 * control word with enable and multiple-message-enable writable, address (32 or 64 bit) and data
 * writable, optional per-vector mask bits. Not thread-safe (owner's lock).
 */
public final class MsiCapability {
    public static final int CAP_ID = 0x05;
    private static final int CTRL_ENABLE = 0x0001;
    private final ConfigSpaceModel cfg;
    private final int offset;
    private final boolean is64Bit;
    private final boolean maskable;
    private final int vectors;

    /** Adds the capability; {@code vectors} is a power of two 1..32. */
    public MsiCapability(ConfigSpaceModel cfg, int vectors, boolean is64Bit, boolean maskable) {
        this.cfg = cfg;
        this.is64Bit = is64Bit;
        this.maskable = maskable;
        this.vectors = vectors;
        int length = 0x0a + (is64Bit ? 4 : 0) + (maskable ? 0x0a : 0);
        if (length == 0x0a + 4 + 0x0a) {
            length = 0x18;
        }
        this.offset = cfg.addCapability(CAP_ID, length);
        int mmc = Integer.numberOfTrailingZeros(vectors);
        int ctrl = (mmc << 1) | (is64Bit ? 0x0080 : 0) | (maskable ? 0x0100 : 0);
        cfg.set16(offset + 2, ctrl);
        cfg.mask16(offset + 2, CTRL_ENABLE | 0x0070);
        cfg.mask32(offset + 4, 0xfffffffc);
        if (is64Bit) {
            cfg.mask32(offset + 8, 0xffffffff);
        }
        cfg.mask16(dataOffset(), 0xffff);
        if (maskable) {
            cfg.mask32(dataOffset() + 4, vectors == 32 ? -1 : (1 << vectors) - 1);
        }
    }

    public int offset() {
        return offset;
    }

    public int vectors() {
        return vectors;
    }

    private int dataOffset() {
        return offset + (is64Bit ? 0x0c : 0x08);
    }

    public boolean enabled() {
        return (cfg.get16(offset + 2) & CTRL_ENABLE) != 0;
    }

    /** The vectors the OS enabled (multiple message enable). */
    public int enabledVectors() {
        return 1 << ((cfg.get16(offset + 2) >> 4) & 0x7);
    }

    public boolean masked(int vector) {
        return maskable && (cfg.get32(dataOffset() + 4) & (1 << vector)) != 0;
    }

    public void setPending(int vector, boolean pending) {
        if (maskable) {
            int p = cfg.get32(dataOffset() + 8);
            cfg.set32(dataOffset() + 8, pending ? p | (1 << vector) : p & ~(1 << vector));
        }
    }

    public long address() {
        long lo = cfg.get32(offset + 4) & 0xffffffffL;
        return is64Bit ? lo | ((long) cfg.get32(offset + 8) << 32) : lo;
    }

    /** The data word for {@code vector}: the low bits carry the vector number, as the spec says. */
    public int data(int vector) {
        int d = cfg.get16(dataOffset());
        int n = enabledVectors();
        return (d & ~(n - 1)) | (vector & (n - 1));
    }

    /** What the kernel does when enabling MSI: program address and data, one vector, enable. */
    public void program(long address, int data) {
        cfg.set32(offset + 4, (int) address);
        if (is64Bit) {
            cfg.set32(offset + 8, (int) (address >>> 32));
        }
        cfg.set16(dataOffset(), data);
        cfg.set16(offset + 2, (cfg.get16(offset + 2) & ~0x0070) | CTRL_ENABLE);
    }

    public void disable() {
        cfg.set16(offset + 2, cfg.get16(offset + 2) & ~CTRL_ENABLE);
    }
}
