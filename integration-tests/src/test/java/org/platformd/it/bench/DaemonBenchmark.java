package org.platformd.it.bench;

import io.grpc.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.platformd.driver.DaemonOptions;
import org.platformd.driver.RunningDaemon;
import org.platformd.driver.admin.PolicyManager;
import org.platformd.driver.cli.DaemonChannel;
import org.platformd.fd.EventFd;
import org.platformd.proto.v1.*;

/**
 * The daemon's RPC path against raw baselines measured in the same run: a register read
 * (one op; and per op inside a batch of 1,000) vs an 8-byte ping-pong on a plain Unix
 * socket; an interrupt raised through the RPC path and delivered over StreamInterrupts vs
 * a raw eventfd wake between two threads; session open + acquire + close.
 * The daemon runs in this JVM on core-bridge's emulated machine, the client talks to it
 * over the real Unix socket.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DaemonBenchmark {
    static final String EDU = "0000:00:00.0";

    Path dir;
    RunningDaemon daemon;
    DaemonChannel channel;
    PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    String session;
    AccessRegistersRequest readOne;
    AccessRegistersRequest read1000;
    AccessRegistersRequest raiseAndLower;
    Iterator<StreamInterruptsResponse> interrupts;
    Context.CancellableContext streamContext;

    UnixEcho rawSocket;

    // raw eventfd wake: one thread signals, the other waits and signals back
    EventFd there;
    EventFd back;
    Thread eventFdPartner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("platformd-bench");
        Path policy = dir.resolve("policy.xml");
        Files.writeString(policy, PolicyManager.shippedText());
        daemon = RunningDaemon.start(DaemonOptions.parse("--socket", dir.resolve("d.sock").toString(),
                "--policy", policy.toString()));
        channel = DaemonChannel.unix(dir.resolve("d.sock"));
        rpc = PlatformServiceGrpc.newBlockingStub(channel.channel());
        session = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver")
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(session).setDeviceName(EDU).build());
        rpc.writeConfig(WriteConfigRequest.newBuilder().setSessionId(session).setDeviceName(EDU).setOffset(4)
                .setWidthBytes(2).setValue(0x0006).build());
        RegisterOp read = RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(0).setWidthBits(32).build();
        readOne = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU).addOps(read).build();
        AccessRegistersRequest.Builder many = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU);
        for (int i = 0; i < 1000; i++) {
            many.addOps(read);
        }
        read1000 = many.build();
        rpc.setInterruptMode(SetInterruptModeRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .setMode(InterruptMode.INTERRUPT_MODE_MSI).build());
        raiseAndLower = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0x60).setWidthBits(32).setValue(1))
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0x64).setWidthBits(32).setValue(1))
                .build();
        streamContext = Context.current().withCancellation();
        Context previous = streamContext.attach();
        try {
            interrupts = rpc.streamInterrupts(StreamInterruptsRequest.newBuilder().setSessionId(session)
                    .setDeviceName(EDU).build());
        } finally {
            streamContext.detach(previous);
        }

        rawSocket = new UnixEcho(dir.resolve("raw.sock"));

        there = EventFd.create("bench-there");
        back = EventFd.create("bench-back");
        eventFdPartner = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (there.await(100) > 0) {
                    back.signal();
                }
            }
        }, "eventfd-partner");
        eventFdPartner.setDaemon(true);
        eventFdPartner.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        eventFdPartner.interrupt();
        eventFdPartner.join();
        there.close();
        back.close();
        rawSocket.close();
        streamContext.cancel(null);
        channel.close();
        daemon.close();
    }

    @Benchmark
    public long rawUnixSocketPingPong() throws IOException {
        return rawSocket.pingPong();
    }

    @Benchmark
    public long registerReadSingleOp() {
        return rpc.accessRegisters(readOne).getValues(0);
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public long registerReadPerOpInBatchOf1000() {
        return rpc.accessRegisters(read1000).getValues(999);
    }

    @Benchmark
    public long rawEventFdWake() {
        there.signal();
        return back.await(10_000);
    }

    /** Raise an MSI through AccessRegisters, receive it on the StreamInterrupts stream. */
    @Benchmark
    public long interruptRaisedByRpcDeliveredOverStream() {
        rpc.accessRegisters(raiseAndLower);
        return interrupts.next().getEvent().getTotalCount();
    }

    @Benchmark
    public String sessionOpenAcquireClose() {
        String id = rpc.openSession(OpenSessionRequest.newBuilder().setLabel("edu-driver").build()).getSessionId();
        rpc.acquireDevice(AcquireDeviceRequest.newBuilder().setSessionId(id).setDeviceName("0000:00:01.0").build());
        rpc.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build());
        return id;
    }
}
