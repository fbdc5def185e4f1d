package org.platformd.bridge.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.fd.EventFd;
import org.platformd.pci.BusAddress;

/**
 * Interrupt raise-to-wake latency as a round trip: the benchmark thread makes the edu device raise an
 * interrupt (write to its raise register); a waiter thread wakes through the {@link Irq} session
 * (blocking await, or poll on the eventfd; INTx also acks the device and unmasks) and answers with a
 * plain unpark. Baselines in the same run replace the first leg with a raw handoff: unpark, or an
 * eventfd write→poll. So irq − raw-park ≈ what the session path adds to one wake.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IrqLatencyBenchmark {
    @Param({"raw-park", "raw-eventfd", "msi-await", "msi-eventfd", "intx-await-ack"})
    public String path;

    private SimBackend backend;
    private IoMem edu;
    private Irq irq;
    private EventFd rawEventFd;
    private Thread waiter;
    private volatile Thread bench;
    private volatile boolean stop;
    private volatile long requested;
    private volatile long answered;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        backend = SimBackend.builtIn();
        BusAddress addr = BusAddress.parse("00:02.0");
        try (PciConfig cfg = backend.openConfig(addr)) {
            cfg.setMemoryDecode(true);
            cfg.setBusMaster(true);
        }
        edu = backend.openIoMem(DeviceRef.pci(addr), 0);
        switch (path) {
            case "msi-await", "msi-eventfd" -> irq = backend.openIrq(DeviceRef.pci(addr), IrqKind.MSI, 0);
            case "intx-await-ack" -> irq = backend.openIrq(DeviceRef.pci(addr), IrqKind.INTX, 0);
            case "raw-eventfd" -> rawEventFd = EventFd.create("bench");
            default -> {
            }
        }
        waiter = new Thread(this::waitLoop, "irq-waiter");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void waitLoop() {
        long seen = 0;
        try {
            while (!stop) {
                boolean woke = switch (path) {
                    case "raw-park" -> {
                        LockSupport.parkNanos(100_000_000L);
                        yield requested != seen;
                    }
                    case "raw-eventfd" -> rawEventFd.await(100) > 0;
                    case "msi-eventfd" -> EventFd.await(irq.eventFd(), 100) > 0;
                    case "msi-await" -> irq.await(Duration.ofMillis(100));
                    case "intx-await-ack" -> {
                        if (!irq.await(Duration.ofMillis(100))) {
                            yield false;
                        }
                        edu.write32(0x64, 0x1);
                        irq.ack();
                        yield true;
                    }
                    default -> throw new IllegalStateException(path);
                };
                if (woke) {
                    seen = requested;
                    answered = seen;
                    LockSupport.unpark(bench);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Benchmark
    public long roundTrip() {
        bench = Thread.currentThread();
        long n = requested + 1;
        requested = n;
        switch (path) {
            case "raw-park" -> LockSupport.unpark(waiter);
            case "raw-eventfd" -> rawEventFd.signal();
            default -> edu.write32(0x60, 0x1); // the device raises its interrupt
        }
        while (answered != n) {
            LockSupport.parkNanos(1_000_000L);
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stop = true;
        LockSupport.unpark(waiter);
        waiter.join(2000);
        if (rawEventFd != null) {
            rawEventFd.close();
        }
        backend.close();
    }
}
