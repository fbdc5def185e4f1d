package org.platformd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's allocation token: read from the file the environment names, nothing outside a container. */
class AllocationTokenTest {
    @Test
    void theNamedFileIsTheTokenAndNoVariableIsNoToken(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("token"), "abc_DEF-123\n");
        assertEquals("abc_DEF-123", AllocationToken.from(Map.of(AllocationToken.ENV, f.toString())));
        assertEquals("", AllocationToken.from(Map.of()));
        assertEquals("", AllocationToken.from(Map.of(AllocationToken.ENV, "")));
    }

    @Test
    void aNamedFileThatIsNotThereSaysWhatIsMissing(@TempDir Path dir) {
        PlatformException e = assertThrows(PlatformException.class,
                () -> AllocationToken.from(Map.of(AllocationToken.ENV, dir.resolve("none").toString())));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("PLATFORMD_ALLOCATION_TOKEN_FILE names " + dir.resolve("none")),
                e.getMessage());
    }
}
