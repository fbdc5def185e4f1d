// Which interrupt modes a device has and how many vectors each: the rules SetInterruptMode checks.
package org.platformd.driver.device;

import java.util.ArrayList;
import java.util.List;
import org.platformd.driver.error.PlatformError;
import org.platformd.pci.decode.DecodedDevice;

/**
 * Which interrupt modes a device has and how many vectors each, read from its decoded config space (pin,
 * MSI and MSI-X capabilities) or, for a platform device, its legacy lines; and the rule for the vector count
 * a mode is programmed with ({@link #vectorCount}). Immutable.
 *
 * @param modes          supported modes in the order the wire lists them, {@link InterruptMode#DISABLED} first
 * @param msiMaxVectors  the MSI capability's vector count (0 without MSI)
 * @param msixMaxVectors the MSI-X table size (0 without MSI-X)
 */
public record InterruptSupport(List<InterruptMode> modes, int msiMaxVectors, int msixMaxVectors) {

    public InterruptSupport {
        modes = List.copyOf(modes);
    }

    public static InterruptSupport of(HostDevice host) {
        List<InterruptMode> modes = new ArrayList<>(List.of(InterruptMode.DISABLED));
        if (!host.isPci()) {
            if (!host.legacyIrqs().isEmpty()) {
                modes.add(InterruptMode.LEGACY_IRQ);
            }
            return new InterruptSupport(modes, 0, 0);
        }
        DecodedDevice d = host.decoded();
        if (d.interruptPin() >= 1 && d.interruptPin() <= 4) {
            modes.add(InterruptMode.INTX);
        }
        if (d.msi() != null) {
            modes.add(InterruptMode.MSI);
        }
        if (d.msix() != null) {
            modes.add(InterruptMode.MSIX);
        }
        return new InterruptSupport(modes, d.msi() == null ? 0 : d.msi().vectorsCapable(),
                d.msix() == null ? 0 : d.msix().tableSize());
    }

    public boolean supports(InterruptMode mode) {
        return modes.contains(mode);
    }

    /**
     * The vector count {@code mode} is programmed with for a request of {@code requested} (the wire's uint32;
     * 0 means the most the mode has), or INVALID_ARGUMENT naming {@code device}: a mode the device lacks, more
     * than one vector for INTx or a legacy line, an MSI count that is not a power of two up to the capability's,
     * an MSI-X count above the table's size.
     */
    public int vectorCount(String device, InterruptMode mode, int requested) {
        if (!supports(mode)) {
            throw unsupported(device, mode.toString());
        }
        if (requested < 0) { // uint32 on the wire
            throw PlatformError.invalidArgument("vector count " + Integer.toUnsignedString(requested)
                    + " is not a vector count");
        }
        switch (mode) {
            case DISABLED:
                return 0;
            case INTX:
            case LEGACY_IRQ:
                if (requested > 1) {
                    throw PlatformError.invalidArgument(mode + " has one vector, not " + requested);
                }
                return 1;
            case MSI: {
                int max = Math.max(1, msiMaxVectors);
                int count = requested == 0 ? max : requested;
                if (count > max || Long.bitCount(count) != 1) {
                    throw PlatformError.invalidArgument("MSI vector count " + count + " must be a power of two up to "
                            + max);
                }
                return count;
            }
            default: {
                int max = Math.max(1, msixMaxVectors);
                int count = requested == 0 ? max : requested;
                if (count > max) {
                    throw PlatformError.invalidArgument("MSI-X vector count " + count + " above " + max);
                }
                return count;
            }
        }
    }

    /** INVALID_ARGUMENT for a mode {@code device} lacks (or one the wire named that no device has). */
    public PlatformError unsupported(String device, String mode) {
        return PlatformError.invalidArgument("interrupt mode " + mode + " is not supported by " + device
                + " (supported: " + modes + ")");
    }
}
