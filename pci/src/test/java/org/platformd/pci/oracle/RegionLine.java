package org.platformd.pci.oracle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One "Region N:" line of the device section (one tab deep; the "Region" lines two tabs
 * deep inside SR-IOV belong to the capability, not to the device). Forms lspci 3.9.0 prints:
 * <pre>
 * Region 0: Memory at f7e00000 (32-bit, non-prefetchable) [disabled] [size=4K]
 * Region 2: [virtual] Memory at 4000000000 (64-bit, prefetchable) [size=512K]
 * Region 4: I/O ports at 1020 [disabled] [size=32]
 * Region 1: Memory at &lt;unassigned&gt; (low-1M, non-prefetchable)
 * Region 5: I/O ports at &lt;ignored&gt;
 * </pre>
 * Memory types "low-1M" and "type 3" are 32-bit for the contract; "&lt;unassigned&gt;",
 * "&lt;ignored&gt;" and "&lt;invalid-64bit-slot&gt;" give a null address.
 */
final class RegionLine {
    private static final Pattern REGION = Pattern.compile(
            "^Region (\\d+): (?:\\[virtual\\] )?(Memory at|I/O ports at) (\\S+)"
                    + "(?: \\((32-bit|64-bit|low-1M|type 3), (non-)?prefetchable\\))?"
                    + "(?: \\[disabled\\])?(?: \\[enhanced\\])?(?: \\[size=(\\d+[KMGT]?)\\])?$");

    private RegionLine() {}

    /** @param text the line without its leading tab */
    static Optional<ObjectNode> parse(String text) {
        if (!text.startsWith("Region ")) {
            return Optional.empty();
        }
        Matcher m = REGION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("Region line not understood: " + text);
        }
        boolean memory = m.group(2).equals("Memory at");
        if (memory != (m.group(4) != null)) {
            throw new IllegalArgumentException("Region line mixes I/O and memory forms: " + text);
        }
        ObjectNode bar = JsonNodeFactory.instance.objectNode();
        bar.put("index", Integer.parseInt(m.group(1)));
        bar.put("type", memory ? "mem" : "io");
        String address = m.group(3);
        if (address.startsWith("<")) {
            bar.putNull("address");
        } else if (address.matches("[0-9a-f]+")) {
            bar.put("address", address);
        } else {
            throw new IllegalArgumentException("Region address not understood: " + text);
        }
        bar.put("is_64bit", memory && m.group(4).equals("64-bit"));
        bar.put("prefetchable", memory && m.group(5) == null);
        if (m.group(6) == null) {
            bar.putNull("size");
        } else {
            bar.put("size", SizeText.bytes(m.group(6)));
        }
        return Optional.of(bar);
    }
}
