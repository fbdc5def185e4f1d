#!/usr/bin/python3
"""Speed of the Python client's fast path, each against a raw baseline measured in the same run.

    client-python/bench/bench.py [--socket S] [--iterations N] [--rounds N]

Without --socket it starts bin/platformd on the emulated machine in a temp directory (as the tests do).

1. Mapped BAR read: ``Bar.read32`` on the Bochs display's framebuffer BAR, mapped from the memfd the daemon
   passed — against a plain ``mmap`` of a memfd this script makes, read through the same kind of memoryview
   (``cast('I')``) and through ``struct.unpack_from``. One 32-bit read per op at a rotating offset in the first
   4 KiB; the Python loop is in every row. Also the same read by RPC (``AccessRegisters``) for scale.
2. MSI eventfd wake: a ping-pong between two threads. Thread A raises edu's interrupt with one register RPC
   (0x60; on the sim edu's registers are served by the daemon), thread B wakes in ``Irq.wait`` on the passed
   MSI eventfd and signals a raw eventfd back to A. The baseline does the same with a raw eventfd for B's
   wake, after the same kind of register RPC (0x04, raises nothing), so the two rows differ only in B's
   wake; and a raw eventfd ping-pong alone. The RPC path (StreamInterrupts) for scale, on the sim's second
   edu (a vector exported as an eventfd is not delivered on the stream).
The rows of each part run interleaved (one sample of each in turn), so load that comes and goes on a shared
machine hits them alike. Prints medians (and p10/p90) per op; ratios are of medians within this run, and the
median of the per-round differences to the RPC baseline.
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
from platformd_client.bar import RpcBar  # noqa: E402


def per_op(samples):
    s = sorted(samples)
    return s[len(s) // 2], s[len(s) // 10], s[(len(s) * 9) // 10]


def row(name, samples, unit, base=None):
    med, p10, p90 = per_op(samples)
    ratio = f"{med / base:.2f}×" if base else "1× (baseline)"
    print(f"  {name:<50} {med:10.1f} {unit}  (p10 {p10:.1f}, p90 {p90:.1f})  {ratio}")
    return med


def interleaved(rows, rounds):
    """Runs one sample of each row in turn, ``rounds`` times, so every row sees the same load; returns lists."""
    out = [[] for _ in rows]
    for _ in range(rounds):
        for i, sample in enumerate(rows):
            out[i].append(sample())
    return out


def batch(fn, per):
    """One sample: ns per call of fn(i) over ``per`` calls."""
    def sample():
        t0 = time.perf_counter_ns()
        for i in range(per):
            fn(i)
        return (time.perf_counter_ns() - t0) / per
    return sample


def bar_bench(client, n):
    print("Mapped BAR read vs plain mmap of a memfd (ns per 32-bit read, Python loop included; "
          "rows interleaved in batches)")
    fd = os.memfd_create("bench", os.MFD_CLOEXEC)
    os.ftruncate(fd, 1 << 20)
    raw = mmap.mmap(fd, 1 << 20)
    os.close(fd)
    raw32 = memoryview(raw).cast("I")
    offsets = [(i * 4) % 4096 for i in range(1024)]
    with client.open("fb-driver") as s, s.acquire(vendor_id=0x1234, device_id=0x1111) as fb:
        fb.write_config(0x04, 2, fb.read_config(0x04, 2) | 0x2)
        bar = fb.bar(0)
        assert bar.is_mapped, "the framebuffer BAR was not mapped"
        batches = 50
        per = max(1, n // batches)
        r_raw, r_struct, r_bar = interleaved([
            batch(lambda i: raw32[offsets[i & 1023] >> 2], per),
            batch(lambda i: struct.unpack_from("<I", raw, offsets[i & 1023]), per),
            batch(lambda i: bar.read32(offsets[i & 1023]), per)], batches)
        base = row("raw memfd, memoryview.cast('I')[i] (baseline)", r_raw, "ns")
        row("raw memfd, struct.unpack_from('<I')", r_struct, "ns", base)
        row("Bar.read32 on the mapped framebuffer BAR", r_bar, "ns", base)
        rpc = RpcBar(fb, 0, bar.size, fb._liveness.child())
        [r_rpc] = interleaved([batch(lambda i: rpc.read32(offsets[i & 1023]), 10)], 20)
        row("the same read by RPC (AccessRegisters)", r_rpc, "ns", base)
    raw32.release()
    raw.close()


class PingPong:
    """Thread B waits with ``wait_b`` and then writes the raw eventfd back to A; A's op is ``raise_a``."""

    def __init__(self, wait_b, raise_a):
        self.back = os.eventfd(0)
        self.wait_b = wait_b
        self.raise_a = raise_a
        self.stop = False
        self.t = threading.Thread(target=self._b, daemon=True)
        self.t.start()

    def _b(self):
        while not self.stop:
            if self.wait_b():
                os.eventfd_write(self.back, 1)

    def __call__(self):
        """One round trip in µs."""
        t0 = time.perf_counter_ns()
        self.raise_a()
        if not select.select([self.back], [], [], 10)[0]:
            raise RuntimeError("no round trip within 10 s")
        os.eventfd_read(self.back)
        return (time.perf_counter_ns() - t0) / 1e3

    def close(self):
        self.stop = True
        self.t.join()


def raw_waiter(efd):
    def w():
        if select.select([efd], [], [], 0.2)[0]:
            os.eventfd_read(efd)
            return True
        return False
    return w


def irq_bench(client, n):
    print("MSI eventfd wake vs raw eventfd wake (µs per round trip: A raises, B wakes and signals A back; "
          "rows interleaved)")
    with client.open("edu-driver") as s:
        eventfd_edu = s.acquire(vendor_id=0x1234, device_id=0x11E8)
        stream_edu = s.acquire(vendor_id=0x1234, device_id=0x11E8)   # the sim's second edu
        bars = []
        for edu in (eventfd_edu, stream_edu):
            edu.write_config(0x04, 2, edu.read_config(0x04, 2) | 0x2)
            edu.set_bus_master(True)
            bars.append(edu.bar(0))
        eventfd_edu.enable_interrupts("MSI", 1)
        msi = eventfd_edu.irq(0)
        assert msi.is_fast_path, "MSI did not come as an eventfd"
        s.fast_path = False
        stream_edu.enable_interrupts("MSI", 1)
        streamed = stream_edu.irq(0)
        assert not streamed.is_fast_path
        go, go_rpc = os.eventfd(0), os.eventfd(0)

        def rpc_then_raw():
            bars[0].write32(0x04, 1)          # a register RPC that raises nothing
            os.eventfd_write(go_rpc, 1)

        pps = [PingPong(raw_waiter(go), lambda: os.eventfd_write(go, 1)),
               PingPong(raw_waiter(go_rpc), rpc_then_raw),
               PingPong(lambda: msi.wait(0.2) > 0, lambda: bars[0].write32(0x60, 1)),
               PingPong(lambda: streamed.wait(0.2) > 0, lambda: bars[1].write32(0x60, 1))]
        try:
            raw, rpc_raw, by_eventfd, by_stream = interleaved(pps, n)
        finally:
            for p in pps:
                p.close()
        base_raw = row("raw eventfd ping-pong (baseline)", raw, "µs")
        base = row("register RPC, then raw eventfd wakes B (baseline)", rpc_raw, "µs", None)
        print(f"  {'':<50} ({base / base_raw:.0f}× the raw ping-pong: the register RPC)")
        row("register RPC raises MSI, B wakes in Irq.wait", by_eventfd, "µs", base)
        row("the same MSI over StreamInterrupts (RPC path)", by_stream, "µs", base)
        diff = sorted(b - a for a, b in zip(rpc_raw, by_eventfd))
        diff_s = sorted(b - a for a, b in zip(rpc_raw, by_stream))
        print(f"  paired difference to the RPC baseline, median: eventfd MSI {diff[len(diff) // 2]:+.1f} µs, "
              f"stream MSI {diff_s[len(diff_s) // 2]:+.1f} µs")
        for edu in (eventfd_edu, stream_edu):
            edu.disable_interrupts()
            edu.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket")
    p.add_argument("--iterations", type=int, default=1_000_000, help="BAR reads per row (default 1e6)")
    p.add_argument("--rounds", type=int, default=500, help="interrupt round trips per row (default 500)")
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
