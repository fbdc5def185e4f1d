package org.platformd.driver.device;

/**
 * What the daemon needs from the hardware layer to take a device away from a client safely.
 * core-bridge's sessions (PciConfig, Irq, Dma) implement the real thing; until the daemon
 * drives devices through core-bridge, {@link #INVENTORY_ONLY} stands for a machine that is
 * only looked at (devices listed and described, nothing programmed), so there is nothing
 * to quiesce.
 */
public interface DeviceBackend {

    /** Step 1 of DESIGN.md's teardown: bus mastering off, INTx disabled, MSI/MSI-X off. */
    void quiesce(HostDevice device) throws BackendException;

    /** Step 2: function reset where supported, BARs and command register restored. */
    void resetAndRestore(HostDevice device) throws BackendException;

    /** Short name for logs and the admin view, e.g. "sim", "linux", "inventory-only". */
    String name();

    /** A hardware step that failed, naming device and step. */
    final class BackendException extends Exception {
        public BackendException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** No hardware behind the inventory: devices are described, never programmed. */
    DeviceBackend INVENTORY_ONLY = new DeviceBackend() {
        @Override
        public void quiesce(HostDevice device) {}

        @Override
        public void resetAndRestore(HostDevice device) {}

        @Override
        public String name() {
            return "inventory-only";
        }
    };
}
