package org.platformd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platformd.client.DeviceRevokedException;
import org.platformd.client.PlatformException;
import org.platformd.client.fd.LibC;
import org.platformd.client.fd.MemoryMaps;
import org.platformd.client.fd.Native;

/**
 * A BAR mapped from a real memfd, as the daemon's sim exports one: little-endian accesses of
 * every width, bounds checked before the access, revocation seen on the next access — also
 * when the memfd was truncated under the mapping (SIGBUS → InternalError in the JVM).
 */
class MappedBarTest {
    private int memfd;
    private Liveness device;
    private MappedBar bar;
    private int closes;

    @BeforeEach
    void map() throws Exception {
        memfd = Native.LIBC.memfd_create("bar", LibC.MFD_CLOEXEC);
        assertEquals(0, Native.LIBC.ftruncate(memfd, 8192));
        ByteBuffer view = MemoryMaps.map(memfd, 0, 8192, 0, 8192);
        device = Liveness.root().child();
        bar = new MappedBar("0000:00:01.0", 0, view, device.child(), () -> closes++);
    }

    @AfterEach
    void unmapLater() {
        Native.close(memfd);
    }

    @Test
    void accessesOfEveryWidthAreLittleEndian() {
        assertTrue(bar.isMapped());
        assertEquals(8192, bar.size());
        bar.write64(0x10, 0x1122334455667788L);
        assertEquals(0x88, bar.read8(0x10));
        assertEquals(0x7788, bar.read16(0x10));
        assertEquals(0x55667788, bar.read32(0x10));
        assertEquals(0x11223344, bar.read32(0x14));
        bar.write8(0x20, 0xfe);
        bar.write16(0x22, 0xbeef);
        bar.write32(0x24, 0xcafef00d);
        assertEquals(0xcafef00dbeef00feL, bar.read64(0x20));
        assertEquals(0xbeef, bar.buffer().getShort(0x22) & 0xffff);
    }

    @Test
    void outOfBoundsFailsBeforeTouchingMemory() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> bar.write32(8192, 1));
        assertEquals("BAR 0 of 0000:00:01.0: offset 0x2000 width 4 is outside the BAR (size 0x2000)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bar.read64(4));
    }

    @Test
    void revocationIsSeenOnTheNextAccess() {
        bar.read32(0);
        device.kill(new Liveness.Revoked("0000:00:01.0", "POLICY_CHANGED"));
        DeviceRevokedException e = assertThrows(DeviceRevokedException.class, () -> bar.read32(0));
        assertTrue(e.getMessage().contains("POLICY_CHANGED"));
        assertThrows(DeviceRevokedException.class, bar::buffer);
    }

    /**
     * JDK 25 (checked; earlier releases after 17 not checked) throws the fault's InternalError synchronously from the access, so
     * the accessor turns it into DeviceRevokedException. JDK 17 delivers it asynchronously in
     * JIT-compiled code ("a fault occurred in a recent unsafe memory access operation in compiled
     * Java code") at the thread's next safepoint poll, which may lie past the accessor; there it
     * stays an InternalError (the next access after the DeviceRevoked event is a clean
     * DeviceRevokedException either way).
     */
    @Test
    void aTruncatedMemfdFaultsAndThatIsARevocation() {
        bar.write32(4096, 7);
        assertEquals(0, Native.LIBC.ftruncate(memfd, 0)); // what the sim does on revocation
        Throwable t = null;
        try {
            bar.read32(4096);
            Thread.sleep(1); // a VM transition: JDK 17 delivers a pending async fault here at the latest
        } catch (Throwable x) {
            t = x;
        }
        if (Runtime.version().feature() >= 25) {
            DeviceRevokedException e = assertInstanceOf(DeviceRevokedException.class, t);
            assertEquals("0000:00:01.0", e.deviceName());
            assertInstanceOf(InternalError.class, e.getCause());
        } else {
            assertTrue(t instanceof DeviceRevokedException || t instanceof InternalError, String.valueOf(t));
        }
    }

    @Test
    void closeIsIdempotentAndLaterAccessesFail() {
        bar.close();
        bar.close();
        assertEquals(1, closes);
        PlatformException e = assertThrows(PlatformException.class, () -> bar.read8(0));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
    }
}
