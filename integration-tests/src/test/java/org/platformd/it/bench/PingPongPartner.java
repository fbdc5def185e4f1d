package org.platformd.it.bench;

/**
 * Thread B of a ping-pong: waits for the first leg (whatever {@link Wait} waits on: a raw
 * eventfd, a passed interrupt eventfd, an interrupt stream), then signals {@code back}, which
 * the benchmark thread (A) waits on. The second leg is the same raw eventfd in every variant,
 * so variants differ only in the first leg.
 */
final class PingPongPartner implements AutoCloseable {
    /** One wait of the first leg; true when it woke, false on a timeout (checked again). */
    @FunctionalInterface
    interface Wait {
        boolean await() throws Exception;
    }

    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;

    PingPongPartner(String name, Wait wait, RawEventFd back) {
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    if (wait.await()) {
                        back.signal();
                    }
                }
            } catch (Throwable e) {
                if (!stop) {
                    failure = e;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Fails the benchmark with the partner's own failure when it died. */
    void check() {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException(thread.getName() + " failed: " + f, f);
        }
    }

    /** Stops after the current wait (its timeout bounds this); {@code unblock} cuts a wait without one short. */
    void stop(Runnable unblock) throws InterruptedException {
        stop = true;
        unblock.run();
        thread.join(10_000);
    }

    @Override
    public void close() throws InterruptedException {
        stop(() -> { });
    }
}
