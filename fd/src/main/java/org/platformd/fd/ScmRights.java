// File descriptors over a connected Unix stream socket.
package org.platformd.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * File descriptors over a connected Unix stream socket: {@link #send} puts bytes and fds in ONE
 * sendmsg(2) — the data plus a single SOL_SOCKET/SCM_RIGHTS control message carrying every fd —
 * and {@link #receive} takes one recvmsg(2) with whatever fds came along. That is what the fd
 * socket protocol promises ("OK n\n" and n fds arrive together; a client does one recvmsg), and
 * both ends of it (the daemon's server, the client library) go through here. jnr-posix builds the
 * msghdr; Netty's {@code sendFd} was not an option because it sends one fd per message with a dummy
 * byte, and the JDK's Unix sockets can't pass fds at all. Stateless and thread-safe.
 */
public final class ScmRights {
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000; // a vanished peer is an EPIPE, not a SIGPIPE
    private static final int MSG_CMSG_CLOEXEC = 0x40000000; // received fds don't leak into exec'ed children
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private ScmRights() {}

    /**
     * What one recvmsg brought: {@code data} (empty at end of stream) and the fds of its SCM_RIGHTS
     * message, in the sender's order. The fds are new numbers in this process, close-on-exec, and
     * belong to the caller.
     */
    public record Message(byte[] data, int[] fds) {
        /** The data as ASCII text. */
        public String text() {
            return new String(data, StandardCharsets.US_ASCII);
        }

        /** Closes every received fd (for a caller that refuses the message). */
        public void closeFds() {
            for (int fd : fds) {
                Native.close(fd);
            }
        }
    }

    /** Sends {@code text} (ASCII) with {@code fds} attached; plain data when {@code fds} is empty. */
    public static void send(int socketFd, String text, int... fds) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer data = ByteBuffer.allocateDirect(bytes.length);
        data.put(bytes).flip();
        MsgHdr msg = POSIX.allocateMsgHdr();
        msg.setIov(new ByteBuffer[] {data});
        if (fds.length > 0) {
            CmsgHdr control = msg.allocateControl(4 * fds.length);
            control.setLevel(SOL_SOCKET);
            control.setType(SCM_RIGHTS);
            ByteBuffer numbers = ByteBuffer.allocateDirect(4 * fds.length).order(ByteOrder.nativeOrder());
            for (int fd : fds) {
                numbers.putInt(fd);
            }
            numbers.flip();
            control.setData(numbers);
        }
        int sent = POSIX.sendmsg(socketFd, msg, MSG_NOSIGNAL);
        if (sent != bytes.length) {
            throw new IOException("sendmsg of \"" + text.strip() + "\" with " + fds.length + " fd(s) on socket fd "
                    + socketFd + " sent " + sent + " of " + bytes.length + " bytes, errno " + POSIX.errno());
        }
    }

    /**
     * One recvmsg of at most {@code maxBytes} bytes and {@code maxFds} fds. More fds than that is an
     * IOException: the kernel has then closed the ones that did not fit (MSG_CTRUNC), and the ones
     * that did are closed here, so nothing leaks either way.
     */
    public static Message receive(int socketFd, int maxBytes, int maxFds) throws IOException {
        MsgHdr msg = POSIX.allocateMsgHdr();
        ByteBuffer data = ByteBuffer.allocateDirect(maxBytes);
        msg.setIov(new ByteBuffer[] {data});
        msg.allocateControl(4 * maxFds);
        int n;
        do {
            n = POSIX.recvmsg(socketFd, msg, MSG_CMSG_CLOEXEC);
        } while (n < 0 && POSIX.errno() == LibC.EINTR);
        if (n < 0) {
            throw new IOException("recvmsg on socket fd " + socketFd + " failed, errno " + POSIX.errno());
        }
        List<Integer> fds = new ArrayList<>();
        for (CmsgHdr c : msg.getControls()) {
            if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                ByteBuffer numbers = c.getData().order(ByteOrder.nativeOrder());
                while (numbers.remaining() >= 4) {
                    fds.add(numbers.getInt());
                }
            }
        }
        byte[] bytes = new byte[n];
        data.get(0, bytes);
        Message received = new Message(bytes, fds.stream().mapToInt(Integer::intValue).toArray());
        if ((msg.getFlags() & MSG_CTRUNC) != 0) {
            received.closeFds();
            throw new IOException("socket fd " + socketFd + ": the peer sent more than " + maxFds + " fds");
        }
        return received;
    }
}
