package org.platformd.it.bench;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import org.platformd.proto.v1.AcquireDeviceRequest;
import org.platformd.proto.v1.InterruptMode;
import org.platformd.proto.v1.OpenSessionRequest;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.SetInterruptModeRequest;
import org.platformd.proto.v1.StreamInterruptsRequest;
import org.platformd.proto.v1.StreamInterruptsResponse;
import org.platformd.proto.v1.WriteConfigRequest;

/**
 * An edu held over raw gRPC stubs (no client library): a session of label edu-driver with a long
 * lease, the first edu acquired, memory decode and bus mastering on, MSI enabled, and its
 * StreamInterrupts stream open — the RPC path's interrupt delivery — read either by blocking on
 * {@link #interrupts}, as the library's RPC path reads it, or by a callback on the channel's transport thread.
 * {@link #close()} cancels the stream.
 */
final class RawEduMsiStream implements AutoCloseable {
    /** The first edu on edu-driver's bus. */
    static final String EDU = "0000:00:00.0";

    final String session;
    /** The stream's events, for a thread blocked on it; null when a callback reads them. */
    final Iterator<StreamInterruptsResponse> interrupts;
    private final Context.CancellableContext streamContext;
    private volatile Throwable ended; // how a callback-read stream ended before close()

    RawEduMsiStream(PlatformServiceGrpc.PlatformServiceBlockingStub rpc) {
        this(rpc, null, null);
    }

    /**
     * @param channel the channel {@code rpc} calls on, for the callback's call
     * @param onEvent runs for each event on the channel's transport thread (a direct-executor callback, as an
     *                asynchronous gRPC client handles a message), or null to read {@link #interrupts}
     */
    RawEduMsiStream(PlatformServiceGrpc.PlatformServiceBlockingStub rpc, Channel channel, Runnable onEvent) {
        session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build());
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(EDU).setOffset(4)
                .setWidthBytes(2).setValue(0x0006).build()); // memory decode + bus master (MSI is a memory write)
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .setMode(InterruptMode.INTERRUPT_MODE_MSI).setVectorCount(1).build());
        // The stream lives in its own cancellable context so that close() can end it.
        streamContext = Context.current().withCancellation();
        Context previous = streamContext.attach();
        StreamInterruptsRequest req = StreamInterruptsRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build();
        try {
            if (onEvent == null) {
                interrupts = rpc.streamInterrupts(req);
            } else {
                interrupts = null;
                PlatformServiceGrpc.newStub(channel).withExecutor(Runnable::run).streamInterrupts(req,
                        new StreamObserver<>() {
                            @Override
                            public void onNext(StreamInterruptsResponse value) {
                                onEvent.run();
                            }

                            @Override
                            public void onError(Throwable t) {
                                if (!streamContext.isCancelled()) { // not close()'s cancel: check() reports it
                                    ended = t;
                                }
                            }

                            @Override
                            public void onCompleted() {
                                ended = new IllegalStateException("the interrupt stream ended");
                            }
                        });
            }
        } finally {
            streamContext.detach(previous);
        }
    }

    /** Throws how a callback-read stream ended, if it ended before {@link #close()}. */
    void check() {
        if (ended != null) {
            throw new IllegalStateException("interrupt stream of " + EDU + " ended early", ended);
        }
    }

    @Override
    public void close() {
        streamContext.cancel(null);
    }
}
