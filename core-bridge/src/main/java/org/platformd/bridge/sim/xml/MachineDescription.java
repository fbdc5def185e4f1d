// An emulated machine as described in its XML file: the PCI tree under the host (bus 0) and the platform devices.
package org.platformd.bridge.sim.xml;

import java.util.List;
import java.util.Map;

/**
 * An emulated machine as described in its XML file: the PCI tree under the host (bus 0) and the
 * platform devices. Bus numbers, BAR addresses and default interrupt lines are not part of it; the
 * machine assigns them like firmware would. Immutable.
 *
 * @param name     the machine's name
 * @param source   where it was read from (file path or "built-in")
 * @param rootBus  the nodes on bus 0
 * @param platform legacy devices
 */
public record MachineDescription(String name, String source, List<PciNode> rootBus, List<PlatformSpec> platform) {
    public MachineDescription {
        rootBus = List.copyOf(rootBus);
        platform = List.copyOf(platform);
    }

    /** Something in a PCI slot. */
    public sealed interface PciNode permits DeviceSpec, BridgeSpec {
        int device();

        int function();

        /** Interrupt line override, or -1 for the default routing. */
        int irq();

        /** Line in the source, for error messages. */
        int line();

        /** Column in the source (where the element's start tag begins: its '<'), for error messages. */
        int column();
    }

    /** An endpoint: {@code model} is host-bridge, edu or bochs-display; {@code properties} are its extra attributes. */
    public record DeviceSpec(String model, int device, int function, int irq, Map<String, String> properties,
                             int line, int column) implements PciNode {
        public DeviceSpec {
            properties = Map.copyOf(properties);
        }
    }

    /** A PCI-to-PCI bridge with the nodes on its secondary bus. */
    public record BridgeSpec(int device, int function, int irq, int chassis, List<PciNode> children, int line, int column)
            implements PciNode {
        public BridgeSpec {
            children = List.copyOf(children);
        }
    }

    /** A legacy device: {@code model} pit at {@code ports} with ISA {@code irq}. */
    public record PlatformSpec(String name, String model, int ports, int irq, int line, int column) {
    }
}
