package org.platformd.driver.fdpass;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.platformd.fd.Native;
import org.platformd.fd.ScmRights;

/**
 * The client side of the fd socket protocol, as raw as a test of the server needs: connect, send
 * any bytes, one {@link ScmRights#receive} for the answer line and its fds — no checks, so the test
 * sees exactly what the server sent. (The client library's {@code FdSocketClient} is the real one.)
 */
final class FdSocketClient {
    private FdSocketClient() {}

    /** The answer: its text line and the fds that came with it (closed by {@link #close}). */
    record Answer(String line, List<Integer> fds) implements AutoCloseable {
        int fd(int i) {
            return fds.get(i);
        }

        @Override
        public void close() {
            fds.forEach(Native::close);
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
        ScmRights.Message m = ScmRights.receive(ch.getFD(), 256, 16);
        return new Answer(m.text(), Arrays.stream(m.fds()).boxed().toList());
    }
}
