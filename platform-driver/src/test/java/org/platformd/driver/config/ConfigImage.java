package org.platformd.driver.config;

import java.util.ArrayList;
import java.util.List;
import org.platformd.pci.BusAddress;
import org.platformd.pci.KernelInfo;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;

/** Builds a config-space image for a test: header, BARs with their sizes (as sysfs resources), capabilities. */
public final class ConfigImage {
    public final byte[] bytes;
    private final List<ResourceRange> resources = new ArrayList<>();
    private int lastCap = -1;
    private FakePciConfig hardware;

    private ConfigImage(int size, int headerType) {
        bytes = new byte[size];
        put16(0x00, 0x1234);
        put16(0x02, 0x11e8);
        bytes[0x0e] = (byte) headerType;
        for (int i = 0; i < 7; i++) {
            resources.add(new ResourceRange(0, 0, 0));
        }
    }

    public static ConfigImage endpoint(int size) {
        return new ConfigImage(size, 0);
    }

    static ConfigImage bridge() {
        return new ConfigImage(256, 1);
    }

    ConfigImage put8(int at, int v) {
        bytes[at] = (byte) v;
        return this;
    }

    public ConfigImage put16(int at, int v) {
        put8(at, v);
        return put8(at + 1, v >>> 8);
    }

    ConfigImage put32(int at, long v) {
        put16(at, (int) v);
        return put16(at + 2, (int) (v >>> 16));
    }

    /** A 32-bit memory BAR (or a 64-bit one taking index and index + 1) of {@code size} bytes at {@code address}. */
    ConfigImage memBar(int index, long address, long size, boolean is64) {
        put32(0x10 + 4 * index, (address & 0xfffffff0L) | (is64 ? 0x4 : 0));
        if (is64) {
            put32(0x14 + 4 * index, address >>> 32);
        }
        resources.set(index, new ResourceRange(address, address + size - 1, 0x200 | (is64 ? 0x4 : 0)));
        return this;
    }

    /** Appends a standard capability at {@code at} to the chain (the status bit and pointers set). */
    ConfigImage cap(int at, int id) {
        put16(0x06, (bytes[0x06] & 0xff | 0x10) | (bytes[0x07] & 0xff) << 8);
        if (lastCap < 0) {
            put8(0x34, at);
        } else {
            put8(lastCap + 1, at);
        }
        put8(at, id);
        put8(at + 1, 0);
        lastCap = at;
        return this;
    }

    /** An extended capability at {@code at} pointing to {@code next}. */
    ConfigImage extCap(int at, int id, int version, int next) {
        return put32(at, id | (long) version << 16 | (long) next << 20);
    }

    /** The device behind the image (one per image: its writes land in {@link #bytes}). */
    public FakePciConfig hardware() {
        if (hardware == null) {
            hardware = new FakePciConfig(bytes);
        }
        return hardware;
    }

    public DecodedDevice decoded() {
        byte[] copy = bytes.clone();
        return DeviceDecoder.decode(new PciDevice(BusAddress.parse("0000:00:03.0"), ConfigSpace.of(copy), resources,
                KernelInfo.NONE, List.of()));
    }

    ConfigVirtualizer virtualizer(boolean info) {
        return new ConfigVirtualizer(hardware(), decoded(), info);
    }
}
