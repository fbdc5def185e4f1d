// A conventional PCI function's 256-byte configuration space with QEMU-style per-byte write masks.
package org.platformd.bridge.sim.pci;

/**
 * The 256 bytes of a conventional PCI function's configuration space with per-byte write masks, the
 * way QEMU models it: a write changes only bits set in {@code wmask}; bits set in {@code w1cmask} are
 * cleared by writing one. BAR sizing falls out of the masks (an all-ones write reads back the size
 * mask), as do read-only IDs and class. Device models set up bytes with the {@code set*} methods.
 * Not thread-safe: the owning {@link PciFunction}'s lock guards it.
 */
public final class ConfigSpaceModel {
    public static final int SIZE = 256;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int STATUS_INTERRUPT = 0x08;
    public static final int STATUS_CAP_LIST = 0x10;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;

    private final byte[] data = new byte[SIZE];
    private final byte[] wmask = new byte[SIZE];
    private final byte[] w1cmask = new byte[SIZE];
    private final byte[] used = new byte[SIZE]; // bytes taken by capabilities
    private final int headerType;

    /**
     * @param classCode 24-bit class, subclass, programming interface
     * @param headerType 0 (device) or 1 (PCI-to-PCI bridge)
     */
    public ConfigSpaceModel(int vendorId, int deviceId, int classCode, int revision, int headerType) {
        this.headerType = headerType;
        set16(0x00, vendorId);
        set16(0x02, deviceId);
        set8(0x08, revision);
        set8(0x09, classCode);
        set8(0x0a, classCode >> 8);
        set8(0x0b, classCode >> 16);
        set8(0x0e, headerType);
        // command: I/O, memory, bus master, parity, SERR, INTx disable (QEMU's pci_init_wmask)
        mask16(COMMAND, 0x0001 | 0x0002 | 0x0004 | 0x0040 | 0x0100 | 0x0400);
        // status: the error bits are write-one-to-clear
        w1c16(STATUS, 0xf900);
        mask8(0x0c, 0xff); // cache line size
        mask8(0x0d, 0xff); // latency timer
        mask8(INTERRUPT_LINE, 0xff);
        for (int i = 0; i < 0x40; i++) {
            used[i] = 1;
        }
        if (headerType == 1) {
            mask8(0x18, 0xff); // primary bus
            mask8(0x19, 0xff); // secondary bus
            mask8(0x1a, 0xff); // subordinate bus
            mask8(0x1b, 0xff); // secondary latency timer
            mask8(0x1c, 0xf0); // I/O base
            mask8(0x1d, 0xf0); // I/O limit
            w1c16(0x1e, 0xf900); // secondary status
            mask16(0x20, 0xfff0); // memory base
            mask16(0x22, 0xfff0); // memory limit
            mask16(0x24, 0xfff0); // prefetchable base
            mask16(0x26, 0xfff0); // prefetchable limit
            mask32(0x28, 0xffffffff); // prefetchable base upper 32
            mask32(0x2c, 0xffffffff); // prefetchable limit upper 32
            mask32(0x30, 0xffffffff); // I/O base/limit upper 16
            mask16(0x3e, 0x00ff); // bridge control: parity..fast back-to-back, incl. secondary bus reset
            set16(0x24, 0x0001); // 64-bit prefetchable window
            set16(0x26, 0x0001);
        } else {
            set16(0x2c, 0x1af4); // subsystem vendor (QEMU's default: Red Hat)
            set16(0x2e, 0x1100); // subsystem id (QEMU)
        }
    }

    public int headerType() {
        return headerType;
    }

    /** Declares a BAR: flag bits, and a write mask that makes all-ones read back the size mask. */
    public void declareBar(BarSpec bar) {
        int off = 0x10 + 4 * bar.index();
        long sizeMask = ~(bar.size() - 1);
        int low = (int) sizeMask & (bar.io() ? ~0x3 : ~0xf);
        set32(off, bar.flags());
        mask32(off, low);
        if (bar.is64Bit()) {
            mask32(off + 4, (int) (sizeMask >>> 32));
        }
    }

    /** Programs a BAR's address (machine setup). */
    public void assignBar(BarSpec bar, long address) {
        int off = 0x10 + 4 * bar.index();
        set32(off, (int) address & ~(bar.io() ? 0x3 : 0xf) | bar.flags());
        if (bar.is64Bit()) {
            set32(off + 4, (int) (address >>> 32));
        }
    }

    /** The address a BAR currently decodes (flag bits stripped). */
    public long barAddress(BarSpec bar) {
        int off = 0x10 + 4 * bar.index();
        long low = get32(off) & 0xffffffffL & (bar.io() ? ~0x3L : ~0xfL);
        return bar.is64Bit() ? low | ((long) get32(off + 4) << 32) : low;
    }

    /**
     * Adds a capability the way QEMU does: at the first free dword-aligned space from 0x40, linked in at
     * the head of the list.
     *
     * @return its offset
     */
    public int addCapability(int id, int length) {
        int off = 0x40;
        outer:
        while (off + length <= SIZE) {
            for (int i = 0; i < length; i++) {
                if (used[off + i] != 0) {
                    off = (off + i + 4) & ~3;
                    continue outer;
                }
            }
            for (int i = 0; i < length; i++) {
                used[off + i] = 1;
            }
            set8(off, id);
            set8(off + 1, get8(CAPABILITY_LIST));
            set8(CAPABILITY_LIST, off);
            set16(STATUS, get16(STATUS) | STATUS_CAP_LIST);
            return off;
        }
        throw new IllegalStateException("no room for capability " + id + " of " + length + " bytes");
    }

    // ---- guest-visible accesses ----

    public int read(int offset, int width) {
        int v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (data[offset + i] & 0xff);
        }
        return v;
    }

    public void write(int offset, int width, int value) {
        for (int i = 0; i < width; i++) {
            int b = (value >>> (8 * i)) & 0xff;
            int o = offset + i;
            int wm = wmask[o] & 0xff;
            int cm = w1cmask[o] & 0xff;
            int cur = data[o] & 0xff;
            cur = (cur & ~wm) | (b & wm);
            cur &= ~(b & cm);
            data[o] = (byte) cur;
        }
    }

    // ---- device-side setup and state ----

    public int get8(int off) {
        return data[off] & 0xff;
    }

    public int get16(int off) {
        return read(off, 2);
    }

    public int get32(int off) {
        return read(off, 4);
    }

    public void set8(int off, int v) {
        data[off] = (byte) v;
    }

    public void set16(int off, int v) {
        set8(off, v);
        set8(off + 1, v >> 8);
    }

    public void set32(int off, int v) {
        set16(off, v);
        set16(off + 2, v >> 16);
    }

    public void mask8(int off, int m) {
        wmask[off] = (byte) m;
    }

    public void mask16(int off, int m) {
        mask8(off, m);
        mask8(off + 1, m >> 8);
    }

    public void mask32(int off, int m) {
        mask16(off, m);
        mask16(off + 2, m >> 16);
    }

    public void w1c16(int off, int m) {
        w1cmask[off] = (byte) m;
        w1cmask[off + 1] = (byte) (m >> 8);
    }

    /** A copy of the current bytes (for sysfs dumps). */
    public byte[] snapshot() {
        return data.clone();
    }
}
