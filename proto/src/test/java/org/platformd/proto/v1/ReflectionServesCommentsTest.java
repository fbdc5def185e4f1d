package org.platformd.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What grpcurl does: ask a running server's reflection service (v1) for the file that defines a
 * service, and read the comments out of the answer. Services are registered through
 * {@link ContractDescriptors#withDocumentation}, as the daemon must do.
 */
class ReflectionServesCommentsTest {

    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ContractDescriptors.withDocumentation(
                        new PlatformServiceGrpc.PlatformServiceImplBase() {}.bindService()))
                .addService(ContractDescriptors.withDocumentation(
                        new AdminServiceGrpc.AdminServiceImplBase() {}.bindService()))
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void reflectionListsBothServices() throws Exception {
        ServerReflectionResponse response = ask(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> names = response.getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).sorted().toList();
        assertTrue(names.containsAll(List.of("platformd.v1.AdminService", "platformd.v1.PlatformService")),
                names.toString());
    }

    @Test
    void everyElementServedByReflectionIsDocumented() throws Exception {
        for (String service : List.of("platformd.v1.PlatformService", "platformd.v1.AdminService")) {
            ServerReflectionResponse response = ask(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol(service).build());
            FileDescriptorSet.Builder served = FileDescriptorSet.newBuilder();
            for (ByteString file : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                served.addFile(FileDescriptorProto.parseFrom(file));
            }
            CommentIndex comments = CommentIndex.of(served.build());
            assertTrue(comments.leadingComment(ContractElements.service(service)).length() > 40,
                    service + " is served without its comment");

            List<String> undocumented = new ArrayList<>();
            for (FileDescriptorProto file : served.getFileList()) {
                if (!file.getName().startsWith("platformd/")) {
                    continue;
                }
                for (String element : ContractElements.of(ContractDescriptors.files().get(file.getName()))) {
                    if (comments.leadingComment(element).isBlank()) {
                        undocumented.add(element);
                    }
                }
            }
            assertEquals(List.of(), undocumented, "served by reflection without a comment");
        }
    }

    private ServerReflectionResponse ask(ServerReflectionRequest request) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("reflection stream ended without an answer"));
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        // a guard against a hang, not a timing assertion
        return answer.get(60, TimeUnit.SECONDS);
    }
}
