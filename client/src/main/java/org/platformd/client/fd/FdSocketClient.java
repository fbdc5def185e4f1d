// The client side of the daemon's fd socket protocol (platform_service.proto, ExportResource).
package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.platformd.fd.Native;
import org.platformd.fd.ScmRights;

/**
 * The client side of the daemon's fd socket protocol (platform_service.proto, ExportResource):
 * connect to the fd socket, write {@code token\n}, read one answer — {@code OK <n>\n} with an
 * SCM_RIGHTS control message carrying n fds, or {@code ERR <reason>\n}.
 *
 * <p>jnr-unixsocket makes the connection; the fd module's {@link ScmRights#receive} reads the data
 * and the control message together (the JDK's SocketChannel can't receive fds) — the same code the
 * daemon's side of the protocol is tested against. Received fds are close-on-exec and belong to the
 * caller.
 */
public final class FdSocketClient {
    /** Most fds one answer may carry (trigger + unmask for INTx; one for memory). */
    static final int MAX_FDS = 16;
    private static final int MAX_LINE = 4096;

    private FdSocketClient() {
    }

    /** What the daemon answered: ERR with its reason. */
    public static final class RefusedException extends IOException {
        private final String reason;

        RefusedException(Path socket, String reason) {
            super("fd socket " + socket + " refused the token: " + reason);
            this.reason = reason;
        }

        /** The daemon's reason text after "ERR ". */
        public String reason() {
            return reason;
        }
    }

    /**
     * Redeems {@code token} on {@code socket}; returns exactly {@code expectedFds} fds in the
     * daemon's order. Throws {@link RefusedException} for an ERR answer and IOException for
     * anything else (connection, a malformed answer, a count other than expected — any fds
     * received are closed before throwing).
     */
    public static int[] redeem(Path socket, String token, int expectedFds) throws IOException {
        if (token.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("token contains a newline");
        }
        List<Integer> fds = new ArrayList<>();
        boolean ok = false;
        try (UnixSocketChannel ch = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            ByteBuffer out = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            String line = readLine(ch.getFD(), fds, socket);
            if (line.startsWith("ERR")) {
                throw new RefusedException(socket, line.length() > 4 ? line.substring(4) : "(no reason given)");
            }
            if (!line.startsWith("OK ")) {
                throw new IOException("fd socket " + socket + " answered '" + line + "', expected OK <n> or ERR <reason>");
            }
            int n;
            try {
                n = Integer.parseInt(line.substring(3).trim());
            } catch (NumberFormatException e) {
                throw new IOException("fd socket " + socket + " answered '" + line + "': bad fd count", e);
            }
            if (n != fds.size() || n != expectedFds) {
                throw new IOException("fd socket " + socket + " announced " + n + " fds, sent " + fds.size()
                        + ", expected " + expectedFds);
            }
            ok = true;
            return fds.stream().mapToInt(Integer::intValue).toArray();
        } finally {
            if (!ok) {
                fds.forEach(Native::close);
            }
        }
    }

    /** Reads up to the first '\n' with recvmsg, collecting every SCM_RIGHTS fd that comes along. */
    private static String readLine(int fd, List<Integer> fds, Path socket) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            ScmRights.Message m;
            try {
                m = ScmRights.receive(fd, 256, MAX_FDS);
            } catch (IOException e) {
                throw new IOException("fd socket " + socket + ": " + e.getMessage(), e);
            }
            for (int received : m.fds()) {
                fds.add(received);
            }
            byte[] data = m.data();
            if (data.length == 0) {
                throw new IOException("fd socket " + socket + " closed the connection after '" + line + "' (no newline)");
            }
            for (byte b : data) {
                char c = (char) (b & 0xff);
                if (c == '\n') {
                    return line.toString();
                }
                line.append(c);
            }
            if (line.length() > MAX_LINE) {
                throw new IOException("fd socket " + socket + " answered a line longer than " + MAX_LINE + " bytes");
            }
        }
    }
}
