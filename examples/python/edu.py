#!/usr/bin/python3
"""A driver for QEMU's edu device in Python: the same checks and lines as ``examples/run edu`` (Java).

Identifies the device, checks the liveness register, computes factorials with an interrupt per result (MSI
and INTx, whichever the daemon offers), and moves a page through the DMA engine RAM -> device -> RAM. Prints
one line per check; exit status 0 when every check passed, 1 when one failed, 2 for misuse or when no daemon
answers. The Java example (examples/src/main/java/org/platformd/examples/edu/EduDriver.java) is the
reference: its PASS lines' values (ID, liveness, factorials, DMA bytes) and tally are the same here.

Runs with Debian's /usr/bin/python3 (python3-grpcio, python3-protobuf); the client library is
client-python/ of this tree.
"""

import argparse
import os
import queue
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "client-python"))

import grpc  # noqa: E402

from platformd_client import DmaFault, PlatformClient, PlatformError, default_socket_path  # noqa: E402

VENDOR, DEVICE = 0x1234, 0x11E8
ID, LIVENESS, FACTORIAL, STATUS, IRQ_STATUS, IRQ_ACK = 0x00, 0x04, 0x08, 0x20, 0x24, 0x64
DMA_SRC, DMA_DST, DMA_COUNT, DMA_CMD = 0x80, 0x88, 0x90, 0x98
STATUS_IRQ_FACTORIAL = 0x80
IRQ_FACTORIAL, IRQ_DMA = 0x001, 0x100
DMA_CMD_START, DMA_CMD_TO_RAM, DMA_CMD_IRQ = 0x1, 0x2, 0x4
DMA_BUFFER, DMA_BUFFER_SIZE = 0x40000, 4096
DMA_MAX_TRANSFER = 2048   # QEMU before 8.2.1 stops the machine on a transfer reaching the buffer's last byte
DMA_ADDRESS_BITS = 28
IRQ_TIMEOUT = 5.0
LIVENESS_VALUES = (0x00000000, 0xFFFFFFFF, 0x12345678, 0xA5A5A5A5, 0x0000FFFF)
FACTORIALS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20)
RATE_WINDOW = 0.25


class Checks:
    """PASS/FAIL/INFO lines as the Java examples print them, and the tally."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, name, ok, measured):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self._line("PASS" if ok else "FAIL", name, measured)
        return ok

    def info(self, name, value):
        self._line("INFO", name, value)

    @staticmethod
    def _line(tag, name, text):
        print(f"{tag:<4}  {name:<30} {text}", flush=True)

    def finish(self):
        if self.failed == 0 and self.passed > 0:
            print(f"{self.name}: all {self.passed} checks passed")
            return 0
        print(f"{self.name}: {self.failed} of {self.passed + self.failed} checks FAILED")
        return 1


def expected_factorial(n):
    r = 1
    for i in range(2, n + 1):
        r = (r * i) & 0xFFFFFFFF
    return r


class Edu:
    def __init__(self, bar):
        self.bar = bar

    def liveness(self, value):
        self.bar.write32(LIVENESS, value)
        return self.bar.read32(LIVENESS)

    def start_dma(self, src, dst, count, to_ram, irq):
        self.bar.write64(DMA_SRC, src)
        self.bar.write64(DMA_DST, dst)
        self.bar.write64(DMA_COUNT, count)
        self.bar.write64(DMA_CMD, DMA_CMD_START | (DMA_CMD_TO_RAM if to_ram else 0) | (DMA_CMD_IRQ if irq else 0))

    def dma_running(self):
        return self.bar.read64(DMA_CMD) & DMA_CMD_START != 0


def summarize(nanos):
    s = sorted(nanos)
    return f"min {s[0] / 1e3:.0f} µs, median {s[len(s) // 2] / 1e3:.0f} µs, max {s[-1] / 1e3:.0f} µs over {len(s)}"


class Driver:
    def __init__(self, session, dev, regs, checks, faults):
        self.session, self.dev, self.regs, self.checks, self.faults = session, dev, regs, checks, faults
        self.irq = None

    def drive(self):
        self.identify()
        self.liveness()
        was_master = self.dev.set_bus_master(True)  # MSI is a memory write by the device: needs bus mastering
        try:
            modes = [m for m in ("MSI", "INTX") if self.factorials(m)]
            self.checks.check("interrupt modes", bool(modes),
                              " and ".join(modes) + " delivered" if modes else "no interrupt mode delivered")
            self.dma_round_trip()
            self.dev.disable_interrupts()
        finally:
            self.dev.set_bus_master(was_master)
        faults = []
        while not self.faults.empty():
            f = self.faults.get()
            faults.append(f"{f.device_name} {'write' if f.write else 'read'} 0x{f.bus_address:x}: {f.detail}")
        self.checks.check("no DMA faults", not faults, "; ".join(faults) if faults else "none reported by the daemon")

    def identify(self):
        i = self.regs.bar.read32(ID)
        self.checks.check("identification", i & 0xFFFF == 0x00ED,
                          f"0x{i:08x}: edu version {i >> 24}.{(i >> 16) & 0xFF}")

    def liveness(self):
        for v in LIVENESS_VALUES:
            read = self.regs.liveness(v)
            want = ~v & 0xFFFFFFFF
            self.checks.check(f"liveness 0x{v:08x}", read == want, f"read 0x{read:08x}, expected 0x{want:08x}")
        start = time.monotonic_ns()
        pairs, inverted = 0, True
        while True:
            inverted &= self.regs.liveness(pairs & 0xFFFFFFFF) == ~pairs & 0xFFFFFFFF
            pairs += 1
            elapsed = time.monotonic_ns() - start
            if elapsed >= RATE_WINDOW * 1e9:
                break
        self.checks.check("register rate", inverted,
                          f"{pairs * 1e9 / elapsed:.0f} write+read pairs/s ({elapsed / 1e3 / (2 * pairs):.1f} µs per "
                          f"access), {'mapped BAR' if self.regs.bar.is_mapped else 'register RPCs'}")

    def clear_interrupts(self):
        pending = self.regs.bar.read32(IRQ_STATUS)
        if pending:
            self.regs.bar.write32(IRQ_ACK, pending)
        self.irq.ack()

    def factorials(self, mode):
        bar = self.regs.bar
        try:
            self.dev.enable_interrupts(mode, 1)
        except PlatformError as e:
            self.checks.info("interrupts " + mode, "not offered: " + str(e))
            return False
        self.irq = self.dev.irq(0)
        self.checks.info("interrupts " + mode, "eventfd passed to this process (fast path)" if self.irq.is_fast_path
                         else "StreamInterrupts + AckInterrupt (RPC path)")
        self.clear_interrupts()
        bar.write32(STATUS, STATUS_IRQ_FACTORIAL)
        latencies, wrong = [], []
        for n in FACTORIALS:
            start = time.monotonic_ns()
            bar.write32(FACTORIAL, n)
            count = self.irq.wait(IRQ_TIMEOUT)
            latency = time.monotonic_ns() - start
            if count == 0:
                wrong.append(f"{n}!: no interrupt within {IRQ_TIMEOUT:.0f} s")
                break
            latencies.append(latency)
            status = bar.read32(IRQ_STATUS)
            value = bar.read32(FACTORIAL)
            bar.write32(IRQ_ACK, status)
            self.irq.ack()  # INTx: the line is quiet now (acknowledged above), so unmasking it is safe
            want = expected_factorial(n)
            if value != want or not status & IRQ_FACTORIAL:
                wrong.append(f"{n}!: read {value}, expected {want}, interrupt status 0x{status:x}")
        bar.write32(STATUS, 0)
        left = bar.read32(IRQ_STATUS)
        ok = self.checks.check("factorials by " + mode, not wrong and left == 0,
                               f"{len(FACTORIALS)} results (0!..13!, 20! = {expected_factorial(20)}) each signalled "
                               f"by interrupt 0x1; status 0x{left:x} after acks" if not wrong else "; ".join(wrong))
        if latencies:
            self.checks.info("interrupt latency " + mode,
                             summarize(latencies) + " from writing 0x08 to wait() returning (includes the computation)")
        return ok

    def transfer(self, src, dst, count, to_ram):
        what = f"DMA 0x{src:x} -> 0x{dst:x} ({count} B)"
        self.regs.start_dma(src, dst, count, to_ram, self.irq is not None)
        if self.irq is not None:
            if self.irq.wait(IRQ_TIMEOUT) == 0:
                return f"{what}: no interrupt within {IRQ_TIMEOUT:.0f} s"
            status = self.regs.bar.read32(IRQ_STATUS)
            self.regs.bar.write32(IRQ_ACK, status)
            self.irq.ack()
            if not status & IRQ_DMA:
                return f"{what}: interrupt status 0x{status:x} without the DMA bit 0x100"
        deadline = time.monotonic() + IRQ_TIMEOUT
        while self.regs.dma_running():
            if time.monotonic() > deadline:
                return f"{what}: engine still running after {IRQ_TIMEOUT:.0f} s"
            time.sleep(0.001)
        return None

    def dma_round_trip(self):
        size = DMA_BUFFER_SIZE
        with self.session.alloc_dma(size, 4096, DMA_ADDRESS_BITS) as out, \
                self.session.alloc_dma(size, 4096, DMA_ADDRESS_BITS) as into:
            self.checks.info("DMA buffers", f"2 x {size} B at bus 0x{out.bus_address:x} and 0x{into.bus_address:x} "
                             f"(below 2^{DMA_ADDRESS_BITS}), "
                             f"{'mapped into this process' if out.is_mapped else 'read/written by RPC'}")
            pattern = bytes((i * 7 + (i >> 8) + 3) & 0xFF for i in range(size))
            out.write(0, pattern)
            into.write(0, b"\xee" * size)
            start = time.monotonic_ns()
            problem, transfers, last_chunk = None, 0, 0
            at = 0
            while at < size and problem is None:
                n = min(DMA_MAX_TRANSFER, size - at)
                problem = self.transfer(out.bus_address + at, DMA_BUFFER, n, False)
                if problem is None:
                    problem = self.transfer(DMA_BUFFER, into.bus_address + at, n, True)
                transfers += 2
                last_chunk = at
                at += DMA_MAX_TRANSFER
            elapsed = time.monotonic_ns() - start
            back = into.read(0, size)
            if problem is None:
                problem = first_difference(pattern, 0, back, 0, size)
            self.checks.check("DMA round trip", problem is None, problem if problem else
                              f"{size} bytes RAM -> device 0x{DMA_BUFFER:x} -> RAM equal; {transfers} transfers of up "
                              f"to {DMA_MAX_TRANSFER} B in {elapsed / 1e6:.1f} ms "
                              f"({'completion by interrupt 0x100' if self.irq else 'completion polled'})")
            dev_off, ram_off, count = 0x400, 0xC00, 0x200
            partial = self.transfer(DMA_BUFFER + dev_off, into.bus_address + ram_off, count, True)
            back = into.read(0, size)
            if partial is None:
                partial = first_difference(pattern, last_chunk + dev_off, back, ram_off, count)
            if partial is None:
                partial = first_difference(pattern, 0, back, 0, ram_off)
            if partial is None:
                partial = first_difference(pattern, ram_off + count, back, ram_off + count, size - ram_off - count)
            self.checks.check("DMA at offsets", partial is None, partial if partial else
                              f"device 0x{DMA_BUFFER:x}+0x{dev_off:x} -> RAM +0x{ram_off:x}: slice equal, rest untouched")


def first_difference(expected, e_off, actual, a_off, n):
    for i in range(n):
        if expected[e_off + i] != actual[a_off + i]:
            return (f"byte {a_off + i} differs: 0x{actual[a_off + i]:02x}, "
                    f"expected 0x{expected[e_off + i]:02x}")
    return None


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(message)


def main(argv=None):
    p = _Parser(prog="edu.py", add_help=False,
                description="Drives QEMU's edu device (1234:11e8): ID, liveness, factorials by interrupt, "
                            "a DMA round trip.")
    p.add_argument("--socket", default=None)
    p.add_argument("--label", default="edu-driver")
    p.add_argument("-h", "--help", action="store_true")
    try:
        a = p.parse_args(argv)
    except _UsageError as e:
        print(f"edu: {e} (try --help)", file=sys.stderr)
        return 2
    socket_path = a.socket or default_socket_path()
    if a.help:
        print("usage: examples/python/edu.py [--socket PATH] [--label LABEL]\n"
              "  Drives QEMU's edu device (1234:11e8): ID, liveness, factorials by interrupt, a DMA round trip.\n"
              f"  --socket PATH   the daemon's Unix socket (default {socket_path})\n"
              "  --label LABEL   session label, selects the policy (default edu-driver)\n"
              "  Prints one line per check (PASS/FAIL/INFO with what was measured); exit status 0 when every\n"
              "  check passed, 1 when one failed, 2 for a usage error or when no daemon answers.")
        return 0
    checks = Checks("edu")
    faults = queue.Queue()

    def listener(event):
        if isinstance(event, DmaFault):
            faults.put(event)

    try:
        with PlatformClient(socket_path) as client, client.open(a.label, listener) as session:
            with session.acquire(vendor_id=VENDOR, device_id=DEVICE) as edu:
                checks.info("session", f"label {session.label} on {client.target}, policy {session.policy}, "
                                       f"fast path {'yes' if session.fast_path else 'no'}")
                checks.info("device", f"{edu.name} (1234:11e8)")
                command = edu.read_config(0x04, 2)
                if not command & 0x2:  # memory decode: Linux leaves it off for a device no driver holds
                    edu.write_config(0x04, 2, command | 0x2)
                bar = edu.bar(0)
                checks.info("BAR 0", f"{bar.size // 1024} KiB, " + ("mapped: plain loads and stores" if bar.is_mapped
                                                                    else "not mapped: one register RPC per access"))
                Driver(session, edu, Edu(bar), checks, faults).drive()
    except PlatformError as e:
        if checks.passed + checks.failed == 0 and e.code == grpc.StatusCode.UNAVAILABLE:
            print(f"edu: no platformd answers at {socket_path} (start one with bin/platformd, or give --socket): {e}",
                  file=sys.stderr)
            return 2
        checks.check("edu", False, f"stopped: {e}")
    except KeyboardInterrupt:
        checks.check("edu", False, "interrupted")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
