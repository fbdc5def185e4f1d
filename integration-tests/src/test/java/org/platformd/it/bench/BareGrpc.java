// The floor for every RPC row: an empty unary gRPC service on a Unix socket in this JVM, built like the daemon's server and the library's channel.
package org.platformd.it.bench;

import com.google.protobuf.Empty;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What gRPC-over-HTTP/2 costs with nothing behind it: one unary method ({@code Empty → Empty}, a
 * protobuf message like every platformd call) served on a Unix socket in this JVM, and a channel to it.
 *
 * <p>The server is set up as {@code DaemonServer} sets up the daemon's (Netty epoll, one boss thread,
 * Netty's default worker count, calls on a fixed pool of 64 threads, the same keep-alive settings),
 * minus what only the daemon does per call (peer credentials, interceptors, the service itself).
 * {@code directServer} runs the handler on the event loop instead: the floor without the server's
 * thread hop. The channel is built as {@code PlatformClient.connect} builds the library's (epoll, an
 * event loop of one thread, plaintext, {@code directExecutor()}); {@link #call()} is a blocking call,
 * as the library's blocking stub makes.
 */
final class BareGrpc implements AutoCloseable {
    static final MethodDescriptor<Empty, Empty> CALL = MethodDescriptor.<Empty, Empty>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("platformd.bench.Bare", "Call"))
            .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
            .build();

    /** A server stream of empty messages, one each time the benchmark {@link #push()}es: the floor under an
     * interrupt delivered over StreamInterrupts. */
    static final MethodDescriptor<Empty, Empty> STREAM = MethodDescriptor.<Empty, Empty>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("platformd.bench.Bare", "Stream"))
            .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
            .build();

    private final Path dir;
    private final CountDownLatch streamOpen = new CountDownLatch(1);
    private volatile StreamObserver<Empty> stream; // the open STREAM call's responses (one at a time)
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory());
    private final EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final ExecutorService calls;
    private final Server server;
    private final ManagedChannel channel;

    BareGrpc(boolean directServer) throws IOException {
        dir = Files.createTempDirectory("platformd-bare-grpc");
        Path socket = dir.resolve("bare.sock");
        ServerServiceDefinition service = ServerServiceDefinition.builder("platformd.bench.Bare")
                .addMethod(CALL, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    stream = response;
                    streamOpen.countDown();
                }))
                .build();
        NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS)
                .permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true)
                .addService(service);
        if (directServer) {
            calls = null;
            b.directExecutor();
        } else {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(64, 64, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "bare-grpc-call-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
            calls = pool;
            b.executor(pool);
        }
        server = b.build().start();
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(clientGroup)
                .usePlaintext()
                .directExecutor()
                .build();
    }

    /** One blocking unary round trip. */
    Empty call() {
        return ClientCalls.blockingUnaryCall(channel, CALL, CallOptions.DEFAULT, Empty.getDefaultInstance());
    }

    /** Opens the STREAM call; its messages are read by blocking on the iterator, as the library reads interrupts. */
    Iterator<Empty> openStream() throws InterruptedException {
        Iterator<Empty> it = ClientCalls.blockingServerStreamingCall(channel, STREAM, CallOptions.DEFAULT,
                Empty.getDefaultInstance());
        if (!streamOpen.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the bare stream did not open");
        }
        return it;
    }

    /**
     * Opens the STREAM call read by a callback: {@code onMessage} runs for each message on the channel's transport
     * thread (the channel's direct executor), as an asynchronous gRPC client handles a message.
     */
    void openStreamTo(Runnable onMessage) throws InterruptedException {
        ClientCalls.asyncServerStreamingCall(channel.newCall(STREAM, CallOptions.DEFAULT), Empty.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(Empty value) {
                        onMessage.run();
                    }

                    @Override
                    public void onError(Throwable t) { // close() shuts the channel down: the one way it ends
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        if (!streamOpen.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the bare stream did not open");
        }
    }

    /** One message on the open stream, sent from the calling thread (as the daemon sends an interrupt). */
    void push() {
        stream.onNext(Empty.getDefaultInstance());
    }

    @Override
    public void close() throws IOException {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (calls != null) {
            calls.shutdownNow();
        }
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        Files.deleteIfExists(dir.resolve("bare.sock"));
        Files.deleteIfExists(dir);
    }
}
