package org.platformd.driver.doctor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A machine as the doctor reads it, made of real files in a temporary folder: PCI functions with config
 * files, drivers and IOMMU groups as the kernel links them, /proc and /dev entries, a real Unix socket.
 */
final class FakeMachine implements AutoCloseable {
    static final String RELEASE = "6.1.0-test-amd64";
    final Path root;
    private ServerSocketChannel socket;

    FakeMachine(Path root) throws IOException {
        this.root = root;
        write("proc/sys/kernel/osrelease", RELEASE);
        write("proc/cmdline", "console=ttyS0 quiet");
        write("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max locked memory         8388608              8388608              bytes\n");
        write("proc/self/status", "Name:\tjava\nCapEff:\t0000000000000000\n");
        Files.createDirectories(root.resolve("sys/bus/pci/devices"));
        Files.createDirectories(root.resolve("sys/kernel/mm/hugepages/hugepages-2048kB"));
        hugePages(0, 0);
    }

    FakeMachine write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return this;
    }

    /** A PCI function with a 64-byte config file; {@code driver} may be null. */
    FakeMachine function(String bdf, int vendor, int device, int cls, String driver) throws IOException {
        byte[] config = new byte[64];
        config[0] = (byte) vendor;
        config[1] = (byte) (vendor >> 8);
        config[2] = (byte) device;
        config[3] = (byte) (device >> 8);
        config[9] = (byte) cls;
        config[10] = (byte) (cls >> 8);
        config[11] = (byte) (cls >> 16);
        Path fn = Files.createDirectories(root.resolve("sys/bus/pci/devices/" + bdf));
        Files.write(fn.resolve("config"), config);
        if (driver != null) {
            Path d = Files.createDirectories(root.resolve("sys/bus/pci/drivers/" + driver));
            Files.createSymbolicLink(fn.resolve("driver"), fn.relativize(d));
        }
        return this;
    }

    /** An IOMMU with these groups, each a list of functions ({@code "3:0000:00:03.0,0000:00:03.1"}). */
    FakeMachine iommu(String type, String... groups) throws IOException {
        Files.createDirectories(root.resolve("sys/class/iommu/dmar0"));
        for (String g : groups) {
            String[] parts = g.split(":", 2);
            Path group = Files.createDirectories(root.resolve("sys/kernel/iommu_groups/" + parts[0] + "/devices"));
            Files.writeString(group.getParent().resolve("type"), type + "\n");
            for (String bdf : parts[1].split(",")) {
                Path fn = Files.createDirectories(root.resolve("sys/bus/pci/devices/" + bdf));
                Files.createSymbolicLink(group.resolve(bdf), group.relativize(fn));
                Files.createSymbolicLink(fn.resolve("iommu_group"), fn.relativize(group.getParent()));
            }
        }
        return this;
    }

    FakeMachine driverLoaded(String driver) throws IOException {
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/" + driver));
        return this;
    }

    FakeMachine hugePages(int reserved, int free) throws IOException {
        write("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", reserved + "\n");
        return write("sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", free + "\n");
    }

    /** A real listening Unix socket at {@code absolute} (under the root), with this mode and its directory's. */
    FakeMachine socket(String absolute, String mode, String dirMode) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        socket.bind(UnixDomainSocketAddress.of(p));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        Files.setPosixFilePermissions(p.getParent(), PosixFilePermissions.fromString(dirMode));
        return this;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }
}
