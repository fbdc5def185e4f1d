package org.platformd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformClientTest {
    @Test
    void defaultSocketPathFollowsTheDaemonsRule() {
        assertEquals(Path.of("/x/p.sock"), PlatformClient.defaultSocketPath(
                Map.of("PLATFORMD_SOCKET", "/x/p.sock", "XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals(Path.of("/run/user/1000/platformd/platformd.sock"),
                PlatformClient.defaultSocketPath(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals(Path.of("/run/platformd/platformd.sock"), PlatformClient.defaultSocketPath(Map.of(), 0));
        assertEquals(Path.of("/tmp/platformd-1000/platformd.sock"), PlatformClient.defaultSocketPath(Map.of(), 1000));
    }

    @Test
    void connectingIsLazyTheTargetNamesTheSocketAndCloseIsIdempotent() {
        PlatformClient c = PlatformClient.connect(Path.of("/nonexistent/platformd.sock"));
        assertEquals("unix:/nonexistent/platformd.sock", c.target());
        PlatformException e = org.junit.jupiter.api.Assertions.assertThrows(PlatformException.class, () -> c.open("x"));
        assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.code());
        c.close();
        c.close();
    }
}
