package org.platformd.proto.v1;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Leading comments of every element of a descriptor set, keyed like {@link ContractElements}
 * names them ("message platformd.v1.Device", "field platformd.v1.Device.name", ...).
 *
 * <p>Comments live only in the source info of the descriptor protos, addressed by paths of field
 * numbers of descriptor.proto; this class turns those paths into element names.
 */
final class CommentIndex {
    // Field numbers in descriptor.proto that make up source-info paths.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int MESSAGE_ONEOF = 8;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    private final Map<String, String> comments = new HashMap<>();

    private CommentIndex() {}

    static CommentIndex of(FileDescriptorSet set) {
        CommentIndex index = new CommentIndex();
        for (FileDescriptorProto file : set.getFileList()) {
            index.addFile(file);
        }
        return index;
    }

    /** The trimmed leading comment of the element, or "" when it has none. */
    String leadingComment(String element) {
        return comments.getOrDefault(element, "");
    }

    int size() {
        return comments.size();
    }

    private void addFile(FileDescriptorProto file) {
        Map<List<Integer>, String> byPath = new HashMap<>();
        for (Location location : file.getSourceCodeInfo().getLocationList()) {
            byPath.put(location.getPathList(), location.getLeadingComments().trim());
        }
        String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
        for (int i = 0; i < file.getMessageTypeCount(); i++) {
            addMessage(file.getMessageType(i), prefix, List.of(FILE_MESSAGE, i), byPath);
        }
        for (int i = 0; i < file.getEnumTypeCount(); i++) {
            addEnum(file.getEnumType(i), prefix, List.of(FILE_ENUM, i), byPath);
        }
        for (int i = 0; i < file.getServiceCount(); i++) {
            addService(file.getService(i), prefix, List.of(FILE_SERVICE, i), byPath);
        }
    }

    private void addMessage(DescriptorProto message, String prefix, List<Integer> path,
                            Map<List<Integer>, String> byPath) {
        String name = prefix + message.getName();
        put(ContractElements.message(name), path, byPath);
        for (int i = 0; i < message.getFieldCount(); i++) {
            put(ContractElements.field(name, message.getField(i).getName()), append(path, MESSAGE_FIELD, i), byPath);
        }
        for (int i = 0; i < message.getOneofDeclCount(); i++) {
            put(ContractElements.oneof(name, message.getOneofDecl(i).getName()), append(path, MESSAGE_ONEOF, i), byPath);
        }
        for (int i = 0; i < message.getNestedTypeCount(); i++) {
            addMessage(message.getNestedType(i), name + ".", append(path, MESSAGE_NESTED, i), byPath);
        }
        for (int i = 0; i < message.getEnumTypeCount(); i++) {
            addEnum(message.getEnumType(i), name + ".", append(path, MESSAGE_ENUM, i), byPath);
        }
    }

    private void addEnum(EnumDescriptorProto enumType, String prefix, List<Integer> path,
                         Map<List<Integer>, String> byPath) {
        String name = prefix + enumType.getName();
        put(ContractElements.enumType(name), path, byPath);
        for (int i = 0; i < enumType.getValueCount(); i++) {
            put(ContractElements.enumValue(name, enumType.getValue(i).getName()), append(path, ENUM_VALUE, i), byPath);
        }
    }

    private void addService(ServiceDescriptorProto service, String prefix, List<Integer> path,
                            Map<List<Integer>, String> byPath) {
        String name = prefix + service.getName();
        put(ContractElements.service(name), path, byPath);
        for (int i = 0; i < service.getMethodCount(); i++) {
            put(ContractElements.method(name, service.getMethod(i).getName()), append(path, SERVICE_METHOD, i), byPath);
        }
    }

    private void put(String element, List<Integer> path, Map<List<Integer>, String> byPath) {
        comments.put(element, byPath.getOrDefault(path, ""));
    }

    private static List<Integer> append(List<Integer> path, int kind, int index) {
        List<Integer> longer = new ArrayList<>(path);
        longer.add(kind);
        longer.add(index);
        return List.copyOf(longer);
    }
}
