/*
 * platformd's native port-I/O helper: x86 in/out instructions for the linux backend of core-bridge
 * (org.platformd.bridge.linux.port.PortIoHelper loads it with jnr-ffi). /dev/port only does byte accesses;
 * 16/32-bit port I/O and configuration mechanism #1 (0xCF8/0xCFC) need the instructions themselves.
 *
 * Linux grants port access per thread (iopl/ioperm affect the calling thread only), and the JVM calls in
 * from many threads, so every entry point first raises the calling thread's I/O privilege level once
 * (iopl(3), needs CAP_SYS_RAWIO and a kernel not locked down). Errors come back as -errno; values as
 * non-negative numbers (the 64-bit return keeps a 32-bit inl apart from an error).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/io.h>

static __thread int granted;

static int grant(void)
{
    if (!granted) {
        if (iopl(3) != 0)
            return -errno;
        granted = 1;
    }
    return 0;
}

/* 0 when this thread may do port I/O, else -errno of iopl(3). */
int pd_portio_probe(void) { return grant(); }

int64_t pd_inb(int port) { int r = grant(); return r ? r : (int64_t) inb((unsigned short) port); }
int64_t pd_inw(int port) { int r = grant(); return r ? r : (int64_t) inw((unsigned short) port); }
int64_t pd_inl(int port) { int r = grant(); return r ? r : (int64_t) inl((unsigned short) port); }

int pd_outb(int port, int value) { int r = grant(); if (!r) outb((unsigned char) value, (unsigned short) port); return r; }
int pd_outw(int port, int value) { int r = grant(); if (!r) outw((unsigned short) value, (unsigned short) port); return r; }
int pd_outl(int port, int value) { int r = grant(); if (!r) outl((unsigned int) value, (unsigned short) port); return r; }
