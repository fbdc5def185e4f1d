// What the emulated Bochs display's release costs when its framebuffer was handed out (the sim's revocation).
package org.platformd.bridge.bench;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.fd.Memfd;
import org.platformd.pci.BusAddress;

/**
 * What the emulated Bochs display's release costs when its framebuffer was handed out: the sim revokes the
 * client's mappings by moving the device to a fresh memfd (created, mapped, the touched pages copied) and
 * truncating the old one ({@code BochsDisplay.revokeMappings}). Rows, µs per op: a BAR 0 session opened, one
 * read, closed, without an export (no revocation) and with one ({@code mappable()}: the close revokes); and a
 * fresh 16 MiB memfd created, mapped and closed, the part of the revocation that does not depend on the data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RevocationBenchmark {
    private static final BusAddress DISPLAY_ADDRESS = BusAddress.parse("01:01.0");
    private static final DeviceRef DISPLAY = DeviceRef.pci(DISPLAY_ADDRESS);

    private SimBackend backend;

    @Setup(Level.Trial)
    public void setUp() {
        backend = SimBackend.builtIn();
        try (PciConfig cfg = backend.openConfig(DISPLAY_ADDRESS)) {
            cfg.setMemoryDecode(true);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public int openReadCloseUnexported() {
        try (IoMem fb = backend.openIoMem(DISPLAY, 0)) {
            return fb.read32(0);
        }
    }

    @Benchmark
    public int openExportReadCloseRevoked() {
        try (IoMem fb = backend.openIoMem(DISPLAY, 0)) {
            fb.mappable().orElseThrow(); // handed out: the close revokes every mapping of it
            return fb.read32(0);
        }
    }

    @Benchmark
    public int freshVramMemfdCreateMapClose() throws IOException {
        try (Memfd m = Memfd.create("bench-vram", 16L << 20)) {
            MappedByteBuffer b = m.map();
            return b.capacity();
        }
    }
}
