package org.platformd.proto.v1;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Names every documentable element of a file descriptor: services, methods, messages (nested
 * too), fields, oneofs written in the source, enums and enum values. Enum values are named under
 * their enum (not protobuf's sibling scope) so the name says where to add the comment.
 */
final class ContractElements {
    private ContractElements() {}

    static String service(String fullName) { return "service " + fullName; }
    static String method(String service, String method) { return "method " + service + "." + method; }
    static String message(String fullName) { return "message " + fullName; }
    static String field(String message, String field) { return "field " + message + "." + field; }
    static String oneof(String message, String oneof) { return "oneof " + message + "." + oneof; }
    static String enumType(String fullName) { return "enum " + fullName; }
    static String enumValue(String enumType, String value) { return "enum value " + enumType + "." + value; }

    /** Every element of the file, in declaration order. */
    static List<String> of(FileDescriptor file) {
        List<String> elements = new ArrayList<>();
        for (ServiceDescriptor service : file.getServices()) {
            elements.add(service(service.getFullName()));
            for (MethodDescriptor method : service.getMethods()) {
                elements.add(method(service.getFullName(), method.getName()));
            }
        }
        for (Descriptor message : file.getMessageTypes()) {
            addMessage(message, elements);
        }
        for (EnumDescriptor enumType : file.getEnumTypes()) {
            addEnum(enumType, elements);
        }
        return elements;
    }

    private static void addMessage(Descriptor message, List<String> elements) {
        elements.add(message(message.getFullName()));
        for (FieldDescriptor field : message.getFields()) {
            elements.add(field(message.getFullName(), field.getName()));
        }
        // proto3 `optional` creates a synthetic oneof that has no source text to comment.
        for (OneofDescriptor oneof : message.getRealOneofs()) {
            elements.add(oneof(message.getFullName(), oneof.getName()));
        }
        for (Descriptor nested : message.getNestedTypes()) {
            addMessage(nested, elements);
        }
        for (EnumDescriptor enumType : message.getEnumTypes()) {
            addEnum(enumType, elements);
        }
    }

    private static void addEnum(EnumDescriptor enumType, List<String> elements) {
        elements.add(enumType(enumType.getFullName()));
        for (EnumValueDescriptor value : enumType.getValues()) {
            elements.add(enumValue(enumType.getFullName(), value.getName()));
        }
    }
}
