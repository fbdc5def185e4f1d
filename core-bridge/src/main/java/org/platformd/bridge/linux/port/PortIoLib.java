// Public only for jnr-ffi: the entry points of the native helper libplatformd-portio.so.
package org.platformd.bridge.linux.port;

/**
 * Public only for jnr-ffi: the entry points of the native helper {@code libplatformd-portio.so}
 * (core-bridge/src/main/c/portio.c). Values come back non-negative, errors as -errno.
 */
public interface PortIoLib {
    int pd_portio_probe();

    long pd_inb(int port);

    long pd_inw(int port);

    long pd_inl(int port);

    int pd_outb(int port, int value);

    int pd_outw(int port, int value);

    int pd_outl(int port, int value);
}
