#!/usr/bin/python3
"""Speed of the Python client's fast path, each against a raw baseline measured in the same run.

    client-python/bench/bench.py [--socket S] [--iterations N]

Without --socket it starts bin/platformd on the emulated machine in a temp directory (as the tests do).

1. Mapped BAR read: ``Bar.read32`` on the Bochs display's framebuffer BAR, mapped from the memfd the daemon
   passed — against a plain ``mmap`` of a memfd this script makes, read through the same kind of memoryview
   (``cast('I')``) and through ``struct.unpack_from``. One 32-bit read per op at a rotating offset in the first
   4 KiB; the Python loop is in every row. Also the same read by RPC (``AccessRegisters``) for scale.
2. MSI eventfd wake: a ping-pong between two threads. Thread A raises edu's interrupt with one register RPC
   (0x60; on the sim edu's registers are served by the daemon), thread B wakes in ``Irq.wait`` on the passed
   MSI eventfd and signals a raw eventfd back to A. The baseline does the same with a raw eventfd for B's
   wake, after the same kind of register RPC (0x04, raises nothing), so the two rows differ only in B's
   wake; and a raw eventfd ping-pong alone. The RPC path (StreamInterrupts) for scale.
Prints medians (and p10/p90) per op; ratios are of medians within this run.
"""

import argparse
import mmap
import os
import select
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from platformd_client import PlatformClient  # noqa: E402


def per_op(samples_ns):
    s = sorted(samples_ns)
    return s[len(s) // 2], s[len(s) // 10], s[(len(s) * 9) // 10]


def loop_ns(fn, n, batches=20):
    """Per-op ns of fn(i) in batches of n // batches calls (one sample per batch)."""
    per = max(1, n // batches)
    out = []
    for _ in range(batches):
        t0 = time.perf_counter_ns()
        for i in range(per):
            fn(i)
        out.append((time.perf_counter_ns() - t0) / per)
    return out


def row(name, samples, unit, base=None):
    med, p10, p90 = per_op(samples)
    ratio = f"{med / base:.2f}×" if base else "1× (baseline)"
    print(f"  {name:<46} {med:10.1f} {unit}  (p10 {p10:.1f}, p90 {p90:.1f})  {ratio}")
    return med


def bar_bench(client, n):
    print("Mapped BAR read vs plain mmap of a memfd (ns per 32-bit read, Python loop included)")
    fd = os.memfd_create("bench", os.MFD_CLOEXEC)
    os.ftruncate(fd, 1 << 20)
    raw = mmap.mmap(fd, 1 << 20)
    os.close(fd)
    raw32 = memoryview(raw).cast("I")
    offsets = [(i * 4) % 4096 for i in range(1024)]
    base = row("raw memfd, memoryview.cast('I')[i]", loop_ns(lambda i: raw32[offsets[i & 1023] >> 2], n), "ns")
    row("raw memfd, struct.unpack_from('<I')", loop_ns(lambda i: struct.unpack_from("<I", raw, offsets[i & 1023]), n),
        "ns", base)
    with client.open("fb-driver") as s, s.acquire(vendor_id=0x1234, device_id=0x1111) as fb:
        fb.write_config(0x04, 2, fb.read_config(0x04, 2) | 0x2)
        bar = fb.bar(0)
        assert bar.is_mapped, "the framebuffer BAR was not mapped"
        row("Bar.read32 on the mapped framebuffer BAR", loop_ns(lambda i: bar.read32(offsets[i & 1023]), n), "ns", base)
        from platformd_client.bar import RpcBar
        rpc = RpcBar(fb, 0, bar.size, fb._liveness.child())
        row("the same read by RPC (AccessRegisters)", loop_ns(lambda i: rpc.read32(offsets[i & 1023]), 200, 10),
            "ns", base)
    raw32.release()
    raw.close()


class PingPong:
    """Thread B waits with ``wait_b`` and then writes the raw eventfd back to A; A's op is ``raise_a``."""

    def __init__(self, wait_b):
        self.back = os.eventfd(0)
        self.wait_b = wait_b
        self.stop = False
        self.t = threading.Thread(target=self._b, daemon=True)
        self.t.start()

    def _b(self):
        while not self.stop:
            if self.wait_b():
                os.eventfd_write(self.back, 1)

    def round(self, raise_a):
        t0 = time.perf_counter_ns()
        raise_a()
        select.select([self.back], [], [], 10)
        os.eventfd_read(self.back)
        return time.perf_counter_ns() - t0

    def close(self):
        self.stop = True
        self.t.join()


def raw_wait(efd):
    def w():
        r, _, _ = select.select([efd], [], [], 0.2)
        if r:
            os.eventfd_read(efd)
            return True
        return False
    return w


def irq_bench(client, n):
    print("MSI eventfd wake vs raw eventfd wake (µs per round trip: A raises, B wakes and signals A back)")
    go = os.eventfd(0)
    pp = PingPong(raw_wait(go))
    raw = [pp.round(lambda: os.eventfd_write(go, 1)) / 1e3 for _ in range(n)]
    pp.close()
    base_raw = row("raw eventfd ping-pong", raw, "µs")
    with client.open("edu-driver") as s, s.acquire(vendor_id=0x1234, device_id=0x11E8) as edu:
        edu.write_config(0x04, 2, edu.read_config(0x04, 2) | 0x2)
        edu.set_bus_master(True)
        bar = edu.bar(0)
        go2 = os.eventfd(0)
        pp = PingPong(raw_wait(go2))

        def rpc_then_raw():
            bar.write32(0x04, 1)
            os.eventfd_write(go2, 1)
        rpc_raw = [pp.round(rpc_then_raw) / 1e3 for _ in range(n)]
        pp.close()
        base = row("register RPC, then raw eventfd to B (baseline)", rpc_raw, "µs", None)
        print(f"  {'':<46} ({base / base_raw:.1f}× the raw ping-pong: the RPC)")
        edu.enable_interrupts("MSI", 1)
        irq = edu.irq(0)
        assert irq.is_fast_path, "MSI did not come as an eventfd"
        pp = PingPong(lambda: irq.wait(0.2) > 0)
        msi = [pp.round(lambda: bar.write32(0x60, 1)) / 1e3 for _ in range(n)]
        pp.close()
        m = row("register RPC raises MSI, B in Irq.wait (eventfd)", msi, "µs", base)
        print(f"  {'':<46} (MSI wake minus raw wake: {m - base:+.1f} µs)")
        edu.disable_interrupts()
        s.fast_path = False
        edu.enable_interrupts("MSI", 1)
        irq2 = edu.irq(0)
        assert not irq2.is_fast_path
        pp = PingPong(lambda: irq2.wait(0.2) > 0)
        stream = [pp.round(lambda: bar.write32(0x60, 1)) / 1e3 for _ in range(max(50, n // 4))]
        pp.close()
        row("the same MSI over StreamInterrupts (RPC path)", stream, "µs", base)
        edu.disable_interrupts()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket")
    p.add_argument("--iterations", type=int, default=1_000_000, help="BAR reads per row (default 1e6)")
    p.add_argument("--rounds", type=int, default=1000, help="interrupt round trips per row (default 1000)")
    a = p.parse_args()
    daemon = None
    if a.socket is None:
        from tests.daemon import Daemon
        daemon = Daemon()
        a.socket = daemon.socket
    try:
        print(f"python {sys.version.split()[0]}, loadavg before: {open('/proc/loadavg').read().strip()}")
        with PlatformClient(a.socket) as client:
            bar_bench(client, a.iterations)
            irq_bench(client, a.rounds)
        print(f"loadavg after: {open('/proc/loadavg').read().strip()}")
    finally:
        if daemon is not None:
            daemon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
