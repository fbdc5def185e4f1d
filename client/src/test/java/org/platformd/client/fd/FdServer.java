package org.platformd.client.fd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.platformd.fd.ScmRights;

/**
 * Plays the daemon's fd socket in tests: a real Unix stream socket that accepts one
 * connection, reads the token line and answers with one sendmsg (the daemon's own
 * {@link ScmRights#send}) — the given text and, when fds are given, an SCM_RIGHTS control
 * message carrying them.
 */
final class FdServer implements AutoCloseable {
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
                ScmRights.send(c.getFD(), answer, fds);
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
