// The Container Device Interface spec platformd offers: kind platformd.org/device, one device per policy label.
package org.platformd.driver.cdi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.platformd.driver.session.GrantedLabel;

/**
 * The Container Device Interface spec platformd offers: kind {@code platformd.org/device}, one device per policy
 * label. Asking a CDI-aware runtime for {@code platformd.org/device=edu-driver} (podman {@code --device},
 * containerd, CRI-O, the kubelet's CDI names) bind-mounts the daemon's socket and fd socket into the container at
 * the same paths and sets {@code PLATFORMD_SOCKET} (which the client library reads) and {@code PLATFORMD_LABEL}.
 *
 * <p>A container gets the socket, not the devices: the daemon still admits its process by the policy
 * (uid/gid) and hands devices over sessions, with the same teardown as for any client. Labels that are not
 * valid CDI device names are left out (logged by the writer).
 */
public final class CdiSpec {
    /** The CDI kind (vendor/class). */
    public static final String KIND = "platformd.org/device";
    /** The CDI spec version written; its fields are all in 0.5.0. */
    public static final String CDI_VERSION = "0.5.0";
    /** CDI device names: letters, digits, '_', '.', ':' and '-', starting with a letter or digit. */
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");

    private final Path socket;
    private final Optional<Path> fdSocket;

    /** @param socket the daemon's Unix socket; {@code fdSocket} its fd socket when it has one */
    public CdiSpec(Path socket, Optional<Path> fdSocket) {
        this.socket = socket.toAbsolutePath();
        this.fdSocket = fdSocket.map(Path::toAbsolutePath);
    }

    /** Whether {@code label} can be a CDI device name. */
    public static boolean isDeviceName(String label) {
        return DEVICE_NAME.matcher(label).matches();
    }

    /** The fully qualified CDI device name for a label, e.g. {@code platformd.org/device=edu-driver}. */
    public static String qualifiedName(String label) {
        return KIND + "=" + label;
    }

    /** The spec as JSON (CDI accepts JSON and YAML), for {@code labels} that are valid device names. */
    public String json(List<GrantedLabel> labels) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = json.createObjectNode();
        spec.put("cdiVersion", CDI_VERSION);
        spec.put("kind", KIND);
        ArrayNode devices = spec.putArray("devices");
        for (GrantedLabel l : labels) {
            if (!isDeviceName(l.label())) {
                continue;
            }
            ObjectNode d = devices.addObject();
            d.put("name", l.label());
            ObjectNode edits = d.putObject("containerEdits");
            ArrayNode env = edits.putArray("env");
            env.add("PLATFORMD_LABEL=" + l.label());
            env.add("PLATFORMD_SOCKET=" + socket);
        }
        // The sockets are the same for every label: one spec-wide edit, applied whenever a device of it is asked for.
        ObjectNode common = spec.putObject("containerEdits");
        ArrayNode mounts = common.putArray("mounts");
        mount(mounts, socket);
        fdSocket.ifPresent(p -> mount(mounts, p));
        return spec.toPrettyString() + "\n";
    }

    private static void mount(ArrayNode mounts, Path p) {
        ObjectNode m = mounts.addObject();
        m.put("hostPath", p.toString());
        m.put("containerPath", p.toString()); // same path: ExportResource names the fd socket by its host path
        ArrayNode options = m.putArray("options");
        options.add("bind");
    }
}
