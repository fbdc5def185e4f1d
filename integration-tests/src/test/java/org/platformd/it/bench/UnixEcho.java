package org.platformd.it.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The raw baseline for anything that crosses the daemon's Unix socket: an 8-byte ping-pong on a
 * plain Unix socket (JDK NIO) with an echo thread on the other end. {@link #pingPong()} is called
 * by one benchmark thread at a time.
 */
final class UnixEcho implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread echo;
    private final SocketChannel client;
    private final ByteBuffer ping = ByteBuffer.allocateDirect(8);

    UnixEcho(Path socket) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        echo = new Thread(this::echoLoop, "raw-echo");
        echo.setDaemon(true);
        echo.start();
        client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    private void echoLoop() {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer b = ByteBuffer.allocateDirect(8);
            while (true) {
                b.clear();
                while (b.hasRemaining()) {
                    if (peer.read(b) < 0) {
                        return;
                    }
                }
                b.flip();
                while (b.hasRemaining()) {
                    peer.write(b);
                }
            }
        } catch (IOException e) {
            // the sockets are closed at tear-down; nothing left to echo
        }
    }

    /** Sends 8 bytes and waits for them to come back. */
    long pingPong() throws IOException {
        ping.clear();
        ping.putLong(0, 42);
        while (ping.hasRemaining()) {
            client.write(ping);
        }
        ping.clear();
        while (ping.hasRemaining()) {
            if (client.read(ping) < 0) {
                throw new IOException("raw echo socket closed");
            }
        }
        return ping.getLong(0);
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}
