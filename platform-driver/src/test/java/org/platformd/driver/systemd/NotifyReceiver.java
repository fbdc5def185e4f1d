package org.platformd.driver.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * The service manager's end for tests: a real bound Unix datagram socket (a path or an abstract name)
 * whose datagrams a reader thread queues, one string per datagram.
 */
final class NotifyReceiver implements AutoCloseable {
    private final UnixDatagramChannel channel;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Thread reader;

    /** Binds {@code address}: an absolute path, or {@code @name} for the abstract namespace. */
    NotifyReceiver(String address) throws IOException {
        channel = UnixDatagramChannel.open();
        channel.bind(new UnixSocketAddress(address.startsWith("@") ? "\0" + address.substring(1) : address));
        reader = new Thread(this::read, "notify-receiver");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (channel.isOpen()) {
            buf.clear();
            try {
                channel.receive(buf);
            } catch (IOException e) {
                return; // closed
            }
            buf.flip();
            received.add(StandardCharsets.UTF_8.decode(buf).toString());
        }
    }

    /** The next datagram, or null after {@code within}. */
    String next(Duration within) throws InterruptedException {
        return received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Datagrams until one contains {@code line} as a whole line; fails after {@code within}. */
    String awaitLine(String line, Duration within, StringBuilder seen) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            String d = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (d == null) {
                break;
            }
            seen.append(d.replace('\n', '|')).append(" / ");
            if (d.lines().anyMatch(line::equals)) {
                return d;
            }
        }
        throw new AssertionError("no datagram with line " + line + " within " + within + "; seen: " + seen);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
