// The v1 contract's descriptors with their comments, from the descriptor set the build ships.
package org.platformd.proto.v1;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor.Builder;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The v1 contract's descriptors <em>with their comments</em>, loaded from the descriptor set the
 * build ships as {@value #DESCRIPTOR_SET_RESOURCE}.
 *
 * <p>Why this exists: the descriptors embedded in generated classes carry no source info, so a
 * reflection service built from them makes {@code grpcurl describe} show bare names. A server
 * that registers its services through {@link #withDocumentation(ServerServiceDefinition)} makes
 * grpc-java's reflection service (v1 and v1alpha) hand out the documented descriptors instead.
 *
 * <p>Thread-safe: the set is parsed once, lazily, and the result is immutable.
 */
public final class ContractDescriptors {

    /** Class-path location of the descriptor set (with source info and google/protobuf imports). */
    public static final String DESCRIPTOR_SET_RESOURCE = "/platformd/v1/platformd.protoset";

    private ContractDescriptors() {}

    /** The raw descriptor set as the build wrote it. */
    public static FileDescriptorSet descriptorSet() {
        return Holder.SET;
    }

    /** Every file of the set, by name (e.g. {@code "platformd/v1/device.proto"}), built with comments. */
    public static Map<String, FileDescriptor> files() {
        return Holder.FILES;
    }

    /**
     * Returns {@code definition} unchanged in behaviour but with its schema descriptor replaced by
     * the documented one, so server reflection serves comments. Definitions of services outside this
     * contract (health, reflection itself) are returned as they are.
     */
    public static ServerServiceDefinition withDocumentation(ServerServiceDefinition definition) {
        io.grpc.ServiceDescriptor original = definition.getServiceDescriptor();
        ServiceDescriptor documented = findService(original.getName());
        if (documented == null) {
            return definition;
        }
        Builder descriptor = io.grpc.ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(new DocumentedSchema(documented));
        original.getMethods().forEach(descriptor::addMethod);
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            rebuilt.addMethod(method);
        }
        return rebuilt.build();
    }

    private static ServiceDescriptor findService(String fullName) {
        for (FileDescriptor file : files().values()) {
            for (ServiceDescriptor service : file.getServices()) {
                if (service.getFullName().equals(fullName)) {
                    return service;
                }
            }
        }
        return null;
    }

    /** What grpc-java's reflection service looks for on a service descriptor. */
    private record DocumentedSchema(ServiceDescriptor service) implements ProtoServiceDescriptorSupplier {
        @Override
        public FileDescriptor getFileDescriptor() {
            return service.getFile();
        }

        @Override
        public ServiceDescriptor getServiceDescriptor() {
            return service;
        }
    }

    /** Lazy holder: the resource is read on first use only. */
    private static final class Holder {
        static final FileDescriptorSet SET = load();
        static final Map<String, FileDescriptor> FILES = build(SET);

        private static FileDescriptorSet load() {
            try (InputStream in = ContractDescriptors.class.getResourceAsStream(DESCRIPTOR_SET_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("descriptor set " + DESCRIPTOR_SET_RESOURCE
                            + " is not on the class path; the proto module's build writes it");
                }
                return FileDescriptorSet.parseFrom(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read descriptor set " + DESCRIPTOR_SET_RESOURCE, e);
            }
        }

        /** The set lists files dependencies-first (protoc's order), so one pass builds them all. */
        private static Map<String, FileDescriptor> build(FileDescriptorSet set) {
            Map<String, FileDescriptor> built = new LinkedHashMap<>();
            for (FileDescriptorProto file : set.getFileList()) {
                FileDescriptor[] deps = file.getDependencyList().stream()
                        .map(name -> {
                            FileDescriptor dep = built.get(name);
                            if (dep == null) {
                                throw new IllegalStateException(file.getName() + " imports " + name
                                        + ", which " + DESCRIPTOR_SET_RESOURCE + " does not hold before it");
                            }
                            return dep;
                        })
                        .toArray(FileDescriptor[]::new);
                try {
                    built.put(file.getName(), FileDescriptor.buildFrom(file, deps));
                } catch (DescriptorValidationException e) {
                    throw new IllegalStateException("invalid descriptor " + file.getName() + " in "
                            + DESCRIPTOR_SET_RESOURCE + ": " + e.getMessage(), e);
                }
            }
            return Collections.unmodifiableMap(built);
        }
    }
}
