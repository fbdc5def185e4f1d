// The fd socket: a Unix stream socket where ExportResource tokens are redeemed for file descriptors.
package org.platformd.driver.fdpass;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;
import org.platformd.fd.NativeFd;
import org.platformd.driver.peer.PeerCounter;
import org.platformd.fd.ScmRights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fd socket: a Unix stream socket where ExportResource tokens are redeemed for file
 * descriptors. Per connection: the peer's pid and uid from SO_PEERCRED, one line
 * {@code token\n} (at most 128 bytes of token), one answer — {@code OK <n>\n} with the n fds in
 * a single SCM_RIGHTS control message, or {@code ERR <reason>\n} without fds — then close.
 *
 * <p>Threads: one acceptor; each connection is served on a pool thread with SO_RCVTIMEO, so a client
 * that connects and never sends holds one pool thread for at most {@link Settings#readTimeout()}. One
 * user (SO_PEERCRED uid, all its processes together) has at most {@link Settings#connectionsPerUser()}
 * connections served at once — beyond that a new one is answered {@code ERR busy} at once — so idle
 * connections of one user cannot take the slots other users' redemptions need; all users together have
 * at most {@link Settings#maxConnections()} (beyond that a connection is closed unanswered and logged). jnr-unixsocket for the socket (the JDK's Unix sockets give neither SO_PEERCRED's pid nor
 * SCM_RIGHTS), {@link ScmRights} for the send.
 *
 * <p>The socket file is mode 0660 (like the gRPC socket) and removed by {@link #close()}. A socket file
 * already at the path is replaced when nothing answers on it; a live one, or a path that is not a
 * socket, makes {@link #start} fail.
 */
public final class FdSocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FdSocketServer.class);
    static final int MAX_TOKEN_BYTES = 128;

    /**
     * @param readTimeout        how long a connection may take to send its line
     * @param maxConnections     connections served at once, all users together
     * @param connectionsPerUser connections of one uid served at once
     */
    public record Settings(Duration readTimeout, int maxConnections, int connectionsPerUser) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(5), 256, 8);
    }

    private final Path path;
    private final ExportTokens tokens;
    private final Settings settings;
    private final UnixServerSocketChannel server;
    private final ThreadPoolExecutor pool;
    private final Semaphore slots;
    private final PeerCounter perUser = new PeerCounter();
    private final Thread acceptor;
    private volatile boolean closed;

    private FdSocketServer(Path path, ExportTokens tokens, Settings settings, UnixServerSocketChannel server) {
        this.path = path;
        this.tokens = tokens;
        this.settings = settings;
        this.server = server;
        this.slots = new Semaphore(settings.maxConnections());
        this.pool = new ThreadPoolExecutor(0, settings.maxConnections(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "platformd-fd-socket-conn");
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, "platformd-fd-socket");
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code path} (mode 0660) and starts serving redemptions from {@code tokens}. */
    public static FdSocketServer start(Path path, ExportTokens tokens, Settings settings) throws IOException {
        clearStale(path);
        UnixServerSocketChannel server = UnixServerSocketChannel.open();
        try {
            server.socket().bind(new UnixSocketAddress(path.toFile()));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw new IOException("fd socket " + path + ": cannot bind: " + e.getMessage(), e);
        }
        FdSocketServer s = new FdSocketServer(path, tokens, settings, server);
        s.acceptor.start();
        log.info("fd socket listening on {}", path);
        return s;
    }

    private static void clearStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException("fd socket " + path + " exists and is not a socket; not touching it");
        }
        boolean live;
        try (UnixSocketChannel probe = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            live = true;
        } catch (IOException e) {
            live = false;
        }
        if (live) {
            throw new IOException("fd socket " + path + " is live (another platformd answers on it)");
        }
        log.info("removing stale fd socket {}", path);
        Files.delete(path);
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            UnixSocketChannel conn;
            try {
                conn = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.error("fd socket {}: accept failed", path, e);
                    sleepQuietly();
                }
                continue;
            }
            if (conn == null) {
                continue;
            }
            if (closed) {
                closeQuietly(conn);
                return;
            }
            String user;
            try {
                user = "uid " + conn.getOption(UnixSocketOptions.SO_PEERCRED).getUid();
            } catch (IOException | RuntimeException e) {
                log.warn("fd socket {}: no peer credentials on a new connection: {}", path, e.toString());
                closeQuietly(conn);
                continue;
            }
            if (!perUser.tryTake(user, settings.connectionsPerUser())) {
                log.warn("fd socket {}: {} already has {} connections being served; answering a new one busy", path,
                        user, settings.connectionsPerUser());
                refuseBusy(conn);
                continue;
            }
            if (!slots.tryAcquire()) {
                perUser.giveBack(user);
                log.warn("fd socket {}: {} connections already being served; closing a new one unanswered", path,
                        settings.maxConnections());
                closeQuietly(conn);
                continue;
            }
            try {
                pool.execute(() -> {
                    try {
                        serve(conn);
                    } finally {
                        slots.release();
                        perUser.giveBack(user);
                    }
                });
            } catch (RuntimeException e) {
                slots.release();
                perUser.giveBack(user);
                closeQuietly(conn);
                log.error("fd socket {}: cannot hand a connection to a thread", path, e);
            }
        }
    }

    /** One connection: credentials, the token line, the answer, close. Never throws. */
    private void serve(UnixSocketChannel conn) {
        Credentials peer = null;
        try (conn) {
            peer = conn.getOption(UnixSocketOptions.SO_PEERCRED);
            String token = readLine(conn);
            if (token == null) {
                reply(conn, peer, new ExportTokens.Redemption.Refused(Refusal.BAD_REQUEST,
                        "no token line of at most " + MAX_TOKEN_BYTES + " bytes within " + settings.readTimeout().toMillis()
                                + " ms"));
                return;
            }
            reply(conn, peer, tokens.redeem(token, peer.getPid(), peer.getUid()));
        } catch (IOException | RuntimeException e) {
            log.warn("fd socket {}: connection of {} failed: {}", path, peer, e.toString());
        }
    }

    /** The token (without newline), or null when the line is too long, not ASCII or late. */
    private String readLine(UnixSocketChannel conn) throws IOException {
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        ByteBuffer buf = ByteBuffer.allocate(MAX_TOKEN_BYTES + 1);
        while (buf.hasRemaining()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            conn.setOption(UnixSocketOptions.SO_RCVTIMEO, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            int n = conn.read(buf);
            if (n < 0) {
                return null; // closed before a full line
            }
            for (int i = buf.position() - n; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    byte[] line = new byte[i];
                    buf.get(0, line);
                    for (byte b : line) {
                        if (b < 0x21 || b > 0x7e) {
                            return null;
                        }
                    }
                    return new String(line, StandardCharsets.US_ASCII);
                }
            }
            // n == 0: SO_RCVTIMEO ran out (or EINTR); the deadline decides
        }
        return null;
    }

    private void reply(UnixSocketChannel conn, Credentials peer, ExportTokens.Redemption r) throws IOException {
        if (r instanceof ExportTokens.Redemption.Granted g) {
            List<NativeFd> fds = g.fds();
            try {
                int[] numbers = fds.stream().mapToInt(NativeFd::fd).toArray();
                ScmRights.send(conn.getFD(), "OK " + numbers.length + "\n", numbers);
                log.info("fd socket: sent {} fd(s) for {} to {}", numbers.length, g.what(), peer);
            } finally {
                fds.forEach(NativeFd::close); // the client's copies arrived with the message
            }
        } else {
            ExportTokens.Redemption.Refused no = (ExportTokens.Redemption.Refused) r;
            log.info("fd socket: refused {} ({}): {}", peer, no.reason().wire(), no.detail());
            ScmRights.send(conn.getFD(), "ERR " + no.reason().wire() + "\n");
        }
    }

    /** {@code ERR busy} on the acceptor's thread: one short write to a fresh socket, then close. */
    private void refuseBusy(UnixSocketChannel conn) {
        try (conn) {
            ScmRights.send(conn.getFD(), "ERR " + Refusal.BUSY.wire() + "\n");
        } catch (IOException | RuntimeException e) {
            log.debug("fd socket {}: answering busy: {}", path, e.toString());
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(UnixSocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing an fd socket connection: {}", e.toString());
        }
    }

    /** Stops accepting, waits briefly for connections being served, closes the socket and removes its file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // accept(2) does not return when another thread closes the listening fd: wake it with a connection
        try (UnixSocketChannel wake = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            log.debug("woke the fd socket acceptor");
        } catch (IOException e) {
            log.debug("waking the fd socket acceptor: {}", e.toString());
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdown(); // connections being served finish on their own within the read timeout
        try {
            pool.awaitTermination(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException e) {
            log.warn("closing fd socket {}: {}", path, e.toString());
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("removing fd socket {}: {}", path, e.toString());
        }
        log.info("fd socket {} closed", path);
    }
}
