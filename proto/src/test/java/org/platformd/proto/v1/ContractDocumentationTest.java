package org.platformd.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every element a user sees through {@code grpcurl describe} carries a leading comment.
 *
 * <p>The elements come from the generated classes (what servers and clients compile against); the
 * comments come from the descriptor set the build writes with source info (the generated
 * descriptors have none), which is also what the daemon serves over reflection.
 */
class ContractDocumentationTest {

    /** The generated file descriptors of the whole v1 contract. */
    private static final List<FileDescriptor> CONTRACT_FILES = List.of(
            DeviceProto.getDescriptor(),
            EventsProto.getDescriptor(),
            ErrorDetailsProto.getDescriptor(),
            PlatformServiceProto.getDescriptor(),
            AdminServiceProto.getDescriptor());

    @Test
    void everyElementOfTheContractHasALeadingComment() {
        CommentIndex comments = CommentIndex.of(ContractDescriptors.descriptorSet());
        List<String> undocumented = new ArrayList<>();
        int checked = 0;
        for (FileDescriptor file : CONTRACT_FILES) {
            for (String element : ContractElements.of(file)) {
                checked++;
                if (comments.leadingComment(element).isBlank()) {
                    undocumented.add(element + " (" + file.getName() + ")");
                }
            }
        }
        assertTrue(checked > 300, "walked only " + checked + " elements; is the contract there?");
        if (!undocumented.isEmpty()) {
            fail(undocumented.size() + " elements have no leading comment:\n  " + String.join("\n  ", undocumented));
        }
    }

    @Test
    void everyGrpcMethodHasALeadingComment() {
        CommentIndex comments = CommentIndex.of(ContractDescriptors.descriptorSet());
        List<String> undocumented = new ArrayList<>();
        for (ServiceDescriptor service : List.of(
                PlatformServiceGrpc.getServiceDescriptor(), AdminServiceGrpc.getServiceDescriptor())) {
            if (comments.leadingComment(ContractElements.service(service.getName())).isBlank()) {
                undocumented.add(ContractElements.service(service.getName()));
            }
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                String element = ContractElements.method(service.getName(), method.getBareMethodName());
                if (comments.leadingComment(element).isBlank()) {
                    undocumented.add(element);
                }
            }
        }
        assertEquals(List.of(), undocumented, "gRPC methods without a leading comment");
    }

    @Test
    void theWalkCoversEveryContractFileOfTheDescriptorSet() {
        Set<String> inSet = ContractDescriptors.descriptorSet().getFileList().stream()
                .map(FileDescriptorProto::getName)
                .filter(name -> name.startsWith("platformd/"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> walked = CONTRACT_FILES.stream()
                .map(FileDescriptor::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(inSet, walked, "a .proto file was added or removed: update CONTRACT_FILES");
    }

    @Test
    void theCheckNamesAnElementThatLacksAComment() {
        // message Probe with a comment, its field `bare` without one: path [4,0] vs [4,0,2,0].
        FileDescriptorProto probe = FileDescriptorProto.newBuilder()
                .setName("probe.proto").setPackage("probe").setSyntax("proto3")
                .addMessageType(DescriptorProto.newBuilder().setName("Probe")
                        .addField(FieldDescriptorProto.newBuilder().setName("bare").setNumber(1)
                                .setType(FieldDescriptorProto.Type.TYPE_STRING)))
                .setSourceCodeInfo(SourceCodeInfo.newBuilder()
                        .addLocation(SourceCodeInfo.Location.newBuilder()
                                .addPath(4).addPath(0).setLeadingComments(" A probe.\n"))
                        .addLocation(SourceCodeInfo.Location.newBuilder()
                                .addPath(4).addPath(0).addPath(2).addPath(0)))
                .build();
        CommentIndex comments = CommentIndex.of(FileDescriptorSet.newBuilder().addFile(probe).build());

        assertEquals("A probe.", comments.leadingComment(ContractElements.message("probe.Probe")));
        assertEquals("", comments.leadingComment(ContractElements.field("probe.Probe", "bare")));
    }

    @Test
    void documentedServiceDefinitionServesCommentsAndKeepsEveryMethod() {
        ServerServiceDefinition plain = new PlatformServiceGrpc.PlatformServiceImplBase() {}.bindService();
        ServerServiceDefinition documented = ContractDescriptors.withDocumentation(plain);

        assertEquals(methodNames(plain), methodNames(documented));
        assertFalse(methodNames(documented).isEmpty());

        Object schema = documented.getServiceDescriptor().getSchemaDescriptor();
        assertTrue(schema instanceof ProtoFileDescriptorSupplier, "reflection needs a ProtoFileDescriptorSupplier");
        FileDescriptor served = ((ProtoFileDescriptorSupplier) schema).getFileDescriptor();
        FileDescriptorSet servedSet = FileDescriptorSet.newBuilder().addFile(served.toProto()).build();
        String comment = CommentIndex.of(servedSet)
                .leadingComment(ContractElements.service("platformd.v1.PlatformService"));
        assertTrue(comment.startsWith("PlatformService is what a device driver talks to"), comment);

        // What plain generated descriptors would serve: no comments at all.
        assertFalse(PlatformServiceProto.getDescriptor().toProto().hasSourceCodeInfo());
    }

    @Test
    void servicesOutsideTheContractAreLeftAlone() {
        ServerServiceDefinition other = ServerServiceDefinition.builder(
                ServiceDescriptor.newBuilder("elsewhere.Other").build()).build();
        assertSame(other, ContractDescriptors.withDocumentation(other));
    }

    private static Set<String> methodNames(ServerServiceDefinition definition) {
        Set<String> names = new TreeSet<>();
        definition.getMethods().forEach(m -> names.add(m.getMethodDescriptor().getFullMethodName()));
        return names;
    }
}
