// The x86 I/O port space as configuration mechanism #1 needs it.
package org.platformd.pci.enumerate;

/**
 * The x86 I/O port space as configuration mechanism #1 needs it: 32-bit accesses to
 * 0xCF8 (address) and 0xCFC (data), plus byte/word data accesses at 0xCFC..0xCFF.
 * core-bridge backs it with real port I/O (native helper) or with the emulated machine.
 * Implementations must be safe to call from one thread at a time; the walker does not
 * share an instance across threads.
 */
public interface PortIo32 {
    /** Reads 32 bits from {@code port}. An absent device reads as all ones, like hardware. */
    int in32(int port);

    /** Writes 32 bits to {@code port}. */
    void out32(int port, int value);
}
