package org.platformd.driver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.device.BridgeInventory;
import org.platformd.driver.device.DeviceBackend;
import org.platformd.driver.device.DeviceHandle;
import org.platformd.driver.peer.Peer;
import org.platformd.driver.peer.PeerCredentials;
import org.platformd.driver.session.Session;
import org.platformd.driver.session.SessionRegistry;
import org.platformd.pci.names.PciIds;
import org.platformd.proto.v1.InterruptEvent;
import org.platformd.driver.session.CloseReason;
import org.platformd.proto.v1.StreamInterruptsResponse;

/**
 * An MSI storm to a client that does not read its interrupt stream: the stream sends nothing while the
 * transport is not ready (the daemon queues nothing), and the first event after the client reads again
 * carries every firing in its count — as a pending bit would. Real emulated edu; only the client's
 * stream (its readiness) is a Mockito stand-in.
 */
@Timeout(60)
class InterruptFlowControlTest {
    private static final Peer ROOT = Peer.unix(new PeerCredentials(ProcessHandle.current().pid(), 0, 0));
    private SimBackend sim;
    private SessionRegistry registry;
    private final EventLoops loops = EventLoops.create();

    @AfterEach
    void stop() {
        loops.close();
        registry.closeAll(CloseReason.SERVER_SHUTDOWN, "test ends");
        registry.close();
        sim.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStormToAClientThatDoesNotReadIsCountedNotQueued() throws Exception {
        sim = SimBackend.builtIn();
        registry = new SessionRegistry(BridgeInventory.read(sim), DeviceBackend.of(sim), PolicyManager.initial(null), SessionRegistry.Settings.DEFAULT,
                Clock.systemUTC());
        Session s = registry.open("edu-driver", ROOT, Duration.ofSeconds(60));
        String name = s.bus().devices().get(0).name();
        registry.acquire(s, name);
        DeviceHandle edu = s.handle(s.acquiredHosts().get(0));
        edu.setInterruptMode(org.platformd.driver.device.InterruptMode.MSI, 1);
        edu.config().write16(0x04, edu.config().read16(0x04) | 0x6); // memory decode, bus master: MSIs are writes
        assertTrue(edu.openInterruptStream());

        AtomicBoolean ready = new AtomicBoolean(false);
        List<InterruptEvent> sent = new CopyOnWriteArrayList<>();
        ServerCallStreamObserver<StreamInterruptsResponse> out = mock(ServerCallStreamObserver.class);
        AtomicInteger readyChecks = new AtomicInteger(); // the stream asks once per round
        when(out.isReady()).thenAnswer(c -> {
            readyChecks.incrementAndGet();
            return ready.get();
        });
        org.mockito.Mockito.doAnswer(c -> sent.add(((StreamInterruptsResponse) c.getArgument(0)).getEvent()))
                .when(out).onNext(any());
        org.platformd.driver.observe.EventCounts counts = new org.platformd.driver.observe.EventCounts();
        InterruptStream stream = new InterruptStream(counts, loops.current(), out, Set.of());
        stream.start(s, name, edu);

        int storm = 20_000;
        for (int i = 0; i < storm; i++) {
            edu.ioMem(0).write32(0x60, 1); // raise: one MSI each (the edu sends one per raise with MSI on)
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (edu.irqs().get(0).deliveredCount() < storm && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(storm, edu.irqs().get(0).deliveredCount(), "every MSI reached the daemon");
        // The stream looks three more times (it asks isReady at each look), every firing counted, and still sends
        // nothing (a stream that sends regardless of isReady has sent by now: the wait ends there and verify says so).
        int rounds = readyChecks.get() + 3;
        deadline = System.nanoTime() + 30_000_000_000L;
        while (readyChecks.get() < rounds && sent.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        verify(out, never()).onNext(any());
        assertTrue(readyChecks.get() >= rounds, "the stream stopped going round (or never asks isReady)");

        ready.set(true); // the client reads again
        deadline = System.nanoTime() + 30_000_000_000L;
        while (sent.stream().mapToLong(InterruptEvent::getCount).sum() < storm && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(storm, sent.stream().mapToLong(InterruptEvent::getCount).sum(), "no firing lost");
        assertTrue(sent.size() <= 2, "the storm arrives coalesced, not as " + sent.size() + " queued events");
        assertEquals(storm, sent.get(sent.size() - 1).getTotalCount());
        assertEquals(storm, counts.interrupts(), "platformd_interrupts_total counts what was delivered");
        when(out.isCancelled()).thenReturn(true); // the client goes: the stream ends and gives its claim back
        deadline = System.nanoTime() + 30_000_000_000L;
        while (!edu.openInterruptStream() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        edu.closeInterruptStream();
        verify(out, never()).onError(any());
    }
}
