package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * Plays the daemon's fd socket in tests: a real Unix stream socket that accepts one
 * connection, reads the token line and answers with one sendmsg — the given text and, when fds
 * are given, an SCM_RIGHTS control message carrying them.
 */
final class FdServer implements AutoCloseable {
    private static final POSIX POSIX_CALLS = POSIXFactory.getNativePOSIX();
    private final UnixServerSocketChannel server;
    final Path path;

    FdServer(Path path) throws IOException {
        this.path = path;
        server = UnixServerSocketChannel.open();
        server.socket().bind(new UnixSocketAddress(path.toFile()));
    }

    /** Serves one connection in the background; completes with the token the client sent. */
    CompletableFuture<String> answerOnce(String answer, int... fds) {
        return CompletableFuture.supplyAsync(() -> {
            try (UnixSocketChannel c = server.accept()) {
                StringBuilder token = new StringBuilder();
                ByteBuffer one = ByteBuffer.allocate(1);
                while (true) {
                    one.clear();
                    if (c.read(one) <= 0) {
                        break;
                    }
                    char ch = (char) one.get(0);
                    if (ch == '\n') {
                        break;
                    }
                    token.append(ch);
                }
                MsgHdr msg = POSIX_CALLS.allocateMsgHdr();
                ByteBuffer data = ByteBuffer.allocateDirect(answer.length());
                data.put(answer.getBytes(StandardCharsets.US_ASCII)).flip();
                msg.setIov(new ByteBuffer[] {data});
                if (fds.length > 0) {
                    CmsgHdr cm = msg.allocateControl(4 * fds.length);
                    cm.setLevel(FdSocketClient.SOL_SOCKET);
                    cm.setType(FdSocketClient.SCM_RIGHTS);
                    ByteBuffer ints = ByteBuffer.allocateDirect(4 * fds.length).order(ByteOrder.nativeOrder());
                    for (int fd : fds) {
                        ints.putInt(fd);
                    }
                    ints.flip();
                    cm.setData(ints);
                }
                if (POSIX_CALLS.sendmsg(c.getFD(), msg, 0) < 0) {
                    throw new IOException("sendmsg failed, errno " + POSIX_CALLS.errno());
                }
                return token.toString();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
