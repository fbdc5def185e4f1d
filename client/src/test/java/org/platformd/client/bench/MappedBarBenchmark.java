package org.platformd.client.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.platformd.client.Bar;
import org.platformd.client.fd.LibC;
import org.platformd.client.fd.MemoryMaps;
import org.platformd.client.fd.Native;
import org.platformd.client.internal.Liveness;
import org.platformd.client.internal.MappedBar;

/**
 * A mapped BAR's access (bounds check + revocation check + load/store) against the raw
 * baseline: the same little-endian ByteBuffer mapping of the same memfd, used directly. Both
 * walk 1024 registers per operation so the loop's cost is shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MappedBarBenchmark {
    static final int REGS = 1024;
    private int memfd;
    private ByteBuffer raw;
    private Bar bar;

    @Setup
    public void map() throws Exception {
        memfd = Native.LIBC.memfd_create("bench-bar", LibC.MFD_CLOEXEC);
        Native.LIBC.ftruncate(memfd, 4 * REGS);
        raw = MemoryMaps.map(memfd, 0, 4 * REGS, 0, 4 * REGS);
        bar = new MappedBar("0000:00:00.0", 0, MemoryMaps.map(memfd, 0, 4 * REGS, 0, 4 * REGS),
                Liveness.root().child(), () -> { });
    }

    @TearDown
    public void close() {
        Native.close(memfd);
    }

    private int next;

    /** One access per operation at a rotating register, as a driver polls registers. */
    @Benchmark
    public int rawRead32Single() {
        int off = next = (next + 4) & (4 * REGS - 1);
        return raw.getInt(off);
    }

    @Benchmark
    public int barRead32Single() {
        int off = next = (next + 4) & (4 * REGS - 1);
        return bar.read32(off);
    }

    @Benchmark
    public void rawWrite32Single() {
        int off = next = (next + 4) & (4 * REGS - 1);
        raw.putInt(off, off);
    }

    @Benchmark
    public void barWrite32Single() {
        int off = next = (next + 4) & (4 * REGS - 1);
        bar.write32(off, off);
    }

    @Benchmark
    public int rawRead32() {
        int s = 0;
        for (int i = 0; i < REGS; i++) {
            s += raw.getInt(i << 2);
        }
        return s;
    }

    @Benchmark
    public int barRead32() {
        int s = 0;
        for (int i = 0; i < REGS; i++) {
            s += bar.read32((long) i << 2);
        }
        return s;
    }

    @Benchmark
    public void rawWrite32() {
        for (int i = 0; i < REGS; i++) {
            raw.putInt(i << 2, i);
        }
    }

    @Benchmark
    public void barWrite32() {
        for (int i = 0; i < REGS; i++) {
            bar.write32((long) i << 2, i);
        }
    }
}
