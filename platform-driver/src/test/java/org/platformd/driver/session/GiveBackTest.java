package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.device.BridgeInventory;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.pci.BusAddress;
import org.platformd.pci.names.PciIds;
import org.platformd.driver.session.CloseReason;

/**
 * The give-back path when the hardware does not play along: a device whose bus mastering can't be
 * switched off and whose reset fails is not proven quiet, so the DMA memory it could still write is
 * kept (not freed, not reused) and the device is handed on only after a reset succeeds; and a buffer the
 * client frees while its device masters the bus is freed only once mastering stops. The emulated machine
 * is real; only the failing config space is a Mockito spy of it.
 */
@Timeout(60)
class GiveBackTest {
    private static final Peer ROOT = Peer.unix(new PeerCredentials(ProcessHandle.current().pid(), 0, 0));

    private final AtomicBoolean broken = new AtomicBoolean();
    private SimBackend sim;
    private SessionRegistry registry;

    @BeforeEach
    void start() throws Exception {
        sim = spy(SimBackend.builtIn());
        doAnswer(call -> {
            PciConfig real = (PciConfig) call.callRealMethod();
            PciConfig config = spy(real);
            doAnswer(c -> {
                if (broken.get() && !(boolean) c.getArgument(0)) {
                    return null; // the device ignores "bus master off"
                }
                return c.callRealMethod();
            }).when(config).setBusMaster(anyBoolean());
            doAnswer(c -> {
                if (broken.get()) {
                    throw new BridgeException(BridgeException.Reason.OS_ERROR, real.toString(), "reset timed out");
                }
                return c.callRealMethod();
            }).when(config).reset();
            return config;
        }).when(sim).openConfig(any(BusAddress.class));
        registry = new SessionRegistry(BridgeInventory.read(sim), DeviceBackend.of(sim), PolicyManager.initial(null), SessionRegistry.Settings.DEFAULT,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        registry.closeAll(CloseReason.SERVER_SHUTDOWN, "test ends");
        registry.close();
        sim.close();
    }

    private Session open() {
        return registry.open("edu-driver", ROOT, Duration.ofSeconds(60));
    }

    private static String firstDevice(Session s) {
        return s.bus().devices().get(0).name();
    }

    @Test
    void memoryAnUnquietDeviceMayWriteIsKeptUntilAResetSucceeds() {
        Session a = open();
        String dev = firstDevice(a);
        registry.allocateDma(a, 8192, 0, 0);
        registry.acquire(a, dev);
        String host = a.acquiredHosts().get(0);
        a.handle(host).config().setBusMaster(true);
        broken.set(true);

        registry.close(a, CloseReason.EVICTED, "test");
        assertEquals(8192, registry.quarantinedDmaBytes(), "the session's buffer is kept, not freed");
        assertTrue(a.dmaDomain().orElseThrow().isOpen(), "and so is its DMA domain");

        Session b = open();
        PlatformError e = assertThrows(PlatformError.class, () -> registry.acquire(b, dev));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("could not be quiesced"), e.getMessage());
        assertFalse(b.holds(host), "not handed on");
        assertEquals(8192, registry.quarantinedDmaBytes());

        broken.set(false); // the device resets now
        registry.acquire(b, dev);
        assertTrue(b.holds(host));
        assertEquals(0, registry.quarantinedDmaBytes(), "freed once the device was proven quiet");
        assertFalse(a.dmaDomain().orElseThrow().isOpen(), "the kept domain is closed with it");
    }

    @Test
    void aBufferFreedWhileItsDeviceMastersIsFreedWhenMasteringStops() {
        Session s = open();
        String dev = firstDevice(s);
        var buffer = registry.allocateDma(s, 4096, 0, 0);
        registry.acquire(s, dev);
        String host = s.acquiredHosts().get(0);
        s.handle(host).config().setBusMaster(true);
        var domain = s.dmaDomain().orElseThrow();

        registry.freeDma(s, buffer.bufferId());
        assertEquals(1, domain.buffers().size(), "the memory stays while the device may still be writing it");
        assertThrows(PlatformError.class, () -> registry.dmaBuffer(s, buffer.bufferId()),
                "but the client's id is gone at once");

        registry.release(s, dev); // bus mastering off (the give-back quiesces)
        assertEquals(0, domain.buffers().size(), "freed once no device of the session masters the bus");
    }

    @Test
    void aFailedAcquireGivesEverythingBack() {
        Session s = open();
        String dev = firstDevice(s);
        s.dmaDomain().orElseThrow().close(); // attaching to it fails (CLOSED) after the claim and the reset
        assertThrows(RuntimeException.class, () -> registry.acquire(s, dev));
        assertTrue(s.acquiredHosts().isEmpty());
        Session other = open();
        registry.acquire(other, dev); // the claim was dropped: another session gets it
        assertEquals(1, other.acquiredHosts().size());
    }
}
