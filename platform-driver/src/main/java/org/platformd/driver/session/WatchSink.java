// Where one watch stream's session events go: the domain's side of a WatchSession stream, free of the transport.
package org.platformd.driver.session;

import org.platformd.driver.error.PlatformError;

/**
 * Where one watch stream's session events go: the domain's side of a WatchSession stream. The protocol layer
 * builds the wire event and adapts it to the gRPC stream ({@code server/WatchSinkObserver}); {@link WatchStream} drives it under flow
 * control. Implementations are called under the owning session's lock, one call at a time.
 */
public interface WatchSink {
    /** Whether the transport takes an event now without queueing it (gRPC: {@code isReady}). */
    boolean isReady();

    /** Whether the client ended the stream. */
    boolean isCancelled();

    /** Sends one event; may throw when the stream is already gone. */
    void send(WatchEvent.Stamped event);

    /** Ends the stream OK. */
    void complete();

    /** Ends the stream with {@code error}. */
    void fail(PlatformError error);

    /** Runs {@code r} whenever the transport can take more (set once, before events flow). */
    void onReady(Runnable r);

    /** Runs {@code r} when the client ends the stream (set once). */
    void onCancel(Runnable r);
}
