// The allocation token a Kubernetes container got from platformd's device plugin, read from the file it names.
package org.platformd.client;

import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The allocation token a container got from platformd's device plugin: the kubelet's Allocate mounts a file and
 * sets {@value #ENV} to its path. {@link PlatformClient#open} sends it with every OpenSession, so a driver in a pod
 * opens its label's session with no code of its own; a label whose policy says {@code kubelet="yes"} opens only
 * with it. Outside such a container the variable is unset and no token is sent.
 */
final class AllocationToken {
    /** The environment variable the device plugin sets in the container. */
    static final String ENV = "PLATFORMD_ALLOCATION_TOKEN_FILE";

    private AllocationToken() {
    }

    /** The token of {@code env}'s {@value #ENV} file, or "" when the variable is unset. */
    static String from(Map<String, String> env) {
        String file = env.get(ENV);
        if (file == null || file.isEmpty()) {
            return "";
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new PlatformException(Status.Code.FAILED_PRECONDITION, ENV + " names " + file
                    + ", which cannot be read (" + e + "): the container's allocation token file should be mounted"
                    + " there by platformd's device plugin", e);
        }
    }
}
