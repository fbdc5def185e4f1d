package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.pci.BusAddress;

/** Several threads drive one device at once, including resets; the device stays consistent. */
class ConcurrencyTest {
    private static final BusAddress EDU = BusAddress.parse("00:02.0");

    @Test
    void concurrentDriversAndResetsNeverBreakTheDevice() throws Exception {
        try (SimBackend backend = SimBackend.builtIn()) {
            PciConfig cfg = backend.openConfig(EDU);
            cfg.setMemoryDecode(true);
            IoMem bar = backend.openIoMem(DeviceRef.pci(EDU), 0);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            try (Irq irq = backend.openIrq(DeviceRef.pci(EDU), IrqKind.INTX, 0)) {
                for (int t = 0; t < 3; t++) {
                    int seed = t;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 2000; i++) {
                            int id = bar.read32(0);
                            assertTrue(id == 0x010000ed || id == -1, "ID or all ones (decode off by a reset)");
                            bar.write32(0x60, 1 << seed);
                            bar.write32(0x08, i & 15);
                            bar.write32(0x64, 1 << seed);
                        }
                        return null;
                    }));
                }
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        cfg.reset();
                        cfg.setMemoryDecode(true);
                        irq.ack();
                    }
                    return null;
                }));
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            cfg.setMemoryDecode(true);
            EduDriver.waitClear(bar, 0x20, 0x01);
            bar.write32(0x08, 12);
            EduDriver.waitClear(bar, 0x20, 0x01);
            assertEquals(479001600, bar.read32(0x08), "still computes after the storm");
        }
    }

    @Test
    void aHugeFactorialTerminatesAndAnIrqCanBeReopened() throws Exception {
        try (SimBackend backend = SimBackend.builtIn()) {
            PciConfig cfg = backend.openConfig(EDU);
            cfg.setMemoryDecode(true);
            IoMem bar = backend.openIoMem(DeviceRef.pci(EDU), 0);
            bar.write32(0x08, -1); // 4294967295!: wraps to 0 in 32 bits
            EduDriver.waitClear(bar, 0x20, 0x01);
            assertEquals(0, bar.read32(0x08));
            for (int i = 0; i < 3; i++) {
                try (Irq irq = backend.openIrq(DeviceRef.pci(EDU), IrqKind.MSI, 0)) {
                    cfg.setBusMaster(true);
                    bar.write32(0x60, 1);
                    assertTrue(irq.await(Duration.ofSeconds(30)));
                    bar.write32(0x64, 1);
                }
            }
        }
    }
}
