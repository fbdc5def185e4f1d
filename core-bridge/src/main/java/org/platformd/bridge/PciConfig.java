// Raw configuration-space access to one PCI function, for the platform driver's virtualization layer.
package org.platformd.bridge;

import java.util.Optional;

import org.platformd.pci.BusAddress;

/**
 * Raw configuration-space access to one PCI function, for the platform driver's virtualization layer
 * (never handed to clients). Accesses must be naturally aligned and inside {@link #size()}. Writes
 * behave like hardware: read-only bits stay, BARs size by all-ones, command bits take effect.
 */
public interface PciConfig extends BackendResource {
    int COMMAND = 0x04;
    int COMMAND_IO = 0x0001;
    int COMMAND_MEMORY = 0x0002;
    int COMMAND_MASTER = 0x0004;
    int COMMAND_INTX_DISABLE = 0x0400;

    BusAddress address();

    /** 256 for conventional PCI, 4096 for PCI Express (when the backend can reach it). */
    int size();

    int read8(int offset);

    int read16(int offset);

    int read32(int offset);

    void write8(int offset, int value);

    void write16(int offset, int value);

    void write32(int offset, int value);

    /**
     * Function-level reset, if the device has one: device state back to power-on, interrupts (MSI
     * enable) off, command register cleared (no decode, no bus mastering); BAR assignments are kept,
     * as VFIO's reset restores them.
     *
     * @return how it was reset, for logs and ResetDevice's answer (linux: the kernel's method and the way
     *         there, e.g. "flr (VFIO_DEVICE_RESET)"; sim: "sim"); empty if this function can't be reset
     *         (nothing was done)
     */
    Optional<String> reset();

    /** Whether the command register's bus-master bit is set: the one read of it. */
    default boolean busMaster() {
        return (read16(COMMAND) & COMMAND_MASTER) != 0;
    }

    default void setBusMaster(boolean on) {
        setCommandBits(COMMAND_MASTER, on);
    }

    default void setMemoryDecode(boolean on) {
        setCommandBits(COMMAND_MEMORY, on);
    }

    default void setIoDecode(boolean on) {
        setCommandBits(COMMAND_IO, on);
    }

    default void setIntxDisabled(boolean disabled) {
        setCommandBits(COMMAND_INTX_DISABLE, disabled);
    }

    /** Read-modify-write of command register bits (not atomic against other writers of this function). */
    default void setCommandBits(int bits, boolean on) {
        int cmd = read16(COMMAND);
        write16(COMMAND, on ? cmd | bits : cmd & ~bits);
    }
}
