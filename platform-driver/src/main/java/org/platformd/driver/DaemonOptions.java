// The daemon's command-line flags, turned into listeners and settings.
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
import org.platformd.driver.cli.Getopt;
import org.platformd.driver.cli.UsageException;

/**
 * The daemon's command-line flags, turned into listeners and settings. The flags are a {@link Getopt}
 * table ({@link #OPTIONS}): picocli's model, built by reflection, was a third of the daemon's time to ready.
 * Parsed once into final fields; immutable.
 */
public final class DaemonOptions {

    private static final Getopt.Option SOCKET = Getopt.Option.value("socket", "PATH",
            "Unix socket to listen on (mode 0660; a stale socket is replaced, a live daemon refuses). Default:"
                    + " $XDG_RUNTIME_DIR/platformd/platformd.sock, /run/platformd/platformd.sock for root, else"
                    + " /tmp/platformd-$UID/platformd.sock.");
    private static final Getopt.Option NO_UNIX_SOCKET = Getopt.Option.flag("no-unix-socket",
            "Do not listen on a Unix socket (TCP only).");
    private static final Getopt.Option FD_SOCKET = Getopt.Option.value("fd-socket", "PATH",
            "Unix socket where ExportResource tokens are redeemed for file descriptors (mode 0660). Default: the"
                    + " --socket path with \".fds\" appended. Needs the Unix socket.");
    private static final Getopt.Option FD_TOKEN_TTL_MS = Getopt.Option.value("fd-token-ttl-ms", "MS",
            "How long an ExportResource token is accepted.").hide();
    private static final Getopt.Option TCP = Getopt.Option.value("tcp", "HOST:PORT",
            "Also listen on TCP; needs --tls-cert, --tls-key and --tls-client-ca (mutual TLS), or"
                    + " --insecure-tcp-loopback with a loopback HOST.");
    private static final Getopt.Option TLS_CERT = Getopt.Option.value("tls-cert", "PEM",
            "Server certificate chain for --tcp.");
    private static final Getopt.Option TLS_KEY = Getopt.Option.value("tls-key", "PEM",
            "Server private key (PKCS#8 PEM) for --tcp.");
    private static final Getopt.Option TLS_CLIENT_CA = Getopt.Option.value("tls-client-ca", "PEM",
            "CA that signs client certificates; a client's certificate CN is its session label.");
    private static final Getopt.Option TLS_ADMIN_CN = Getopt.Option.repeatable("tls-admin-cn", "CN",
            "Client certificate CN allowed to call AdminService over TLS (repeatable).");
    private static final Getopt.Option INSECURE_TCP_LOOPBACK = Getopt.Option.flag("insecure-tcp-loopback",
            "Development only, not with --backend linux: serve --tcp in plaintext; HOST must be a loopback address."
                    + " Peers are anonymous: only policies with uid=\"*\" admit them, no AdminService.");
    private static final Getopt.Option POLICY = Getopt.Option.value("policy", "FILE",
            "Policy file (watched: an edit is validated and applied, or rejected with the old policy kept). Default:"
                    + " the shipped example (see --print-default-policy).");
    private static final Getopt.Option PRINT_DEFAULT_POLICY = Getopt.Option.flag("print-default-policy",
            "Print the shipped example policy and exit.");
    private static final Getopt.Option BACKEND = Getopt.Option.value("backend", "sim|linux",
            "Hardware backend (default sim: the emulated machine; linux: this machine's PCI devices through sysfs,"
                    + " VFIO, UIO and port I/O).");
    private static final Getopt.Option TAKE_OVER = Getopt.Option.repeatable("take-over", "BDF[,BDF...]",
            "With --backend linux: PCI functions to take from their kernel drivers at start (bound to vfio-pci, or"
                    + " uio_pci_generic without VFIO) and give back at exit. Besides these, only functions a policy"
                    + " marks driver_override=\"yes\" are taken, while a session holds them.");
    private static final Getopt.Option STATE_DIR = Getopt.Option.value("state-dir", "DIR",
            "With --backend linux: where the daemon journals the devices it takes from their drivers (a daemon that"
                    + " died holding them is undone at the next start) and holds the lock that keeps a second daemon"
                    + " off the same devices (default /run/platformd).");
    private static final Getopt.Option MACHINE = Getopt.Option.value("machine", "FILE",
            "Emulated machine description for --backend sim (default: the built-in machine).");
    private static final Getopt.Option DEVICES_FROM = Getopt.Option.value("devices-from", "SOURCE",
            "Inventory only, no backend: sysfs[:DIR] or dump:FILE (lspci -x dump). Devices are listed, granted and"
                    + " acquired, but the data path answers FAILED_PRECONDITION.");
    private static final Getopt.Option LEASE_GRACE = Getopt.Option.value("lease-grace", "SECONDS",
            "Lease of a session that asked for none, in seconds (default 10).");
    private static final Getopt.Option MAX_SESSIONS = Getopt.Option.value("max-sessions", "N",
            "Most sessions at once (default 4096).");
    private static final Getopt.Option KEEPALIVE_MS = Getopt.Option.value("keepalive-ms", "MS",
            "How long a connection may be silent before the server pings it.").hide();
    private static final Getopt.Option KEEPALIVE_TIMEOUT_MS = Getopt.Option.value("keepalive-timeout-ms", "MS",
            "How long the server waits for a ping's answer before it closes the connection.").hide();
    private static final Getopt.Option CALL_THREADS = Getopt.Option.value("call-threads", "N",
            "Most gRPC calls running at once (default 64); more wait their turn. What one peer may occupy is the"
                    + " policy's <peer-limits calls>.");
    private static final Getopt.Option METRICS_HTTP = Getopt.Option.value("metrics-http", "HOST:PORT",
            "Serve Prometheus metrics on http://HOST:PORT/metrics. HOST must be a loopback address unless --tls-cert"
                    + " and --tls-key are given (then HTTPS with that certificate).");
    private static final Getopt.Option METRICS_TEXTFILE = Getopt.Option.value("metrics-textfile", "PATH",
            "Write the metrics to PATH (Prometheus text format, for node_exporter's textfile collector), atomically"
                    + " (temporary file + rename), every --metrics-textfile-interval seconds and at exit.");
    private static final Getopt.Option METRICS_TEXTFILE_INTERVAL = Getopt.Option.value("metrics-textfile-interval",
            "SECONDS", "How often --metrics-textfile is rewritten (default 15).");
    private static final Getopt.Option CDI_DIR = Getopt.Option.optionalValue("cdi-dir", "DIR", "/var/run/cdi",
            "Write a CDI spec (kind platformd.org/device, one device per policy label) to"
                    + " DIR/platformd.org-device.json, rewritten at each policy reload; without DIR /var/run/cdi.");
    private static final Getopt.Option KUBELET_DIR = Getopt.Option.optionalValue("kubelet-dir", "DIR",
            "/var/lib/kubelet/device-plugins",
            "Be a Kubernetes device plugin (v1beta1): register resource platformd.org/LABEL per policy label with"
                    + " DIR/kubelet.sock and serve it on DIR/platformd-LABEL.sock; without DIR"
                    + " /var/lib/kubelet/device-plugins.");
    private static final Getopt.Option KUBELET_POLL_MS = Getopt.Option.value("kubelet-poll-ms", "MS",
            "How often the kubelet's socket and the plugin sockets are checked (kubelet restarts).").hide();
    private static final Getopt.Option POLICY_POLL_MS = Getopt.Option.value("policy-poll-ms", "MS",
            "How often the policy file is checked for changes.").hide();
    private static final Getopt.Option HELP = Getopt.Option.flag('h', "help", "Show this help message and exit.");
    private static final Getopt.Option VERSION = Getopt.Option.flag('V', "version",
            "Print version information and exit.");

    /** The flags, in the order help lists them. */
    static final Getopt OPTIONS = new Getopt("platformd", List.of(SOCKET, NO_UNIX_SOCKET, FD_SOCKET,
            FD_TOKEN_TTL_MS, TCP, TLS_CERT, TLS_KEY, TLS_CLIENT_CA, TLS_ADMIN_CN, INSECURE_TCP_LOOPBACK, POLICY,
            PRINT_DEFAULT_POLICY, BACKEND, TAKE_OVER, STATE_DIR, MACHINE, DEVICES_FROM, LEASE_GRACE, MAX_SESSIONS,
            KEEPALIVE_MS, KEEPALIVE_TIMEOUT_MS, CALL_THREADS, METRICS_HTTP, METRICS_TEXTFILE,
            METRICS_TEXTFILE_INTERVAL, CDI_DIR, KUBELET_DIR, KUBELET_POLL_MS, POLICY_POLL_MS, HELP, VERSION));

    /** What {@code platformd --help} says the daemon is. */
    static final String DESCRIPTION = "The platformd platform driver daemon: hands PCI devices to client drivers"
            + " under a policy.";

    final Path socket;
    final boolean noUnixSocket;
    final Path fdSocket;
    final long fdTokenTtlMillis;
    final String tcp;
    final Path tlsCert;
    final Path tlsKey;
    final Path tlsClientCa;
    final List<String> tlsAdminCns;
    final boolean insecureTcpLoopback;
    final Path policy;
    final boolean printDefaultPolicy;
    final String backend;
    final List<String> takeOver;
    final Path stateDir;
    final Path machine;
    final String devicesFrom;
    final long leaseGraceSeconds;
    final int maxSessions;
    final long keepAliveMillis;
    final long keepAliveTimeoutMillis;
    final int callThreads;
    final String metricsHttp;
    final Path metricsTextFile;
    final long metricsTextFileIntervalSeconds;
    final Path cdiDir;
    final Path kubeletDir;
    final long kubeletPollMillis;
    final long policyPollMillis;
    /** {@code --help} or {@code --version}: print and exit, start nothing. */
    final boolean help;
    final boolean version;

    private DaemonOptions(Getopt.Parsed p) {
        OPTIONS.refuseOperands(p);
        socket = path(p, SOCKET);
        noUnixSocket = p.has(NO_UNIX_SOCKET);
        fdSocket = path(p, FD_SOCKET);
        fdTokenTtlMillis = number(p, FD_TOKEN_TTL_MS, 10_000);
        tcp = p.value(TCP);
        tlsCert = path(p, TLS_CERT);
        tlsKey = path(p, TLS_KEY);
        tlsClientCa = path(p, TLS_CLIENT_CA);
        tlsAdminCns = p.values(TLS_ADMIN_CN);
        insecureTcpLoopback = p.has(INSECURE_TCP_LOOPBACK);
        policy = path(p, POLICY);
        printDefaultPolicy = p.has(PRINT_DEFAULT_POLICY);
        backend = p.value(BACKEND) != null ? p.value(BACKEND) : "sim";
        takeOver = p.values(TAKE_OVER).stream().flatMap(v -> java.util.Arrays.stream(v.split(","))).toList();
        stateDir = p.value(STATE_DIR) != null ? Path.of(p.value(STATE_DIR)) : Path.of("/run/platformd");
        machine = path(p, MACHINE);
        devicesFrom = p.value(DEVICES_FROM);
        leaseGraceSeconds = number(p, LEASE_GRACE, 10);
        maxSessions = Math.toIntExact(intNumber(p, MAX_SESSIONS, 4096));
        keepAliveMillis = number(p, KEEPALIVE_MS, 30_000);
        keepAliveTimeoutMillis = number(p, KEEPALIVE_TIMEOUT_MS, 10_000);
        callThreads = Math.toIntExact(intNumber(p, CALL_THREADS, 64));
        metricsHttp = p.value(METRICS_HTTP);
        metricsTextFile = path(p, METRICS_TEXTFILE);
        metricsTextFileIntervalSeconds = number(p, METRICS_TEXTFILE_INTERVAL, 15);
        cdiDir = path(p, CDI_DIR);
        kubeletDir = path(p, KUBELET_DIR);
        kubeletPollMillis = number(p, KUBELET_POLL_MS, 1000);
        policyPollMillis = number(p, POLICY_POLL_MS, 250);
        help = p.has(HELP);
        version = p.has(VERSION);
    }

    private static Path path(Getopt.Parsed p, Getopt.Option o) {
        String v = p.value(o);
        return v == null ? null : Path.of(v);
    }

    private static long number(Getopt.Parsed p, Getopt.Option o, long absent) {
        String v = p.value(o);
        if (v == null) {
            return absent;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value for option '" + o.displayName() + "': '" + v
                    + "' is not a whole number (try 'platformd --help')");
        }
    }

    private static long intNumber(Getopt.Parsed p, Getopt.Option o, int absent) {
        long n = number(p, o, absent);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new UsageException("invalid value for option '" + o.displayName() + "': '" + p.value(o)
                    + "' is out of range (try 'platformd --help')");
        }
        return n;
    }

    /** The help text {@code platformd --help} prints. */
    static String help() {
        return OPTIONS.help(DESCRIPTION);
    }

    /** The transport settings these flags ask for. */
    public org.platformd.driver.server.DaemonServer.Settings serverSettings() {
        if (callThreads < 1 || keepAliveMillis < 1 || keepAliveTimeoutMillis < 1) {
            throw new IllegalArgumentException("--call-threads, --keepalive-ms and --keepalive-timeout-ms must be"
                    + " at least 1");
        }
        return new org.platformd.driver.server.DaemonServer.Settings(callThreads, Duration.ofMillis(keepAliveMillis),
                Duration.ofMillis(keepAliveTimeoutMillis));
    }

    /**
     * Parses daemon flags (as bin/platformd takes them); for the daemon, tests and embedding.
     *
     * @throws IllegalArgumentException ({@link UsageException}) an unknown flag, a missing or malformed value
     */
    public static DaemonOptions parse(String... args) {
        return new DaemonOptions(OPTIONS.parse(java.util.Arrays.asList(args)));
    }

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

    /**
     * Refuses flags that parse but contradict each other, reading nothing: an IllegalArgumentException naming
     * them. {@link RunningDaemon#start} checks this first; {@code main} checks it before it starts the warm-up
     * thread, so that misuse is reported before anything native is loaded (JDK 22+ warns on stderr when jffi
     * loads its library without {@code --enable-native-access}).
     */
    public void validate() {
        listeners();
        takeOverAddresses();
        if (devicesFrom != null && machine != null) {
            throw new IllegalArgumentException("--devices-from and --machine exclude each other");
        }
        if (devicesFrom == null && !backend.equals("sim") && !backend.equals("linux")) {
            throw new IllegalArgumentException("--backend " + backend + ": expected sim or linux");
        }
        if (devicesFrom == null && backend.equals("linux") && machine != null) {
            throw new IllegalArgumentException("--machine is for --backend sim");
        }
    }

    /** The listeners these flags ask for; throws IllegalArgumentException naming the flag on misuse. */
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
