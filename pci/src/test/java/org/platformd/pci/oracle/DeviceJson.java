package org.platformd.pci.oracle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds one device's contract object (PCI-JSON.md) from its block of lspci -vvv text,
 * reading raw config bytes only for what lspci never prints in words: header type and
 * multi-function bit (byte 0x0e), the interrupt pin when there is no "Interrupt:" line
 * (byte 0x3d), and which of the two "Virtual Channel" IDs a capability is.
 */
final class DeviceJson {
    private static final Pattern SUBSYSTEM = Pattern.compile("^Subsystem: .*\\[([0-9a-f]{4}):([0-9a-f]{4})\\]$");
    private static final Pattern INTERRUPT = Pattern.compile("^Interrupt: pin (.) routed to IRQ .*$");
    private static final Pattern BUS = Pattern.compile(
            "^Bus: primary=([0-9a-f]{2}), secondary=([0-9a-f]{2}), subordinate=([0-9a-f]{2}), sec-latency=\\d+$");

    private DeviceJson() {}

    /**
     * @param numericIds vendor/device IDs by slot from {@code lspci -n}, asked only when the
     *     -nn line was truncated
     */
    static ObjectNode build(DeviceBlock block, byte[] config, Function<String, Optional<String[]>> numericIds) {
        SlotLine head = SlotLine.parse(block);
        String[] ids = head.ids().or(() -> numericIds.apply(head.slot()))
                .orElseThrow(() -> new LspciException(block.where(0)
                        + ": device line truncated and lspci -n does not list the slot either"));
        if (config.length < 64) {
            throw new LspciException(block.where(0) + ": lspci -xxxx shows only " + config.length + " bytes");
        }
        int headerByte = config[0x0e] & 0xff;
        int headerType = headerByte & 0x7f;

        String[] subsystem = null;
        String pin = null;
        boolean interruptLine = false;
        String[] bus = null;
        ArrayNode bars = JsonNodeFactory.instance.arrayNode();
        List<String> lines = block.lines();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (DeviceBlock.indent(line) != 1) {
                continue;
            }
            String text = line.substring(1);
            // lspci 3.9.0 prints "DeviceName: %s" without a newline; the Subsystem follows on the same line.
            int glued = text.startsWith("DeviceName: ") ? text.indexOf("\tSubsystem: ") : -1;
            if (glued >= 0) {
                text = text.substring(glued + 1);
            }
            try {
                if (text.startsWith("Subsystem: ")) {
                    Matcher m = SUBSYSTEM.matcher(text);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("Subsystem line not understood: " + text);
                    }
                    subsystem = new String[] {m.group(1), m.group(2)};
                } else if (text.startsWith("Interrupt: ")) {
                    Matcher m = INTERRUPT.matcher(text);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("Interrupt line not understood: " + text);
                    }
                    interruptLine = true;
                    char c = m.group(1).charAt(0);
                    pin = c >= 'A' && c <= 'D' ? String.valueOf(c) : null;
                } else if (text.startsWith("Bus: ")) {
                    Matcher m = BUS.matcher(text);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("Bus line not understood: " + text);
                    }
                    bus = new String[] {m.group(1), m.group(2), m.group(3)};
                } else {
                    RegionLine.parse(text).ifPresent(bars::add);
                }
            } catch (IllegalArgumentException e) {
                throw new LspciException(block.where(i) + ": " + e.getMessage(), e);
            }
        }
        if (!interruptLine) {
            int rawPin = config[0x3d] & 0xff;
            pin = rawPin >= 1 && rawPin <= 4 ? String.valueOf((char) ('A' + rawPin - 1)) : null;
        }
        CapabilityLines caps = CapabilityLines.parse(block, config);
        if (subsystem == null && headerType == 1 && caps.subsystemFromCapability != null) {
            subsystem = caps.subsystemFromCapability;
        }
        if (headerType != 1) {
            bus = null; // the contract keeps bus numbers for PCI-PCI bridges only (CardBus prints "Bus:" too)
        }

        ObjectNode device = JsonNodeFactory.instance.objectNode();
        device.put("slot", head.slot());
        device.put("vendor_id", ids[0]);
        device.put("device_id", ids[1]);
        device.put("class", head.classCode() + head.progIf());
        device.put("revision", head.revision());
        device.put("subsystem_vendor_id", subsystem == null ? null : subsystem[0]);
        device.put("subsystem_id", subsystem == null ? null : subsystem[1]);
        device.put("header_type", headerType);
        device.put("multifunction", (headerByte & 0x80) != 0);
        device.put("interrupt_pin", pin);
        device.set("bars", bars);
        device.set("capabilities", caps.capabilities);
        device.set("extended_capabilities", caps.extendedCapabilities);
        device.set("msi", caps.msi);
        device.set("msix", caps.msix);
        device.set("pcie", caps.pcie);
        device.set("aer", caps.aer);
        device.put("primary_bus", bus == null ? null : bus[0]);
        device.put("secondary_bus", bus == null ? null : bus[1]);
        device.put("subordinate_bus", bus == null ? null : bus[2]);
        return device;
    }
}
