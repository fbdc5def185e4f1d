// One line per device of a virtual bus, in the spirit of lspci -nn.
package org.platformd.driver.cli;

import org.platformd.proto.v1.Bar;
import org.platformd.proto.v1.BarKind;
import org.platformd.proto.v1.Device;
import org.platformd.proto.v1.DeviceKind;

/** One line per device of a virtual bus, in the spirit of {@code lspci -nn}. */
final class VirtualBusText {
    private VirtualBusText() {}

    static String line(Device d) {
        if (d.getKind() == DeviceKind.DEVICE_KIND_LEGACY) {
            StringBuilder b = new StringBuilder(d.getName()).append(" platform device, ports");
            d.getPortRangesList().forEach(r -> b.append(String.format(" %x-%x", r.getFirstPort(),
                    r.getFirstPort() + r.getPortCount() - 1)));
            return b.toString();
        }
        StringBuilder b = new StringBuilder();
        b.append(d.getVirtualAddress().getText().substring(5)).append(' ')
                .append(d.getClassName().isEmpty() ? "Class" : d.getClassName())
                .append(String.format(" [%04x]: ", d.getClassCode() >> 8))
                .append(d.getVendorName().isEmpty() ? "Vendor" : d.getVendorName()).append(' ')
                .append(d.getProductName().isEmpty() ? "Device" : d.getProductName())
                .append(String.format(" [%04x:%04x]", d.getVendorId(), d.getDeviceId()));
        if (d.getRevisionId() != 0) {
            b.append(String.format(" (rev %02x)", d.getRevisionId()));
        }
        if (d.hasHostAddress()) {
            b.append("  host ").append(d.getHostAddress().getText());
        }
        for (Bar bar : d.getBarsList()) {
            b.append(String.format("  BAR%d %s %d bytes", bar.getIndex(),
                    bar.getKind() == BarKind.BAR_KIND_IO ? "I/O" : "mem", bar.getSizeBytes()));
        }
        b.append("  ").append(d.getAvailability().name().substring("DEVICE_AVAILABILITY_".length()).toLowerCase());
        return b.toString();
    }
}
