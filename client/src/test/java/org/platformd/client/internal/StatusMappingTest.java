package org.platformd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.platformd.client.PlatformException;

class StatusMappingTest {
    @Test
    void keepsTheCodeAndTheDaemonsDescription() {
        var e = Status.NOT_FOUND.withDescription("device 0000:00:09.0 is not on the bus of session s1").asRuntimeException();
        PlatformException p = StatusMapping.map(e, "unix:/tmp/x.sock");
        assertEquals(Status.Code.NOT_FOUND, p.code());
        assertEquals("device 0000:00:09.0 is not on the bus of session s1", p.description());
        assertEquals("NOT_FOUND: device 0000:00:09.0 is not on the bus of session s1", p.getMessage());
        assertSame(e, p.getCause());
    }

    @Test
    void unavailableNamesTheTarget() {
        var e = Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();
        PlatformException p = StatusMapping.map(e, "unix:/tmp/x.sock");
        assertEquals("platformd at unix:/tmp/x.sock unavailable: io exception", p.description());
    }

    @Test
    void withoutADescriptionTheCauseOrCodeSpeaks() {
        assertEquals("INTERNAL", StatusMapping.map(Status.INTERNAL.asRuntimeException(), "t").description());
        assertEquals("boom", StatusMapping.map(Status.UNKNOWN.withCause(new IllegalStateException("boom"))
                .asRuntimeException(), "t").description());
    }
}
