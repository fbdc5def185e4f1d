package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * The client side of the daemon's fd socket protocol (platform_service.proto, ExportResource):
 * connect to the fd socket, write {@code token\n}, read one answer — {@code OK <n>\n} with an
 * SCM_RIGHTS control message carrying n fds, or {@code ERR <reason>\n}.
 *
 * <p>jnr-unixsocket makes the connection; jnr-posix's recvmsg reads the data and the control
 * message together (the JDK's SocketChannel can't receive fds). Received fds are close-on-exec
 * (MSG_CMSG_CLOEXEC) and belong to the caller.
 */
public final class FdSocketClient {
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** Most fds one answer may carry (trigger + unmask for INTx; one for memory). */
    static final int MAX_FDS = 16;
    private static final int MAX_LINE = 4096;
    private static final POSIX POSIX_CALLS = POSIXFactory.getNativePOSIX();

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
            MsgHdr msg = POSIX_CALLS.allocateMsgHdr();
            ByteBuffer data = ByteBuffer.allocateDirect(256);
            msg.setIov(new ByteBuffer[] {data});
            msg.allocateControl(4 * MAX_FDS);
            int n = POSIX_CALLS.recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
            if (n < 0) {
                throw new IOException("recvmsg on fd socket " + socket + " failed, errno " + POSIX_CALLS.errno());
            }
            for (CmsgHdr c : msg.getControls()) {
                if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                    ByteBuffer ints = c.getData().order(ByteOrder.nativeOrder());
                    while (ints.remaining() >= 4) {
                        fds.add(ints.getInt());
                    }
                }
            }
            if ((msg.getFlags() & 0x8) != 0) { // MSG_CTRUNC: the kernel closed fds that did not fit
                throw new IOException("fd socket " + socket + " sent more than " + MAX_FDS + " fds");
            }
            if (n == 0) {
                throw new IOException("fd socket " + socket + " closed the connection after '" + line + "' (no newline)");
            }
            for (int i = 0; i < n; i++) {
                char c = (char) (data.get(i) & 0xff);
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
