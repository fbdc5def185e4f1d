// A WatchSession gRPC stream as the domain's WatchSink: events wrapped in WatchSessionResponse, errors as statuses.
package org.platformd.driver.server;

import io.grpc.stub.ServerCallStreamObserver;
import org.platformd.driver.error.PlatformError;
import org.platformd.driver.session.WatchSink;
import org.platformd.driver.session.WatchEvent;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * A WatchSession gRPC stream as the domain's {@link WatchSink}: each event goes out as a
 * {@link WatchSessionResponse} ({@link WireEvents} builds the wire event); an error ends the stream with the status {@link Calls#status(PlatformError)}
 * gives it. Not thread-safe on its own: the session calls it under its lock.
 */
public final class WatchSinkObserver implements WatchSink {
    private final ServerCallStreamObserver<WatchSessionResponse> out;
    private final WireEvents events;

    WatchSinkObserver(ServerCallStreamObserver<WatchSessionResponse> out, WireEvents events) {
        this.out = out;
        this.events = events;
    }

    /** A stream whose events' devices {@code describer} describes (tests; the service shares one translator). */
    public WatchSinkObserver(ServerCallStreamObserver<WatchSessionResponse> out, DeviceDescriber describer) {
        this(out, new WireEvents(describer));
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public boolean isCancelled() {
        return out.isCancelled();
    }

    @Override
    public void send(WatchEvent.Stamped event) {
        out.onNext(WatchSessionResponse.newBuilder().setEvent(events.wire(event)).build());
    }

    @Override
    public void complete() {
        out.onCompleted();
    }

    @Override
    public void fail(PlatformError error) {
        out.onError(Calls.status(error));
    }

    @Override
    public void onReady(Runnable r) {
        out.setOnReadyHandler(r);
    }

    @Override
    public void onCancel(Runnable r) {
        out.setOnCancelHandler(r);
    }
}
