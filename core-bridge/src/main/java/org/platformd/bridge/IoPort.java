// Genode's IO_PORT session: a range of x86 I/O ports (an I/O BAR or a legacy range such as the PIT's 0x40-0x43).
package org.platformd.bridge;

/**
 * Genode's IO_PORT session: a range of x86 I/O ports (an I/O BAR or a legacy range such as the PIT's
 * 0x40-0x43). Ports are absolute; an access that doesn't lie wholly inside
 * [{@link #base()}, {@link #base()}+{@link #size()}) is refused with {@link BridgeException.Reason#OUT_OF_RANGE}.
 */
public interface IoPort extends BackendResource {
    int index();

    /** First port. */
    int base();

    /** Number of ports. */
    int size();

    int inb(int port);

    int inw(int port);

    int inl(int port);

    void outb(int port, int value);

    void outw(int port, int value);

    void outl(int port, int value);
}
