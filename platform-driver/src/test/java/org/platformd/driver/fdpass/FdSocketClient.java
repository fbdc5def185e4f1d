package org.platformd.driver.fdpass;

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
 * The client side of the fd socket protocol, as small as a test needs: connect, send
 * {@code token\n}, one recvmsg for the answer line and its SCM_RIGHTS fds. (The real client library
 * lives in client/.)
 */
final class FdSocketClient {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private FdSocketClient() {}

    /** The answer: its text line and the fds that came with it (the caller closes them with {@link #close}). */
    record Answer(String line, List<Integer> fds) implements AutoCloseable {
        int fd(int i) {
            return fds.get(i);
        }

        @Override
        public void close() {
            fds.forEach(FdSocketClient::close);
        }
    }

    static Answer redeem(Path socket, String token) throws IOException {
        return send(socket, (token + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static Answer send(Path socket, byte[] request) throws IOException {
        try (UnixSocketChannel ch = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            ch.write(ByteBuffer.wrap(request));
            return receive(ch);
        }
    }

    /** One recvmsg on a connected channel (the server sends its whole answer in one message). */
    static Answer receive(UnixSocketChannel ch) throws IOException {
        MsgHdr msg = POSIX.allocateMsgHdr();
        ByteBuffer data = ByteBuffer.allocateDirect(256);
        msg.setIov(new ByteBuffer[] {data});
        msg.allocateControl(4 * 16);
        int n = POSIX.recvmsg(ch.getFD(), msg, 0);
        if (n < 0) {
            throw new IOException("recvmsg failed, errno " + POSIX.errno());
        }
        byte[] text = new byte[n];
        data.get(0, text);
        List<Integer> fds = new ArrayList<>();
        for (CmsgHdr c : msg.getControls()) {
            if (c.getLevel() == ScmRights.SOL_SOCKET && c.getType() == ScmRights.SCM_RIGHTS) {
                ByteBuffer numbers = c.getData().order(ByteOrder.nativeOrder());
                while (numbers.remaining() >= 4) {
                    fds.add(numbers.getInt());
                }
            }
        }
        return new Answer(new String(text, StandardCharsets.US_ASCII), fds);
    }

    static void close(int fd) {
        POSIX.close(fd);
    }
}
