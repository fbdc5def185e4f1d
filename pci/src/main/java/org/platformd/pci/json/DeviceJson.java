// Builds the JSON of platformctl lspci --json, exactly the shape of PCI-JSON.md.
package org.platformd.pci.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.platformd.pci.PciDevice;
import org.platformd.pci.caps.Aer;
import org.platformd.pci.caps.Capability;
import org.platformd.pci.caps.CapabilityNames;
import org.platformd.pci.caps.Msi;
import org.platformd.pci.caps.MsiX;
import org.platformd.pci.caps.PciExpress;
import org.platformd.pci.caps.PowerLimit;
import org.platformd.pci.caps.SubsystemId;
import org.platformd.pci.config.Bar;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;

/**
 * Builds the JSON of {@code platformctl lspci --json}, exactly the shape of PCI-JSON.md: one
 * object per function in bus order, every field what lspci 3.9.0 would show for the same
 * bytes (its quirks included — see {@link org.platformd.pci.config.BarDecoder}). Stateless.
 */
public final class DeviceJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper PRETTY = new ObjectMapper();

    private DeviceJson() {
    }

    /** Decodes {@code devices} and returns the JSON array, sorted by bus address like lspci. */
    public static ArrayNode toJson(List<PciDevice> devices) {
        return fromDecoded(DeviceDecoder.decodeAll(devices));
    }

    /** The JSON array for already decoded devices, sorted by bus address. */
    public static ArrayNode fromDecoded(List<DecodedDevice> decoded) {
        List<DecodedDevice> sorted = new ArrayList<>(decoded);
        sorted.sort(Comparator.comparing(DecodedDevice::address));
        ArrayNode out = F.arrayNode();
        for (DecodedDevice d : sorted) {
            out.add(device(d));
        }
        return out;
    }

    /** Pretty-printed text of a JSON tree (two-space indentation, as Jackson's default printer writes it). */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree we built can't be written", e);
        }
    }

    /** One function's object. */
    public static ObjectNode device(DecodedDevice d) {
        ObjectNode o = F.objectNode();
        o.put("slot", d.address().toString());
        o.put("vendor_id", hex4(d.vendorId()));
        o.put("device_id", hex4(d.deviceId()));
        o.put("class", hex(d.classCode(), 6));
        o.put("revision", hex(d.revision(), 2));
        // A bridge's subsystem is whatever its Subsystem capability holds, 0000:0000 included:
        // that is what lspci shows on the capability's line, even when it prints no device-level
        // Subsystem line for it (it does so only for a vendor other than 0 and ffff).
        Capability ssvid = d.headerType() == 1 ? d.capabilities().find(CapabilityNames.SSVID) : null;
        if (ssvid != null && ssvid.body() instanceof SubsystemId s && s.readable()) {
            o.put("subsystem_vendor_id", hex4(s.vendor()));
            o.put("subsystem_id", hex4(s.device()));
        } else if (d.subsystemVendor() >= 0) {
            o.put("subsystem_vendor_id", hex4(d.subsystemVendor()));
            o.put("subsystem_id", hex4(d.subsystemId()));
        } else {
            o.putNull("subsystem_vendor_id");
            o.putNull("subsystem_id");
        }
        o.put("header_type", d.headerType());
        o.put("multifunction", d.multifunction());
        // lspci prints "Interrupt: pin X" only for header types it knows
        int pin = d.interruptPin();
        if (d.knownHeaderType() && pin >= 1 && pin <= 4) {
            o.put("interrupt_pin", String.valueOf((char) ('A' + pin - 1)));
        } else {
            o.putNull("interrupt_pin");
        }
        ArrayNode bars = o.putArray("bars");
        for (Bar b : d.bars()) {
            ObjectNode bn = bars.addObject();
            bn.put("index", b.index());
            bn.put("type", b.io() ? "io" : "mem");
            bn.put("address", b.addressHex());
            bn.put("is_64bit", b.is64Bit());
            bn.put("prefetchable", !b.io() && b.prefetchable());
            if (b.size() != null) {
                bn.put("size", b.size());
            } else {
                bn.putNull("size");
            }
        }
        ArrayNode caps = o.putArray("capabilities");
        for (Capability c : d.capabilities().capabilities()) {
            ObjectNode cn = caps.addObject();
            cn.put("id", c.idHex());
            cn.put("offset", c.offsetHex());
            cn.put("name", c.name());
        }
        ArrayNode ext = o.putArray("extended_capabilities");
        for (Capability c : d.extended().capabilities()) {
            ObjectNode cn = ext.addObject();
            cn.put("id", c.idHex());
            cn.put("offset", c.offsetHex());
            cn.put("version", c.version());
            cn.put("name", c.name());
        }
        o.set("msi", msi(d.msi()));
        o.set("msix", msix(d.msix()));
        o.set("pcie", pcie(d.pcie()));
        o.set("aer", aer(d));
        if (d.headerType() == 1) {
            ConfigSpace cfg = d.config();
            o.put("primary_bus", hex(cfg.u8(0x18, 0), 2));
            o.put("secondary_bus", hex(cfg.u8(0x19, 0), 2));
            o.put("subordinate_bus", hex(cfg.u8(0x1a, 0), 2));
        } else {
            o.putNull("primary_bus");
            o.putNull("secondary_bus");
            o.putNull("subordinate_bus");
        }
        return o;
    }

    private static JsonNode msi(Msi m) {
        if (m == null) {
            return F.nullNode();
        }
        ObjectNode o = F.objectNode();
        o.put("enabled", m.enabled());
        o.put("vectors_capable", m.vectorsCapable());
        o.put("vectors_enabled", m.vectorsEnabled());
        o.put("is_64bit", m.is64Bit());
        o.put("per_vector_mask", m.perVectorMask());
        return o;
    }

    private static JsonNode msix(MsiX m) {
        if (m == null) {
            return F.nullNode();
        }
        ObjectNode o = F.objectNode();
        o.put("enabled", m.enabled());
        o.put("function_mask", m.functionMask());
        o.put("table_size", m.tableSize());
        if (m.tableReadable()) {
            o.put("table_bar", m.tableBar());
            o.put("table_offset", hex(m.tableOffset(), 8));
            o.put("pba_bar", m.pbaBar());
            o.put("pba_offset", hex(m.pbaOffset(), 8));
        } else {
            // lspci prints no "Vector table"/"PBA" lines when it can't read them
            o.putNull("table_bar");
            o.putNull("table_offset");
            o.putNull("pba_bar");
            o.putNull("pba_offset");
        }
        return o;
    }

    private static JsonNode pcie(PciExpress e) {
        if (e == null) {
            return F.nullNode();
        }
        ObjectNode o = F.objectNode();
        o.put("version", e.version());
        o.put("port_type", e.portTypeName());
        if (e.linkReported()) {
            o.put("link_cap_speed", PciExpress.speedName(e.linkCapSpeed()));
            o.put("link_cap_width", e.linkCapWidth());
            o.put("link_status_speed", PciExpress.speedName(e.linkStatusSpeed()));
            o.put("link_status_width", e.linkStatusWidth());
        } else {
            o.putNull("link_cap_speed");
            o.putNull("link_cap_width");
            o.putNull("link_status_speed");
            o.putNull("link_status_width");
        }
        if (e.registersReadable()) {
            o.put("max_payload_supported", 128 << (e.deviceCapabilities() & 7));
            o.put("max_payload", 128 << ((e.deviceControl() >> 5) & 7));
            o.put("max_read_request", 128 << ((e.deviceControl() >> 12) & 7));
        } else {
            o.putNull("max_payload_supported");
            o.putNull("max_payload");
            o.putNull("max_read_request");
        }
        if (e.registersReadable() && e.hasSlot()) {
            long t = e.slotCapabilities();
            ObjectNode slot = o.putObject("slot");
            slot.put("number", (t >> 19) & 0x1fff);
            slot.put("power_limit", PowerLimit.text((int) (t >> 7) & 0xff, (int) (t >> 15) & 3));
            slot.put("attention_button", (t & 1) != 0);
            slot.put("power_controller", (t & 2) != 0);
            slot.put("hot_plug", (t & 0x40) != 0);
            slot.put("surprise", (t & 0x20) != 0);
        } else {
            o.putNull("slot");
        }
        return o;
    }

    /** The first AER capability's status, mask and severity registers as lists of lspci's set flag names. */
    private static JsonNode aer(DecodedDevice d) {
        for (Capability c : d.extended().capabilities()) {
            if (c.id() == 0x01 && c.body() instanceof Aer a) {
                if (!a.readable()) {
                    return F.nullNode();
                }
                ObjectNode o = F.objectNode();
                o.set("uncorrectable_status", setFlags(a.uncorrectableStatus(), Aer.UE_NAMES, Aer.UE_BITS));
                o.set("uncorrectable_mask", setFlags(a.uncorrectableMask(), Aer.UE_NAMES, Aer.UE_BITS));
                o.set("uncorrectable_severity", setFlags(a.uncorrectableSeverity(), Aer.UE_NAMES, Aer.UE_BITS));
                o.set("correctable_status", setFlags(a.correctableStatus(), Aer.CE_NAMES, Aer.CE_BITS));
                o.set("correctable_mask", setFlags(a.correctableMask(), Aer.CE_NAMES, Aer.CE_BITS));
                return o;
            }
        }
        return F.nullNode();
    }

    private static ArrayNode setFlags(long value, String[] names, int[] bits) {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < names.length; i++) {
            if ((value & (1L << bits[i])) != 0) {
                a.add(names[i]);
            }
        }
        return a;
    }

    private static String hex4(int v) {
        return hex(v, 4);
    }

    /** Lowercase hex, zero-padded to {@code width} (String.format is too slow for the per-field hot path). */
    static String hex(long v, int width) {
        String s = Long.toHexString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
