package org.platformd.it.bench;

import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
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
    static final String EDU = RawEduMsiStream.EDU;

    BenchDaemon daemon;
    PlatformServiceGrpc.PlatformServiceBlockingStub rpc;
    RawEduMsiStream edu;
    String session;
    AccessRegistersRequest readOne;
    AccessRegistersRequest read1000;
    AccessRegistersRequest raiseAndLower;
    Iterator<StreamInterruptsResponse> interrupts;

    UnixEcho rawSocket;

    // raw eventfd wake: one thread signals, the other waits and signals back
    EventFd there;
    EventFd back;
    Thread eventFdPartner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        daemon = BenchDaemon.start("platformd-bench");
        rpc = daemon.rpc();
        edu = new RawEduMsiStream(rpc);
        session = edu.session;
        interrupts = edu.interrupts;
        RegisterOp read = RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_READ).setOffset(0).setWidthBits(32).build();
        readOne = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU).addOps(read).build();
        AccessRegistersRequest.Builder many = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU);
        for (int i = 0; i < 1000; i++) {
            many.addOps(read);
        }
        read1000 = many.build();
        raiseAndLower = AccessRegistersRequest.newBuilder().setSessionId(session).setDeviceName(EDU)
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0x60).setWidthBits(32).setValue(1))
                .addOps(RegisterOp.newBuilder().setKind(AccessKind.ACCESS_KIND_WRITE).setOffset(0x64).setWidthBits(32).setValue(1))
                .build();

        rawSocket = new UnixEcho(daemon.dir.resolve("raw.sock"));

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
        edu.close();
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
