package org.platformd.pci.oracle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Capabilities:" lines of one device, turned into the contract's capability arrays and
 * its msi / msix / pcie objects.
 *
 * <p>Rules mirrored from lspci 3.9.0: "&lt;access denied&gt;" (config space shorter than the
 * first capability, e.g. 64-byte dumps) ends the standard chain with nothing in it;
 * "&lt;chain looped&gt;" / "&lt;chain broken&gt;" end the chain they appear in and name no
 * capability; when a device has more than one MSI, MSI-X or Express capability, the first
 * one in walk order fills msi / msix / pcie.
 */
final class CapabilityLines {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern HEAD = Pattern.compile("^Capabilities: \\[([0-9a-f]+)(?: v(\\d+))?\\] (.*)$");
    private static final Pattern MSI = Pattern.compile(
            "^MSI: Enable([+-]) Count=(\\d+)/(\\d+) Maskable([+-]) 64bit([+-])$");
    private static final Pattern MSIX = Pattern.compile("^MSI-X: Enable([+-]) Count=(\\d+) Masked([+-])$");
    private static final Pattern MSIX_TABLE = Pattern.compile("^Vector table: BAR=(\\d+) offset=([0-9a-f]{8})$");
    private static final Pattern MSIX_PBA = Pattern.compile("^PBA: BAR=(\\d+) offset=([0-9a-f]{8})$");
    private static final Pattern EXPRESS = Pattern.compile("^Express (?:\\(v(\\d+)\\) )?(.*?)(?:, MSI [0-9a-f]{2})?$");
    private static final Pattern SLOT_SUFFIX = Pattern.compile(" \\(Slot[+-]\\)$");
    private static final Pattern LNKCAP = Pattern.compile("^LnkCap:\\s+Port #\\d+, Speed ([^ ,]+), Width x(\\d+)(?:,.*)?$");
    private static final Pattern LNKSTA = Pattern.compile(
            "^LnkSta:\\s+Speed ([^ ,]+)(?: \\((?:ok|downgraded|overdriven)\\))?, Width x(\\d+)"
                    + "(?: \\((?:ok|downgraded|overdriven)\\))?$");
    private static final Pattern DEVCAP = Pattern.compile("^DevCap:\\s+MaxPayload (\\d+) bytes,.*$");
    private static final Pattern DEVCTL_SIZES = Pattern.compile("^MaxPayload (\\d+) bytes, MaxReadReq (\\d+) bytes$");
    private static final Pattern SLTCAP = Pattern.compile(
            "^SltCap:\\s+AttnBtn([+-]) PwrCtrl([+-]) MRL[+-] AttnInd[+-] PwrInd[+-] HotPlug([+-]) Surprise([+-])$");
    private static final Pattern SLTCAP_SLOT = Pattern.compile("^Slot #(\\d+), PowerLimit ([^;]+); .*$");
    private static final Pattern AER_FLAGS = Pattern.compile("^(UESta|UEMsk|UESvrt|CESta|CEMsk):\\s+(.*)$");
    /** Where lspci ran two capability lines together: the tab before the second one's head. */
    private static final Pattern JOINED = Pattern.compile("\t(?=Capabilities: )");
    private static final Pattern SUBSYSTEM_IDS = Pattern.compile(".*\\[([0-9a-f]{4}):([0-9a-f]{4})\\]$");

    final ArrayNode capabilities = JSON.arrayNode();
    final ArrayNode extendedCapabilities = JSON.arrayNode();
    JsonNode msi = NullNode.getInstance();
    JsonNode msix = NullNode.getInstance();
    JsonNode pcie = NullNode.getInstance();
    JsonNode aer = NullNode.getInstance();
    /** IDs from a "Subsystem" capability (bridges), or null. */
    String[] subsystemFromCapability;

    private boolean standardEnded;
    private boolean extendedEnded;

    /**
     * @param block the device
     * @param config raw config bytes (only read to tell the two "Virtual Channel" IDs apart)
     */
    static CapabilityLines parse(DeviceBlock block, byte[] config) {
        CapabilityLines caps = new CapabilityLines();
        List<String> lines = block.lines();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (DeviceBlock.indent(line) != 1 || !line.startsWith("\tCapabilities: ")) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && DeviceBlock.indent(lines.get(end)) >= 2) {
                end++;
            }
            List<String> body = lines.subList(i + 1, end).stream().map(String::strip).toList();
            // lspci prints nothing for a PCI-X capability on a CardBus header, not even the line end, so
            // the next capability's line follows on the same line: "Capabilities: [60] \tCapabilities: [6c] ..."
            String[] joined = JOINED.split(line.substring(1), -1);
            for (int k = 0; k < joined.length; k++) {
                try {
                    caps.add(joined[k], k == joined.length - 1 ? body : List.of(), config);
                } catch (IllegalArgumentException | LspciException e) {
                    throw new LspciException(block.where(i) + ": " + e.getMessage(), e);
                }
            }
        }
        return caps;
    }

    private void add(String text, List<String> body, byte[] config) {
        if (text.equals("Capabilities: <access denied>")) {
            standardEnded = true;
            return;
        }
        Matcher head = HEAD.matcher(text);
        if (!head.matches()) {
            throw new IllegalArgumentException("capability line not understood: " + text);
        }
        String offset = head.group(1);
        boolean extended = head.group(2) != null;
        String rest = head.group(3);
        boolean chainEnd = rest.equals("<chain looped>") || rest.equals("<chain broken>");
        if (extended) {
            if (extendedEnded) {
                return;
            }
            if (chainEnd) {
                extendedEnded = true;
                return;
            }
            int where = Integer.parseInt(offset, 16);
            IntSupplier rawId = () -> {
                if (where + 1 >= config.length) {
                    throw new LspciException("no raw bytes at extended capability " + offset);
                }
                return (config[where] & 0xff) | (config[where + 1] & 0xff) << 8;
            };
            CapabilityNames.Named named = CapabilityNames.extended(rest, rawId)
                    .orElseThrow(() -> new IllegalArgumentException("extended capability name not known: " + rest));
            ObjectNode cap = extendedCapabilities.addObject();
            cap.put("id", named.id());
            cap.put("offset", offset);
            cap.put("version", Integer.parseInt(head.group(2)));
            cap.put("name", named.name());
            if (named.id().equals("0001") && aer.isNull()) {
                aer = aer(body);
            }
            return;
        }
        if (standardEnded) {
            return;
        }
        if (chainEnd) {
            standardEnded = true;
            return;
        }
        CapabilityNames.Named named = rest.isEmpty() && silentPcix(config, Integer.parseInt(offset, 16))
                ? new CapabilityNames.Named("07", "PCI-X")
                : CapabilityNames.standard(rest)
                        .orElseThrow(() -> new IllegalArgumentException("capability name not known: " + rest));
        ObjectNode cap = capabilities.addObject();
        cap.put("id", named.id());
        cap.put("offset", offset);
        cap.put("name", named.name());
        switch (named.id()) {
            case "05" -> {
                if (msi.isNull()) {
                    msi = msi(rest);
                }
            }
            case "11" -> {
                if (msix.isNull()) {
                    msix = msix(rest, body);
                }
            }
            case "10" -> {
                if (pcie.isNull()) {
                    pcie = express(rest, body);
                }
            }
            case "0d" -> {
                if (subsystemFromCapability == null) {
                    Matcher m = SUBSYSTEM_IDS.matcher(rest);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("Subsystem capability without [vvvv:dddd]: " + rest);
                    }
                    subsystemFromCapability = new String[] {m.group(1), m.group(2)};
                }
            }
            default -> { }
        }
    }

    /** lspci's cap_pcix prints only for header types 0 and 1: on a CardBus header the capability is nameless. */
    private static boolean silentPcix(byte[] config, int where) {
        return config.length > where && config[where] == 0x07 && (config[0x0e] & 0x7f) == 2;
    }

    private static ObjectNode msi(String text) {
        Matcher m = MSI.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("MSI line not understood: " + text);
        }
        ObjectNode msi = JSON.objectNode();
        msi.put("enabled", m.group(1).equals("+"));
        msi.put("vectors_capable", Integer.parseInt(m.group(3)));
        msi.put("vectors_enabled", Integer.parseInt(m.group(2)));
        msi.put("is_64bit", m.group(5).equals("+"));
        msi.put("per_vector_mask", m.group(4).equals("+"));
        return msi;
    }

    private static ObjectNode msix(String text, List<String> body) {
        Matcher m = MSIX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("MSI-X line not understood: " + text);
        }
        ObjectNode msix = JSON.objectNode();
        msix.put("enabled", m.group(1).equals("+"));
        msix.put("function_mask", m.group(3).equals("+"));
        msix.put("table_size", Integer.parseInt(m.group(2)));
        msix.putNull("table_bar");
        msix.putNull("table_offset");
        msix.putNull("pba_bar");
        msix.putNull("pba_offset");
        for (String line : body) {
            Matcher t = MSIX_TABLE.matcher(line);
            Matcher p = MSIX_PBA.matcher(line);
            if (t.matches()) {
                msix.put("table_bar", Integer.parseInt(t.group(1)));
                msix.put("table_offset", t.group(2));
            } else if (p.matches()) {
                msix.put("pba_bar", Integer.parseInt(p.group(1)));
                msix.put("pba_offset", p.group(2));
            }
        }
        return msix;
    }

    private static ObjectNode express(String text, List<String> body) {
        Matcher m = EXPRESS.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("Express line not understood: " + text);
        }
        ObjectNode pcie = JSON.objectNode();
        if (m.group(1) == null) {
            pcie.putNull("version");
        } else {
            pcie.put("version", Integer.parseInt(m.group(1)));
        }
        pcie.put("port_type", SLOT_SUFFIX.matcher(m.group(2)).replaceFirst(""));
        pcie.putNull("link_cap_speed");
        pcie.putNull("link_cap_width");
        pcie.putNull("link_status_speed");
        pcie.putNull("link_status_width");
        pcie.putNull("max_payload_supported");
        pcie.putNull("max_payload");
        pcie.putNull("max_read_request");
        pcie.putNull("slot");
        ObjectNode slot = null;
        for (String line : body) {
            Matcher dc = DEVCAP.matcher(line);
            Matcher sizes = DEVCTL_SIZES.matcher(line);
            Matcher sc = SLTCAP.matcher(line);
            Matcher ss = SLTCAP_SLOT.matcher(line);
            if (dc.matches()) {
                pcie.put("max_payload_supported", Integer.parseInt(dc.group(1)));
            } else if (sizes.matches()) {
                pcie.put("max_payload", Integer.parseInt(sizes.group(1)));
                pcie.put("max_read_request", Integer.parseInt(sizes.group(2)));
            } else if (sc.matches()) {
                slot = JSON.objectNode();
                slot.putNull("number");
                slot.putNull("power_limit");
                slot.put("attention_button", sc.group(1).equals("+"));
                slot.put("power_controller", sc.group(2).equals("+"));
                slot.put("hot_plug", sc.group(3).equals("+"));
                slot.put("surprise", sc.group(4).equals("+"));
                pcie.set("slot", slot);
            } else if (ss.matches() && slot != null) {
                slot.put("number", Integer.parseInt(ss.group(1)));
                slot.put("power_limit", ss.group(2));
            }
        }
        for (String line : body) {
            if (line.startsWith("LnkCap:")) {
                Matcher c = LNKCAP.matcher(line);
                if (!c.matches()) {
                    throw new IllegalArgumentException("LnkCap line not understood: " + line);
                }
                pcie.put("link_cap_speed", c.group(1));
                pcie.put("link_cap_width", Integer.parseInt(c.group(2)));
            } else if (line.startsWith("LnkSta:")) {
                Matcher s = LNKSTA.matcher(line);
                if (!s.matches()) {
                    throw new IllegalArgumentException("LnkSta line not understood: " + line);
                }
                pcie.put("link_status_speed", s.group(1));
                pcie.put("link_status_width", Integer.parseInt(s.group(2)));
            }
        }
        return pcie;
    }

    /** The AER flag lines as lists of the names lspci marks '+'; null when lspci printed none (short dumps). */
    private static JsonNode aer(List<String> body) {
        ObjectNode aer = JSON.objectNode();
        String[][] keys = {{"UESta", "uncorrectable_status"}, {"UEMsk", "uncorrectable_mask"},
            {"UESvrt", "uncorrectable_severity"}, {"CESta", "correctable_status"}, {"CEMsk", "correctable_mask"}};
        for (String line : body) {
            Matcher m = AER_FLAGS.matcher(line);
            if (!m.matches()) {
                continue;
            }
            for (String[] k : keys) {
                if (k[0].equals(m.group(1))) {
                    ArrayNode set = aer.putArray(k[1]);
                    for (String flag : m.group(2).split(" ")) {
                        if (flag.endsWith("+")) {
                            set.add(flag.substring(0, flag.length() - 1));
                        } else if (!flag.endsWith("-")) {
                            throw new IllegalArgumentException("AER flag not understood: " + flag + " in " + line);
                        }
                    }
                }
            }
        }
        if (aer.isEmpty()) {
            return NullNode.getInstance();
        }
        if (aer.size() != keys.length) {
            throw new IllegalArgumentException("AER lines incomplete: " + body);
        }
        return aer;
    }
}
