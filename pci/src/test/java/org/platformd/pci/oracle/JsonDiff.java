package org.platformd.pci.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Field-by-field comparison of two device lists in the PCI-JSON.md shape — ours (the
 * decoder) against lspci's (the oracle). Devices are matched by "slot"; a device present on
 * one side only is a mismatch. Objects are compared key by key (a key missing on one side
 * is a mismatch), arrays element by element, numbers by value (4096 as int equals 4096 as
 * long), everything else exactly. Each mismatch is one line:
 * {@code FILE DEVICE FIELD: ours=VALUE lspci=VALUE}, with FIELD a path such as
 * {@code capabilities[2].name} or {@code pcie.link_status_width}, VALUE in JSON text and
 * {@code <absent>} for a missing key, element or device.
 */
public final class JsonDiff {
    static final String ABSENT = "<absent>";

    private JsonDiff() {}

    /**
     * @param file what the lists describe (dump file name or "live"), first word of each line
     * @return the mismatches, in lspci's device order then ours; empty when both agree
     */
    public static List<String> compare(String file, ArrayNode ours, ArrayNode lspci) {
        List<String> mismatches = new ArrayList<>();
        Map<String, JsonNode> oursBySlot = bySlot(file, "ours", ours, mismatches);
        Map<String, JsonNode> lspciBySlot = bySlot(file, "lspci", lspci, mismatches);
        Set<String> slots = new LinkedHashSet<>(lspciBySlot.keySet());
        slots.addAll(oursBySlot.keySet());
        for (String slot : slots) {
            JsonNode o = oursBySlot.get(slot);
            JsonNode l = lspciBySlot.get(slot);
            if (o == null || l == null) {
                mismatches.add(file + " " + slot + " device: ours=" + (o == null ? ABSENT : "present")
                        + " lspci=" + (l == null ? ABSENT : "present"));
            } else {
                compareNodes(file + " " + slot + " ", "", o, l, mismatches);
            }
        }
        return mismatches;
    }

    private static Map<String, JsonNode> bySlot(String file, String side, ArrayNode devices, List<String> mismatches) {
        Map<String, JsonNode> result = new LinkedHashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            JsonNode device = devices.get(i);
            JsonNode slot = device.get("slot");
            if (slot == null || !slot.isTextual()) {
                mismatches.add(file + " #" + i + " slot: " + side + " has a device without a slot: " + device);
            } else if (result.putIfAbsent(slot.asText(), device) != null) {
                mismatches.add(file + " " + slot.asText() + " device: " + side + " lists this slot twice");
            }
        }
        return result;
    }

    private static void compareNodes(String prefix, String path, JsonNode ours, JsonNode lspci, List<String> out) {
        if (ours.isObject() && lspci.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            lspci.fieldNames().forEachRemaining(keys::add);
            ours.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String child = path.isEmpty() ? key : path + "." + key;
                JsonNode o = ours.get(key);
                JsonNode l = lspci.get(key);
                if (o == null || l == null) {
                    out.add(prefix + child + ": ours=" + show(o) + " lspci=" + show(l));
                } else {
                    compareNodes(prefix, child, o, l, out);
                }
            }
        } else if (ours.isArray() && lspci.isArray()) {
            int n = Math.max(ours.size(), lspci.size());
            for (int i = 0; i < n; i++) {
                String child = path + "[" + i + "]";
                JsonNode o = i < ours.size() ? ours.get(i) : null;
                JsonNode l = i < lspci.size() ? lspci.get(i) : null;
                if (o == null || l == null) {
                    out.add(prefix + child + ": ours=" + show(o) + " lspci=" + show(l));
                } else {
                    compareNodes(prefix, child, o, l, out);
                }
            }
        } else if (!sameValue(ours, lspci)) {
            out.add(prefix + path + ": ours=" + show(ours) + " lspci=" + show(lspci));
        }
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static String show(JsonNode node) {
        return node == null ? ABSENT : node.toString();
    }

    /** The mismatches as one text block with a count, for assertion messages. */
    public static String report(List<String> mismatches) {
        StringBuilder text = new StringBuilder(mismatches.size() + " mismatch(es):");
        for (Iterator<String> it = mismatches.iterator(); it.hasNext(); ) {
            text.append('\n').append(it.next());
        }
        return text.toString();
    }
}
