// A driver for QEMU's Bochs display (1234:1111).
package org.platformd.examples.framebuffer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.platformd.client.Bar;
import org.platformd.client.Device;
import org.platformd.examples.Checks;
import org.platformd.examples.ExampleArgs;
import org.platformd.examples.ExampleMain;
import org.platformd.examples.PciCommand;

/**
 * A driver for QEMU's Bochs display (1234:1111): checks the DISPI interface, sets a 32-bpp mode, draws a
 * test pattern into the framebuffer BAR, reads back the registers and what the display scans out, and
 * saves that as a PNG.
 */
public final class FramebufferDriver {
    static final ExampleArgs.Spec SPEC = new ExampleArgs.Spec("framebuffer",
            "Drives QEMU's Bochs display (1234:1111): sets a mode, draws a test pattern, saves what it shows.",
            "fb-driver", Optional.of(Path.of("framebuffer.png")), true);
    static final int VENDOR = 0x1234;
    static final int DEVICE = 0x1111;
    /** The mode when the framebuffer is mapped. */
    static final Dispi.Mode MODE = new Dispi.Mode(640, 480, 32);
    /** Over RPC (one call per two pixels) a smaller picture keeps the run to a few seconds. */
    static final Dispi.Mode MODE_OVER_RPC = new Dispi.Mode(160, 120, 32);

    private final Device display;
    private final Checks checks;

    private FramebufferDriver(Device display, Checks checks) {
        this.display = display;
        this.checks = checks;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true"); // PNG encoding only; no display needed
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the example; returns the exit status (0 all checks passed, 1 one failed, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, () -> { });
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream)}; {@code whileShown} runs once the picture is on
     * the display, before the device is released (and reset): a moment to look at the screen or take a
     * screendump.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable whileShown) {
        return ExampleMain.run(SPEC, args, out, err, (connection, a, checks) -> {
            try (Device display = connection.session().acquire(VENDOR, DEVICE)) {
                checks.info("device", display.name() + " (1234:1111) on " + connection.client().target());
                new FramebufferDriver(display, checks).drive(a.out().orElseThrow());
                whileShown.run();
                if (a.holdUntil().isPresent()) {
                    holdUntil(a.holdUntil().get(), checks);
                }
            }
        });
    }

    /**
     * {@code --hold-until}: keeps the device (and so the picture: releasing it resets the display) until
     * {@code file} exists, at most {@link ExampleArgs#HOLD_LIMIT}. The INFO line before the wait tells a
     * watcher of the output that the picture is on screen now.
     */
    private static void holdUntil(Path file, Checks checks) throws InterruptedException {
        checks.info("holding", "picture on the display until " + file + " exists (at most "
                + ExampleArgs.HOLD_LIMIT.toSeconds() + " s)");
        long start = System.nanoTime();
        long limit = ExampleArgs.HOLD_LIMIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() - start > limit) {
                checks.check("held", false, file + " did not appear within " + ExampleArgs.HOLD_LIMIT.toSeconds() + " s");
                return;
            }
            Thread.sleep(100);
        }
        checks.info("held", String.format("%s appeared after %.1f s", file, (System.nanoTime() - start) / 1e9));
    }

    private void drive(Path png) {
        PciCommand.enableMemoryDecode(display); // for both BARs
        VideoMemory vram = new VideoMemory(display.bar(0));
        Bar mmio = display.bar(2);
        checks.info("BAR 0 framebuffer", String.format("%d MiB, %s", vram.size() >> 20,
                vram.isMapped() ? "mapped: plain loads and stores" : "not mapped: one RPC per two pixels"));
        checks.info("BAR 2 registers", String.format("%d KiB, %s", mmio.size() / 1024,
                mmio.isMapped() ? "mapped" : "register RPCs"));
        Dispi dispi = new Dispi(mmio);
        int id = dispi.read(Dispi.ID);
        if (!checks.check("DISPI ID", Dispi.validId(id), String.format("0x%04x (interface version %d)", id, id & 0xf))) {
            return;
        }
        long videoMemory = (long) dispi.read(Dispi.VIDEO_MEMORY_64K) * 65536;
        checks.info("video memory", (videoMemory >> 20) + " MiB (DISPI VIDEO_MEMORY_64K)");
        checks.info("byte order", dispi.littleEndianFramebuffer() ? "little endian, set through QEMU's extension registers"
                : "no QEMU extension registers: little endian assumed");

        Dispi.Mode mode = vram.isMapped() ? MODE : MODE_OVER_RPC;
        if (!checks.check("mode fits", mode.bytes() <= Math.min(videoMemory, vram.size()),
                String.format("%s needs %d KiB of %d KiB", mode, mode.bytes() / 1024, Math.min(videoMemory, vram.size()) / 1024))) {
            return;
        }
        dispi.setMode(mode);
        Dispi.Scanout shown = dispi.scanout();
        int enable = dispi.read(Dispi.ENABLE);
        boolean modeRead = shown.enabled() && shown.width() == mode.width() && shown.height() == mode.height()
                && shown.bitsPerPixel() == mode.bitsPerPixel() && dispi.read(Dispi.VIRT_WIDTH) == mode.width()
                && dispi.read(Dispi.VIRT_HEIGHT) == mode.height() && shown.offset() == 0
                && (enable & Dispi.LFB_ENABLED) != 0;
        checks.check("mode registers", modeRead, String.format(
                "XRES %d YRES %d BPP %d ENABLE 0x%02x VIRT %dx%d OFFSET %d,%d (set %s)", shown.width(), shown.height(),
                shown.bitsPerPixel(), enable, dispi.read(Dispi.VIRT_WIDTH), dispi.read(Dispi.VIRT_HEIGHT),
                dispi.read(Dispi.X_OFFSET), dispi.read(Dispi.Y_OFFSET), mode));

        TestPattern pattern = new TestPattern(mode.width(), mode.height());
        int[] expected = pattern.pixels();
        long start = System.nanoTime();
        vram.write(0, 4L * mode.width(), mode.width(), mode.height(), expected);
        long drawn = System.nanoTime() - start;
        checks.info("draw", rate(expected.length, drawn));

        if (!checks.check("scanout readable", shown.enabled() && shown.bitsPerPixel() == 32 && shown.end() <= vram.size(),
                String.format("%dx%d at offset %d, stride %d, %d bpp", shown.width(), shown.height(), shown.offset(),
                        shown.stride(), shown.bitsPerPixel()))) {
            return;
        }
        start = System.nanoTime();
        int[] seen = vram.read(shown.offset(), shown.stride(), shown.width(), shown.height());
        long read = System.nanoTime() - start;
        checks.info("read back", rate(seen.length, read));
        checks.check("pixels", java.util.Arrays.equals(seen, expected), difference(seen, expected, shown.width()));
        try {
            writePng(png, shown.width(), shown.height(), seen);
            checks.check("PNG written", true, String.format("%s, %dx%d, pixel SHA-256 %s", png, shown.width(),
                    shown.height(), pixelSha256(seen)));
        } catch (IOException e) {
            checks.check("PNG written", false, png + ": " + e.getMessage());
        }
    }

    private static String rate(int pixels, long nanos) {
        return String.format("%d pixels in %.1f ms (%.0f pixels/s)", pixels, nanos / 1e6, pixels * 1e9 / nanos);
    }

    private static String difference(int[] seen, int[] expected, int width) {
        int differing = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (seen[i] != expected[i]) {
                differing++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (differing == 0) {
            return "all " + expected.length + " equal to the pattern";
        }
        return String.format("%d of %d differ; first at (%d,%d): 0x%06x, expected 0x%06x", differing, expected.length,
                first % width, first / width, seen[first], expected[first]);
    }

    private static void writePng(Path png, int width, int height, int[] rgb) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    /** SHA-256 over the pixels as 8-bit R, G, B, row by row: the same digest for the same picture in any file. */
    public static String pixelSha256(int[] rgb) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] bytes = new byte[3 * rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            bytes[3 * i] = (byte) (rgb[i] >> 16);
            bytes[3 * i + 1] = (byte) (rgb[i] >> 8);
            bytes[3 * i + 2] = (byte) rgb[i];
        }
        return HexFormat.of().formatHex(sha.digest(bytes));
    }
}
