// What every backend's PciConfig resource shares.
package org.platformd.bridge;

/**
 * What every backend's {@link PciConfig} session shares: the open, bounds and alignment checks of an
 * access and its dispatch by width, so a backend only does the checked 1-, 2- or 4-byte access.
 * Errors name the device, the width, the operation and the offset.
 */
public abstract class PciConfigBase extends BackendResourceBase implements PciConfig {
    protected PciConfigBase(DeviceRef device) {
        super(device);
    }

    /** One read of {@code width} bytes at {@code offset}, already checked (open, inside, aligned). */
    protected abstract int readChecked(int offset, int width);

    /** One write of {@code width} bytes at {@code offset}, already checked (open, inside, aligned). */
    protected abstract void writeChecked(int offset, int width, int value);

    @Override
    public final int read8(int offset) {
        return readChecked(check(offset, 1, "read"), 1);
    }

    @Override
    public final int read16(int offset) {
        return readChecked(check(offset, 2, "read"), 2);
    }

    @Override
    public final int read32(int offset) {
        return readChecked(check(offset, 4, "read"), 4);
    }

    @Override
    public final void write8(int offset, int value) {
        writeChecked(check(offset, 1, "write"), 1, value);
    }

    @Override
    public final void write16(int offset, int value) {
        writeChecked(check(offset, 2, "write"), 2, value);
    }

    @Override
    public final void write32(int offset, int value) {
        writeChecked(check(offset, 4, "write"), 4, value);
    }

    private int check(int offset, int width, String op) {
        ensureOpen();
        int size = size();
        if (offset < 0 || offset > size - width) { // not offset + width: that overflows near Integer.MAX_VALUE
            throw new BridgeException(BridgeException.Reason.OUT_OF_RANGE, device().toString(), String.format(
                    "config %d-byte %s at 0x%x outside 0x0..0x%x", width, op, offset, size - 1));
        }
        if ((offset & (width - 1)) != 0) {
            throw new BridgeException(BridgeException.Reason.BAD_WIDTH, device().toString(), String.format(
                    "config %d-byte %s at 0x%x is not naturally aligned", width, op, offset));
        }
        return offset;
    }
}
