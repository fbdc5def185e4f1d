package org.platformd.bridge.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.platformd.bridge.FdRegion;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.fd.MemoryMaps;
import org.platformd.pci.BusAddress;

/**
 * Register access through an {@link IoMem} session on the emulated machine against raw baselines in
 * the same run: a volatile int (what a register read costs at least in Java) and a direct ByteBuffer
 * (what a mapped BAR read costs). Framebuffer: session access vs the mapped memfd.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IoMemBenchmark {
    private SimBackend backend;
    private IoMem edu;
    private IoMem fb;
    private MappedByteBuffer fbMapped;
    private final ByteBuffer direct = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
    private volatile int register = 0x010000ed;
    private int value;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        backend = SimBackend.builtIn();
        for (String bdf : new String[] {"00:02.0", "01:01.0"}) {
            try (PciConfig cfg = backend.openConfig(BusAddress.parse(bdf))) {
                cfg.setMemoryDecode(true);
            }
        }
        edu = backend.openIoMem(DeviceRef.parse("00:02.0"), 0);
        fb = backend.openIoMem(DeviceRef.parse("01:01.0"), 0);
        FdRegion r = fb.mappable().orElseThrow();
        fbMapped = MemoryMaps.map(r.fd(), r.offset(), r.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public int eduIdRead() {
        return edu.read32(0x00);
    }

    @Benchmark
    public int eduLivenessWriteRead() {
        edu.write32(0x04, ++value);
        return edu.read32(0x04);
    }

    @Benchmark
    public int framebufferReadThroughSession() {
        return fb.read32(0x1000);
    }

    @Benchmark
    public int framebufferReadMapped() {
        return fbMapped.getInt(0x1000);
    }

    @Benchmark
    public int baselineVolatileRead() {
        return register;
    }

    @Benchmark
    public int baselineVolatileWriteRead() {
        register = ++value;
        return register;
    }

    @Benchmark
    public int baselineDirectBufferRead() {
        return direct.getInt(0x100);
    }
}
