// The daemon's command-line flags (picocli), turned into listeners and settings.
package org.platformd.driver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.platformd.driver.server.Listener;
import org.platformd.driver.server.SocketPath;
import picocli.CommandLine.Option;

/** The daemon's command-line flags (picocli), turned into listeners and settings. */
public final class DaemonOptions {

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Unix socket to listen on (mode 0660; a stale socket is replaced, a live daemon refuses). "
                    + "Default: $XDG_RUNTIME_DIR/platformd/platformd.sock, /run/platformd/platformd.sock for root, "
                    + "else /tmp/platformd-$UID/platformd.sock.")
    Path socket;

    @Option(names = "--no-unix-socket", description = "Do not listen on a Unix socket (TCP only).")
    boolean noUnixSocket;

    @Option(names = "--fd-socket", paramLabel = "PATH",
            description = "Unix socket where ExportResource tokens are redeemed for file descriptors (mode 0660). "
                    + "Default: the --socket path with \".fds\" appended. Needs the Unix socket.")
    Path fdSocket;

    @Option(names = "--fd-token-ttl-ms", paramLabel = "MS", defaultValue = "10000", hidden = true,
            description = "How long an ExportResource token is accepted.")
    long fdTokenTtlMillis;

    @Option(names = "--tcp", paramLabel = "HOST:PORT",
            description = "Also listen on TCP; needs --tls-cert, --tls-key and --tls-client-ca (mutual TLS), "
                    + "or --insecure-tcp-loopback with a loopback HOST.")
    String tcp;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain for --tcp.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Server private key (PKCS#8 PEM) for --tcp.")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM",
            description = "CA that signs client certificates; a client's certificate CN is its session label.")
    Path tlsClientCa;

    @Option(names = "--tls-admin-cn", paramLabel = "CN",
            description = "Client certificate CN allowed to call AdminService over TLS (repeatable).")
    List<String> tlsAdminCns = new ArrayList<>();

    @Option(names = "--insecure-tcp-loopback",
            description = "Development only, not with --backend linux: serve --tcp in plaintext; HOST must be a loopback"
                    + " address. Peers are anonymous: only policies with uid=\"*\" admit them, no AdminService.")
    boolean insecureTcpLoopback;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Policy file (watched: an edit is validated and applied, or rejected with the old policy "
                    + "kept). Default: the shipped example (see --print-default-policy).")
    Path policy;

    @Option(names = "--print-default-policy", description = "Print the shipped example policy and exit.")
    boolean printDefaultPolicy;

    @Option(names = "--backend", paramLabel = "sim|linux", defaultValue = "sim",
            description = "Hardware backend (default ${DEFAULT-VALUE}: the emulated machine; linux: this machine's PCI"
                    + " devices through sysfs, VFIO, UIO and port I/O).")
    String backend;

    @Option(names = "--take-over", paramLabel = "BDF[,BDF...]", split = ",",
            description = "With --backend linux: PCI functions to take from their kernel drivers at start (bound to"
                    + " vfio-pci, or uio_pci_generic without VFIO) and give back at exit. Besides these, only functions"
                    + " a policy marks driver_override=\"yes\" are taken, while a session holds them.")
    List<String> takeOver = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/run/platformd",
            description = "With --backend linux: where the daemon journals the devices it takes from their drivers"
                    + " (a daemon that died holding them is undone at the next start) and holds the lock that keeps a"
                    + " second daemon off the same devices (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--machine", paramLabel = "FILE",
            description = "Emulated machine description for --backend sim (default: the built-in machine).")
    Path machine;

    @Option(names = "--devices-from", paramLabel = "SOURCE",
            description = "Inventory only, no backend: sysfs[:DIR] or dump:FILE (lspci -x dump). Devices are listed,"
                    + " granted and acquired, but the data path answers FAILED_PRECONDITION.")
    String devicesFrom;

    @Option(names = "--lease-grace", paramLabel = "SECONDS", defaultValue = "10",
            description = "Lease of a session that asked for none, in seconds (default ${DEFAULT-VALUE}).")
    long leaseGraceSeconds;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "4096",
            description = "Most sessions at once (default ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--keepalive-ms", paramLabel = "MS", defaultValue = "30000", hidden = true,
            description = "How long a connection may be silent before the server pings it.")
    long keepAliveMillis;

    @Option(names = "--keepalive-timeout-ms", paramLabel = "MS", defaultValue = "10000", hidden = true,
            description = "How long the server waits for a ping's answer before it closes the connection.")
    long keepAliveTimeoutMillis;

    @Option(names = "--call-threads", paramLabel = "N", defaultValue = "64",
            description = "Most gRPC calls running at once (default ${DEFAULT-VALUE}); more wait their turn. What one"
                    + " peer may occupy is the policy's <peer-limits calls>.")
    int callThreads;

    @Option(names = "--metrics-http", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics. HOST must be a loopback address unless"
                    + " --tls-cert and --tls-key are given (then HTTPS with that certificate).")
    String metricsHttp;

    @Option(names = "--metrics-textfile", paramLabel = "PATH",
            description = "Write the metrics to PATH (Prometheus text format, for node_exporter's textfile collector),"
                    + " atomically (temporary file + rename), every --metrics-textfile-interval seconds and at exit.")
    Path metricsTextFile;

    @Option(names = "--metrics-textfile-interval", paramLabel = "SECONDS", defaultValue = "15",
            description = "How often --metrics-textfile is rewritten (default ${DEFAULT-VALUE}).")
    long metricsTextFileIntervalSeconds;

    @Option(names = "--cdi-dir", paramLabel = "DIR", arity = "0..1", fallbackValue = "/var/run/cdi",
            description = "Write a CDI spec (kind platformd.org/device, one device per policy label) to DIR/"
                    + "platformd.org-device.json, rewritten at each policy reload; without DIR /var/run/cdi.")
    Path cdiDir;

    @Option(names = "--kubelet-dir", paramLabel = "DIR", arity = "0..1",
            fallbackValue = "/var/lib/kubelet/device-plugins",
            description = "Be a Kubernetes device plugin (v1beta1): register resource platformd.org/LABEL per policy"
                    + " label with DIR/kubelet.sock and serve it on DIR/platformd-LABEL.sock; without DIR"
                    + " /var/lib/kubelet/device-plugins.")
    Path kubeletDir;

    @Option(names = "--kubelet-poll-ms", paramLabel = "MS", defaultValue = "1000", hidden = true,
            description = "How often the kubelet's socket and the plugin sockets are checked (kubelet restarts).")
    long kubeletPollMillis;

    @Option(names = "--policy-poll-ms", paramLabel = "MS", defaultValue = "250", hidden = true,
            description = "How often the policy file is checked for changes.")
    long policyPollMillis;

    /** The transport settings these flags ask for. */
    public org.platformd.driver.server.DaemonServer.Settings serverSettings() {
        if (callThreads < 1 || keepAliveMillis < 1 || keepAliveTimeoutMillis < 1) {
            throw new IllegalArgumentException("--call-threads, --keepalive-ms and --keepalive-timeout-ms must be"
                    + " at least 1");
        }
        return new org.platformd.driver.server.DaemonServer.Settings(callThreads, Duration.ofMillis(keepAliveMillis),
                Duration.ofMillis(keepAliveTimeoutMillis));
    }

    /** Parses daemon flags (as bin/platformd takes them); for tests and embedding. */
    public static DaemonOptions parse(String... args) {
        DaemonOptions o = new DaemonOptions();
        new picocli.CommandLine(o).parseArgs(args);
        return o;
    }

    /** The listeners these flags ask for; throws IllegalArgumentException naming the flag on misuse. */
    /**
     * The {@code --take-over} functions.
     *
     * @throws IllegalArgumentException a value that is not a bus address, or --take-over without --backend linux
     */
    public List<org.platformd.pci.BusAddress> takeOverAddresses() {
        if (!takeOver.isEmpty() && !"linux".equals(backend)) {
            throw new IllegalArgumentException("--take-over needs --backend linux");
        }
        List<org.platformd.pci.BusAddress> out = new ArrayList<>();
        for (String t : takeOver) {
            if (!org.platformd.pci.BusAddress.isBusAddress(t.trim())) {
                throw new IllegalArgumentException("--take-over " + t + ": not a PCI bus address (e.g. 0000:00:03.0)");
            }
            out.add(org.platformd.pci.BusAddress.parse(t.trim()));
        }
        return out;
    }

    public List<Listener> listeners() {
        if (insecureTcpLoopback && "linux".equals(backend)) {
            throw new IllegalArgumentException("--insecure-tcp-loopback is refused with --backend linux: its peers are"
                    + " anonymous, so any local user could drive real hardware; use --tls-cert/--tls-key/--tls-client-ca"
                    + " (mutual TLS) or the Unix socket");
        }
        List<Listener> out = new ArrayList<>();
        if (!noUnixSocket) {
            out.add(new Listener.Unix(socketPath()));
        }
        if (tcp == null) {
            if (tlsCert != null || tlsKey != null || tlsClientCa != null || insecureTcpLoopback) {
                throw new IllegalArgumentException("--tls-*/--insecure-tcp-loopback need --tcp HOST:PORT");
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("--no-unix-socket without --tcp leaves nothing to listen on");
            }
            return out;
        }
        InetSocketAddress address = hostPort(tcp);
        boolean tls = tlsCert != null && tlsKey != null && tlsClientCa != null;
        if (insecureTcpLoopback) {
            if (tlsCert != null || tlsKey != null || tlsClientCa != null) {
                throw new IllegalArgumentException("--insecure-tcp-loopback and --tls-* exclude each other");
            }
            out.add(new Listener.InsecureLoopback(address));
        } else if (tls) {
            Set<String> admins = new LinkedHashSet<>(tlsAdminCns);
            out.add(new Listener.Tls(address, tlsCert, tlsKey, tlsClientCa, admins));
        } else {
            throw new IllegalArgumentException("--tcp needs --tls-cert, --tls-key and --tls-client-ca (mutual TLS), "
                    + "or --insecure-tcp-loopback for development on a loopback address");
        }
        return out;
    }

    /** The fd socket: {@code --fd-socket}, else the Unix socket's path + ".fds"; empty without a Unix socket. */
    public java.util.Optional<Path> fdSocketPath() {
        if (noUnixSocket) {
            if (fdSocket != null) {
                throw new IllegalArgumentException("--fd-socket needs the Unix socket (drop --no-unix-socket):"
                        + " only a Unix-socket peer can redeem an fd token");
            }
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(fdSocket != null ? fdSocket
                : socketPath().resolveSibling(socketPath().getFileName() + ".fds"));
    }

    public Path socketPath() {
        return socket != null ? socket : SocketPath.defaultPath();
    }

    /** {@code --metrics-http}'s address, or null when the flag is absent. */
    public InetSocketAddress metricsHttpAddress() {
        return metricsHttp == null ? null : hostPort("--metrics-http", metricsHttp);
    }

    static InetSocketAddress hostPort(String text) {
        return hostPort("--tcp", text);
    }

    static InetSocketAddress hostPort(String flag, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(flag + " " + text + ": expected HOST:PORT, e.g. 127.0.0.1:7443");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " " + text + ": port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + " " + text + ": port outside 0..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(flag + " " + text + ": unknown host " + host);
        }
    }
}
