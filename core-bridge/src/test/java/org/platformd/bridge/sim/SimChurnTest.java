package org.platformd.bridge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.PciConfig;
import org.platformd.pci.BusAddress;

/**
 * Churn leaves nothing behind in the sim: many open/map/alloc/close cycles (framebuffer session with its fd
 * handed out and revoked, DMA domain with a buffer) end with as many memfd mappings in /proc/self/maps and
 * as many open backend objects as before, once the collector has run (the JDK unmaps a MappedByteBuffer
 * when it is collected: a closed session or buffer that something still reaches keeps its mapping).
 */
class SimChurnTest {
    private static final BusAddress DISPLAY = BusAddress.parse("01:01.0");
    private static final DeviceRef EDU = DeviceRef.pci(BusAddress.parse("00:02.0"));
    private SimBackend backend;

    @BeforeEach
    void open() {
        backend = SimBackend.builtIn();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    static long memfdMaps() throws IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("/memfd:")).count();
        }
    }

    private void cycle() {
        try (PciConfig cfg = backend.openConfig(DISPLAY)) {
            cfg.setMemoryDecode(true);
            try (IoMem fb = backend.openIoMem(DeviceRef.pci(DISPLAY), 0)) {
                fb.mappable().orElseThrow();
                fb.write32(0, 7);
            }
        }
        try (DmaDomain d = backend.openDmaDomain("probe")) {
            d.attach(EDU);
            DmaBuffer b = d.allocate(4096, 4096, 32);
            b.buffer().putInt(0, 1);
            b.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void cyclesLeaveNoMappingAndNoOpenObjectBehind() throws Exception {
        for (int i = 0; i < 20; i++) {
            cycle();
        }
        System.gc();
        Thread.sleep(200);
        long before = memfdMaps();
        for (int i = 0; i < 300; i++) {
            cycle();
        }
        long noGc = memfdMaps();
        System.gc();
        Thread.sleep(500);
        long after = memfdMaps();
        for (int i = 0; i < 20 && after != before; i++) { // the cleaners run after the collection
            Thread.sleep(100);
            System.gc();
            after = memfdMaps();
        }
        assertEquals(before, after, "memfd mappings (" + noGc + " before the collection)");
        assertEquals(0, backend.openSessionCount(), "open sessions and DMA domains");
        assertEquals(0, backend.watchedUnmaskEventFds());
    }
}
