package org.platformd.it.bench;

import io.grpc.Context;
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
 * StreamInterrupts stream open — the RPC path's interrupt delivery. {@link #close()} cancels the stream.
 */
final class RawEduMsiStream implements AutoCloseable {
    /** The first edu on edu-driver's bus. */
    static final String EDU = "0000:00:00.0";

    final String session;
    final Iterator<StreamInterruptsResponse> interrupts;
    private final Context.CancellableContext streamContext;

    RawEduMsiStream(PlatformServiceGrpc.PlatformServiceBlockingStub rpc) {
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
        try {
            interrupts = rpc.streamInterrupts(StreamInterruptsRequest.newBuilder().setSessionId(session)
                    .setDeviceName(EDU).build());
        } finally {
            streamContext.detach(previous);
        }
    }

    @Override
    public void close() {
        streamContext.cancel(null);
    }
}
