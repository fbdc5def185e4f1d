// Reads the machine XML format into a MachineDescription, checked before a device is built.
package org.platformd.bridge.sim.xml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.platformd.bridge.sim.xml.MachineDescription.BridgeSpec;
import org.platformd.bridge.sim.xml.MachineDescription.DeviceSpec;
import org.platformd.bridge.sim.xml.MachineDescription.PciNode;
import org.platformd.bridge.sim.xml.MachineDescription.PlatformSpec;
import org.platformd.xml.DocumentKind;
import org.platformd.xml.SafeXmlReader;
import org.platformd.xml.XmlAttribute;
import org.platformd.xml.XmlElement;
import org.platformd.xml.XmlException;
import org.platformd.xml.XmlLimits;
import org.platformd.xml.XmlProblem;

/**
 * Reads the machine XML format (documented in core-bridge/README.md) into a {@link MachineDescription},
 * checking everything it can before a device is built: known elements, attributes and models, slot
 * syntax, no two nodes in one slot, functions 1-7 only next to a function 0, unique platform names and
 * non-overlapping ports. Every error names file, line and column. The XML itself is read by the
 * hardened {@link SafeXmlReader} (no DTDs or entities, bounded size and depth, UTF-8 only). Stateless.
 */
public final class MachineDescriptionReader {
    /** The built-in machine, a classpath resource next to the sim classes. */
    public static final String BUILT_IN_RESOURCE = "/org/platformd/bridge/sim/default-machine.xml";
    private static final Set<String> DEVICE_MODELS = Set.of("host-bridge", "edu", "bochs-display");
    private static final Map<String, Set<String>> MODEL_PROPERTIES = Map.of(
            "host-bridge", Set.of(),
            "edu", Set.of("dma-mask-bits"),
            "bochs-display", Set.of("vgamem"));
    /**
     * Bounds on a machine file: the policy's size, element and attribute bounds; deeper nesting, as bridges
     * nest behind bridges (a PCI hierarchy has at most 256 buses, but 60 bridges deep is no real machine).
     */
    private static final SafeXmlReader READER = new SafeXmlReader(
            new DocumentKind("machine description", "machine",
                    "each bridge behind a bridge is one level (<machine>, <pci>, <bridge>..., <device>)"),
            XmlLimits.DEFAULT.withMaxDepth(64));

    private MachineDescriptionReader() {
    }

    public static MachineDescription read(Path file) throws MachineDescriptionException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new MachineDescriptionException(file.toString(), 0, 0, "can't read: " + e.getMessage(), e);
        }
    }

    public static MachineDescription builtIn() {
        try (InputStream in = MachineDescriptionReader.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in machine resource missing: " + BUILT_IN_RESOURCE);
            }
            return read(in, "built-in");
        } catch (IOException | MachineDescriptionException e) {
            throw new IllegalStateException("built-in machine description is broken: " + e.getMessage(), e);
        }
    }

    public static MachineDescription read(InputStream in, String source) throws MachineDescriptionException {
        XmlElement root;
        try {
            root = READER.read(source, in).orThrow();
        } catch (XmlException e) {
            XmlProblem p = e.problem();
            throw new MachineDescriptionException(source, p.location().line(), p.location().column(), p.message(), e);
        } catch (IOException e) {
            throw new MachineDescriptionException(source, 0, 0, "can't read: " + e.getMessage(), e);
        }
        Context ctx = new Context(source);
        if (!root.name().equals("machine")) {
            throw ctx.error(root, "root element must be <machine>, found <" + root.name() + ">");
        }
        ctx.attributes(root, Set.of("name"));
        String name = root.value("name").orElse("machine");
        List<PciNode> bus0 = null;
        List<PlatformSpec> platform = new ArrayList<>();
        Map<Integer, String> portsTaken = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (XmlElement e : root.children()) {
            switch (e.name()) {
                case "pci" -> {
                    if (bus0 != null) {
                        throw ctx.error(e, "only one <pci> element is allowed");
                    }
                    ctx.attributes(e, Set.of());
                    bus0 = ctx.bus(e);
                }
                case "platform-device" -> {
                    PlatformSpec p = ctx.platform(e);
                    if (!names.add(p.name())) {
                        throw ctx.error(e, "platform device name '" + p.name() + "' is used twice");
                    }
                    for (int port = p.ports(); port < p.ports() + 4; port++) {
                        String other = portsTaken.putIfAbsent(port, p.name());
                        if (other != null) {
                            throw ctx.error(e, String.format("port 0x%x is already used by '%s'", port, other));
                        }
                    }
                    platform.add(p);
                }
                default -> throw ctx.error(e, "unknown element <" + e.name() + "> (expected <pci> or <platform-device>)");
            }
        }
        if (bus0 == null) {
            throw ctx.error(root, "<machine> needs a <pci> element");
        }
        return new MachineDescription(name, source, bus0, platform);
    }

    private record Context(String source) {
        MachineDescriptionException error(XmlElement e, String message) {
            return new MachineDescriptionException(source, line(e), column(e), message);
        }

        static int line(XmlElement e) {
            return e.location().line();
        }

        static int column(XmlElement e) {
            return e.location().column();
        }

        void attributes(XmlElement e, Set<String> allowed) throws MachineDescriptionException {
            for (XmlAttribute a : e.attributes()) {
                if (!allowed.contains(a.name())) {
                    throw error(e, "<" + e.name() + "> has no attribute '" + a.name() + "' (allowed: "
                            + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
            }
        }

        String required(XmlElement e, String attr) throws MachineDescriptionException {
            String v = e.value(attr).orElse(null);
            if (v == null || v.isBlank()) {
                throw error(e, "<" + e.name() + "> needs attribute '" + attr + "'");
            }
            return v.trim();
        }

        long number(XmlElement e, String attr, String text, long min, long max) throws MachineDescriptionException {
            String t = text.trim();
            long mult = 1;
            if (!t.startsWith("0x") && !t.isEmpty()) {
                char last = Character.toUpperCase(t.charAt(t.length() - 1));
                if (last == 'K' || last == 'M' || last == 'G') {
                    mult = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
                    t = t.substring(0, t.length() - 1);
                }
            }
            long v;
            try {
                v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            } catch (NumberFormatException ex) {
                throw error(e, attr + "=\"" + text + "\" is not a number (decimal, 0x hex, or with K/M/G)");
            }
            v *= mult;
            if (v < min || v > max) {
                throw error(e, attr + "=\"" + text + "\" is out of range " + min + ".." + max);
            }
            return v;
        }

        int optionalInt(XmlElement e, String attr, int dflt, int min, int max) throws MachineDescriptionException {
            String v = e.value(attr).orElse(null);
            return v == null ? dflt : (int) number(e, attr, v, min, max);
        }

        int[] slot(XmlElement e) throws MachineDescriptionException {
            String s = required(e, "slot");
            String[] parts = s.split("\\.", -1);
            try {
                if (parts.length == 2) {
                    int dev = Integer.parseInt(parts[0], 16);
                    int fn = Integer.parseInt(parts[1], 16);
                    if (dev >= 0 && dev <= 0x1f && fn >= 0 && fn <= 7) {
                        return new int[] {dev, fn};
                    }
                }
            } catch (NumberFormatException ignored) {
                // reported below with the expected form
            }
            throw error(e, "slot=\"" + s + "\" is not DD.F (hex device 00-1f, function 0-7)");
        }

        List<PciNode> bus(XmlElement parent) throws MachineDescriptionException {
            List<PciNode> nodes = new ArrayList<>();
            Map<Integer, XmlElement> taken = new LinkedHashMap<>();
            for (XmlElement e : parent.children()) {
                PciNode node = switch (e.name()) {
                    case "device" -> device(e);
                    case "bridge" -> bridge(e);
                    default -> throw error(e, "unknown element <" + e.name() + "> on a PCI bus (expected <device> or <bridge>)");
                };
                int devfn = node.device() << 3 | node.function();
                XmlElement other = taken.putIfAbsent(devfn, e);
                if (other != null) {
                    throw error(e, String.format("slot %02x.%x is already used on line %d", node.device(),
                            node.function(), line(other)));
                }
                nodes.add(node);
            }
            for (PciNode n : nodes) {
                if (n.function() != 0 && !taken.containsKey(n.device() << 3)) {
                    throw new MachineDescriptionException(source, n.line(), n.column(), String.format(
                            "function %02x.%x needs a function %02x.0 in the same device", n.device(), n.function(),
                            n.device()));
                }
            }
            return nodes;
        }

        DeviceSpec device(XmlElement e) throws MachineDescriptionException {
            String model = required(e, "model");
            if (!DEVICE_MODELS.contains(model)) {
                throw error(e, "unknown device model '" + model + "' (known: "
                        + String.join(", ", DEVICE_MODELS.stream().sorted().toList()) + ")");
            }
            Set<String> allowed = new HashSet<>(Set.of("model", "slot", "irq"));
            allowed.addAll(MODEL_PROPERTIES.get(model));
            attributes(e, allowed);
            int[] slot = slot(e);
            int irq = optionalInt(e, "irq", -1, 0, 255);
            Map<String, String> props = new HashMap<>();
            for (String p : MODEL_PROPERTIES.get(model)) {
                String v = e.value(p).orElse(null);
                if (v != null) {
                    switch (p) {
                        case "dma-mask-bits" -> number(e, p, v, 12, 64);
                        case "vgamem" -> number(e, p, v, 4L << 20, 256L << 20);
                        default -> throw new IllegalStateException(p);
                    }
                    props.put(p, Long.toString(number(e, p, v, 0, Long.MAX_VALUE)));
                }
            }
            return new DeviceSpec(model, slot[0], slot[1], irq, props, line(e), column(e));
        }

        BridgeSpec bridge(XmlElement e) throws MachineDescriptionException {
            attributes(e, Set.of("slot", "irq", "chassis", "model"));
            String model = e.value("model").orElse("pci-bridge");
            if (!model.equals("pci-bridge")) {
                throw error(e, "unknown bridge model '" + model + "' (known: pci-bridge)");
            }
            int[] slot = slot(e);
            int irq = optionalInt(e, "irq", -1, 0, 255);
            int chassis = optionalInt(e, "chassis", 0, 0, 255);
            return new BridgeSpec(slot[0], slot[1], irq, chassis, bus(e), line(e), column(e));
        }

        PlatformSpec platform(XmlElement e) throws MachineDescriptionException {
            attributes(e, Set.of("name", "model", "ports", "irq"));
            String model = required(e, "model");
            if (!model.equals("pit")) {
                throw error(e, "unknown platform device model '" + model + "' (known: pit)");
            }
            String name = e.value("name").orElse(model).trim();
            if (name.isEmpty() || name.contains(":")) {
                throw error(e, "platform device name '" + name + "' must be non-empty and contain no ':'");
            }
            int ports = optionalInt(e, "ports", 0x40, 0, 0xfffc);
            if (ports >= 0xcf8 - 3 && ports <= 0xcff) {
                throw error(e, String.format("ports 0x%x-0x%x overlap configuration mechanism #1 (0xcf8-0xcff)",
                        ports, ports + 3));
            }
            int irq = optionalInt(e, "irq", 0, 0, 15);
            return new PlatformSpec(name, model, ports, irq, line(e), column(e));
        }
    }
}
