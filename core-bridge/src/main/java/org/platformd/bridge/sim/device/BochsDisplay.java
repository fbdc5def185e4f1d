// QEMU's bochs-display (1234:1111 rev 02, class 0380) on a conventional PCI bus.
package org.platformd.bridge.sim.device;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.sim.pci.BarSpec;
import org.platformd.bridge.sim.pci.ConfigSpaceModel;
import org.platformd.bridge.sim.pci.PciFunction;
import org.platformd.fd.Memfd;
import org.platformd.fd.NativeFd;
import org.platformd.pci.BusAddress;

/**
 * QEMU's {@code bochs-display} (1234:1111 rev 02, class 0380) on a conventional PCI bus (no PCIe
 * capability, which QEMU adds only on an express bus). BAR 0: prefetchable framebuffer (vgamem,
 * default 16 MiB) backed by a memfd, so it can be handed out and mapped. BAR 2: 4 KiB of registers —
 * EDID blob at 0x000 (256 bytes, read-only), the DISPI (VBE) registers at 0x500 (16-bit, index =
 * offset/2: ID reads 0xB0C5, XRES, YRES, BPP, ENABLE, BANK, VIRT_WIDTH, VIRT_HEIGHT, X_OFFSET,
 * Y_OFFSET, VIDEO_MEMORY_64K read-only), QEMU's extension registers at 0x600 (size = 8; byte order
 * 0x1e1e1e1e little / 0xbebebebe big, 32-bit only). No interrupt. No VGA ports, no option ROM.
 *
 * <p>Revoking client mappings ({@link #revokeMappings}) moves the framebuffer to a fresh memfd with the
 * same contents (only the pages that hold data are copied) and empties the old one; register accesses, {@link #screenshot()} and the swap all run
 * under the function lock, so the device itself never touches the emptied file.
 *
 * <p>{@link #screenshot()} renders what the device shows with the current mode, like QEMU's
 * screendump: enabled, 16 (r5g6b5) or 32 (x8r8g8b8) bpp, at least 64x64, inside video memory; other
 * modes (24 bpp included — QEMU's bochs-display rejects it too) show nothing.
 */
public final class BochsDisplay extends PciFunction {
    public static final int VENDOR = 0x1234;
    public static final int DEVICE = 0x1111;
    public static final int DISPI_OFFSET = 0x500;
    public static final int QEXT_OFFSET = 0x600;
    public static final int INDEX_ID = 0, INDEX_XRES = 1, INDEX_YRES = 2, INDEX_BPP = 3, INDEX_ENABLE = 4,
            INDEX_BANK = 5, INDEX_VIRT_WIDTH = 6, INDEX_VIRT_HEIGHT = 7, INDEX_X_OFFSET = 8, INDEX_Y_OFFSET = 9,
            INDEX_VIDEO_MEMORY_64K = 10;
    public static final int ENABLED = 0x01;
    private static final int REG_COUNT = 10;
    private static final int QEXT_LITTLE = 0x1e1e1e1e;
    private static final int QEXT_BIG = 0xbebebebe;

    private Memfd vram; // guarded by lock: replaced when mappings are revoked
    private MappedByteBuffer fb; // guarded by lock: the daemon's own mapping of vram
    private final long vgamem;
    private final int[] vbe = new int[REG_COUNT];
    private final byte[] edid;
    private boolean bigEndianFb;

    /** @param vgamem video memory, 4..256 MiB, rounded up to a power of two as QEMU does */
    public BochsDisplay(BusAddress address, long vgamem) throws IOException {
        super(address, "bochs-display", new ConfigSpaceModel(VENDOR, DEVICE, 0x038000, 0x02, 0),
                List.of(BarSpec.mem32(0, roundUp(vgamem), true), BarSpec.mem32(2, 0x1000, false)));
        this.vgamem = roundUp(vgamem);
        this.vram = Memfd.create("bochs-vram-" + address.toShortString(), this.vgamem);
        this.fb = vram.map();
        this.edid = Edid.block(1024, 768);
    }

    private static long roundUp(long vgamem) {
        if (vgamem < 4L << 20 || vgamem > 256L << 20) {
            throw new IllegalArgumentException("bochs-display: vgamem must be 4..256 MiB, got " + vgamem);
        }
        return Long.highestOneBit(vgamem - 1) << 1;
    }

    public long vgamem() {
        return vgamem;
    }

    @Override
    public boolean isMappable(int bar) {
        return bar == 0;
    }

    @Override
    public NativeFd dupBacking(int bar) throws IOException {
        if (bar != 0) {
            return super.dupBacking(bar);
        }
        lock.lock();
        try {
            return vram.nativeFd().dup();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Framebuffer only: copies video memory into a fresh memfd, switches the device to it, then empties
     * the old memfd ({@link Memfd#truncate()}), so every mapping of it elsewhere faults. Only the
     * pages that hold data are copied ({@link Memfd#dataExtents()}): the rest of the new file stays a
     * hole and reads as zeros, as the old one did, so the cost follows what was drawn, not vgamem. If the copy
     * can't be made (no memory) the old backing stays and the failure is thrown: better a client that
     * keeps its view than a device that loses its contents.
     */
    @Override
    public void revokeMappings(int bar) {
        if (bar != 0) {
            return;
        }
        lock.lock();
        try {
            Memfd fresh = Memfd.create("bochs-vram-" + address().toShortString(), vgamem);
            MappedByteBuffer freshFb;
            try {
                freshFb = fresh.map();
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
            for (Memfd.Extent e : vram.dataExtents()) {
                freshFb.put((int) e.offset(), fb, (int) e.offset(), (int) e.length());
            }
            Memfd old = vram;
            vram = fresh;
            fb = freshFb;
            try {
                old.truncate();
            } finally {
                old.close();
            }
        } catch (IOException e) {
            throw new BridgeException(BridgeException.Reason.OS_ERROR, address().toString(),
                    "BAR 0: cannot revoke framebuffer mappings: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected long registerRead(int bar, long offset, int width) {
        if (bar == 0) {
            return readFb((int) offset, width);
        }
        int off = (int) offset;
        if (off < edid.length) {
            long v = 0;
            for (int i = width - 1; i >= 0; i--) {
                v = (v << 8) | (off + i < edid.length ? edid[off + i] & 0xff : 0);
            }
            return v;
        }
        if (off >= DISPI_OFFSET && off < DISPI_OFFSET + 0x16 && width <= 4) {
            long v = 0;
            for (int i = width - 1; i >= 0; i--) {
                int o = off - DISPI_OFFSET + i;
                v = (v << 8) | ((vbeRead(o >> 1) >> ((o & 1) * 8)) & 0xff);
            }
            return v;
        }
        if (off >= QEXT_OFFSET && off < QEXT_OFFSET + 8 && width == 4) {
            return switch (off - QEXT_OFFSET) {
                case 0 -> 8;
                case 4 -> (bigEndianFb ? QEXT_BIG : QEXT_LITTLE) & 0xffffffffL;
                default -> 0;
            };
        }
        return 0; // unassigned parts of the MMIO region read as zero in QEMU
    }

    private int vbeRead(int index) {
        return switch (index) {
            case INDEX_ID -> 0xb0c5;
            case INDEX_VIDEO_MEMORY_64K -> (int) (vgamem / 65536);
            default -> index < REG_COUNT ? vbe[index] : 0xffff;
        };
    }

    @Override
    protected void registerWrite(int bar, long offset, int width, long value) {
        if (bar == 0) {
            writeFb((int) offset, width, value);
            return;
        }
        int off = (int) offset;
        if (off >= DISPI_OFFSET && off < DISPI_OFFSET + 0x16 && width <= 4) {
            for (int i = 0; i < width; i++) {
                int o = off - DISPI_OFFSET + i;
                int index = o >> 1;
                if (index < REG_COUNT) {
                    int shift = (o & 1) * 8;
                    int b = (int) (value >>> (8 * i)) & 0xff;
                    vbe[index] = (vbe[index] & ~(0xff << shift)) | (b << shift);
                }
            }
        } else if (off == QEXT_OFFSET + 4 && width == 4) {
            if ((int) value == QEXT_BIG) {
                bigEndianFb = true;
            } else if ((int) value == QEXT_LITTLE) {
                bigEndianFb = false;
            }
        }
    }

    private long readFb(int off, int width) {
        return switch (width) {
            case 1 -> fb.get(off) & 0xffL;
            case 2 -> fb.getShort(off) & 0xffffL;
            case 4 -> fb.getInt(off) & 0xffffffffL;
            default -> fb.getLong(off);
        };
    }

    private void writeFb(int off, int width, long v) {
        switch (width) {
            case 1 -> fb.put(off, (byte) v);
            case 2 -> fb.putShort(off, (short) v);
            case 4 -> fb.putInt(off, (int) v);
            default -> fb.putLong(off, v);
        }
    }

    /** The current mode, or empty when the display shows nothing. */
    public Optional<Mode> mode() {
        lock.lock();
        try {
            if ((vbe[INDEX_ENABLE] & ENABLED) == 0) {
                return Optional.empty();
            }
            int bpp = vbe[INDEX_BPP];
            if (bpp != 16 && bpp != 32) {
                return Optional.empty();
            }
            int bytepp = bpp / 8;
            int w = vbe[INDEX_XRES];
            int h = vbe[INDEX_YRES];
            int virtW = Math.max(vbe[INDEX_VIRT_WIDTH], w);
            long stride = (long) virtW * bytepp;
            long offset = (long) vbe[INDEX_X_OFFSET] * bytepp + vbe[INDEX_Y_OFFSET] * stride;
            if (w < 64 || h < 64 || offset + stride * h > vgamem) {
                return Optional.empty();
            }
            return Optional.of(new Mode(w, h, bpp, stride, offset, bigEndianFb));
        } finally {
            lock.unlock();
        }
    }

    /** A video mode as the display scans it out. */
    public record Mode(int width, int height, int bpp, long stride, long offset, boolean bigEndian) {
    }

    /** What the display shows now, as an RGB image; empty when no valid mode is set. */
    public Optional<BufferedImage> screenshot() {
        lock.lock(); // the framebuffer may be swapped by revokeMappings otherwise
        try {
            return render();
        } finally {
            lock.unlock();
        }
    }

    private Optional<BufferedImage> render() {
        Optional<Mode> m = mode();
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Mode mode = m.get();
        BufferedImage img = new BufferedImage(mode.width(), mode.height(), BufferedImage.TYPE_INT_RGB);
        ByteBuffer view = fb.duplicate().order(mode.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int[] row = new int[mode.width()];
        for (int y = 0; y < mode.height(); y++) {
            long base = mode.offset() + y * mode.stride();
            for (int x = 0; x < mode.width(); x++) {
                if (mode.bpp() == 32) {
                    row[x] = view.getInt((int) (base + 4L * x)) & 0xffffff;
                } else {
                    int p = view.order(ByteOrder.LITTLE_ENDIAN).getShort((int) (base + 2L * x)) & 0xffff;
                    int r = (p >> 11) & 0x1f;
                    int g = (p >> 5) & 0x3f;
                    int b = p & 0x1f;
                    row[x] = ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
                }
            }
            img.setRGB(0, y, mode.width(), 1, row, 0, mode.width());
        }
        return Optional.of(img);
    }

    /**
     * Writes the current picture as a PNG.
     *
     * @return false when no valid mode is set (nothing written)
     */
    public boolean writePng(Path file) throws IOException {
        Optional<BufferedImage> img = screenshot();
        if (img.isEmpty()) {
            return false;
        }
        if (!ImageIO.write(img.get(), "png", file.toFile())) {
            throw new IOException(file + ": no PNG writer available");
        }
        return true;
    }

    @Override
    protected void resetDevice() {
        java.util.Arrays.fill(vbe, 0);
        bigEndianFb = false;
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            vram.close();
        } finally {
            lock.unlock();
        }
    }
}
