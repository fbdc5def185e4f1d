package org.platformd.driver.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.PciConfig;
import org.platformd.pci.BusAddress;

/**
 * A device's config space over a byte array, for the virtualization tests: writes land as written except the
 * status register, whose error bits are write-1-to-clear as on hardware, and every write is logged, so a
 * test sees exactly what reached the "device".
 */
public final class FakePciConfig implements PciConfig {
    /** Status bits that hardware clears when 1 is written (parity, aborts, SERR, parity error detected). */
    static final int STATUS_W1C = 0xf900;

    public record Write(int offset, int width, int value) {
    }

    public final byte[] bytes;
    public final List<Write> writes = new ArrayList<>();
    private final BusAddress address = BusAddress.parse("0000:00:03.0");

    FakePciConfig(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public BusAddress address() {
        return address;
    }

    @Override
    public int size() {
        return bytes.length;
    }

    @Override
    public int read8(int offset) {
        return bytes[offset] & 0xff;
    }

    @Override
    public int read16(int offset) {
        return read8(offset) | read8(offset + 1) << 8;
    }

    @Override
    public int read32(int offset) {
        return read16(offset) | read16(offset + 2) << 16;
    }

    private void store(int offset, int width, int value) {
        writes.add(new Write(offset, width, value));
        for (int i = 0; i < width; i++) {
            int at = offset + i;
            int b = (value >>> (8 * i)) & 0xff;
            if (at == 0x06 || at == 0x07) {
                int w1c = (STATUS_W1C >>> (8 * (at - 0x06))) & 0xff;
                bytes[at] = (byte) (bytes[at] & ~(b & w1c)); // other status bits are read-only
            } else {
                bytes[at] = (byte) b;
            }
        }
    }

    @Override
    public void write8(int offset, int value) {
        store(offset, 1, value);
    }

    @Override
    public void write16(int offset, int value) {
        store(offset, 2, value);
    }

    @Override
    public void write32(int offset, int value) {
        store(offset, 4, value);
    }

    @Override
    public Optional<String> reset() {
        return Optional.empty();
    }

    @Override
    public DeviceRef device() {
        return DeviceRef.pci(address);
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public String describe() {
        return "fake config space of " + address;
    }

    @Override
    public void close() {
    }
}
