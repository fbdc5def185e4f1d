package org.platformd.driver.fdpass;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Sends bytes and file descriptors in ONE sendmsg(2): the data plus a single SOL_SOCKET/SCM_RIGHTS
 * control message carrying every fd, which is what the fd socket protocol promises ("OK n\n" and n
 * fds arrive together; a client does one recvmsg). jnr-posix builds the msghdr; Netty's
 * {@code sendFd} was not an option because it sends one fd per message with a dummy byte.
 * Thread-safe (no state besides the loaded libc).
 */
final class ScmRights {
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000; // a vanished client is an EPIPE, not a SIGPIPE
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private ScmRights() {}

    /** Sends {@code text} (ASCII) with {@code fds} attached; plain data when {@code fds} is empty. */
    static void send(int socketFd, String text, int[] fds) throws IOException {
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
            throw new IOException("sendmsg of \"" + text.strip() + "\" with " + fds.length + " fd(s) sent " + sent
                    + " of " + bytes.length + " bytes, errno " + POSIX.errno());
        }
    }
}
