"""The Python client library against a real daemon on the emulated machine: mapped BAR, RPC BAR, eventfd and
RPC interrupts, mapped and RPC DMA, ports, events and revocation, leases, context managers, and the edu
example's exit codes.

On the sim, the Bochs display's framebuffer BAR is mappable (a memfd) and edu's register BAR is not (its
registers need the server), so both BAR paths are exercised on real devices.
"""

import os
import queue
import subprocess
import tempfile
import time
import unittest

import grpc

from tests.daemon import HOME, Daemon

from platformd_client import (DeviceRevoked, DeviceRevokedError, DmaFault, PlatformClient, PlatformError,
                              SessionClosedError)
from platformd_client.bar import RpcBar

EDU = (0x1234, 0x11E8)
DISPLAY = (0x1234, 0x1111)
POLICY = """<config>
  <policy label="edu-driver" dma_quota="4M"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
  <policy label="fb-driver" dma_quota="0" max_devices="1"><pci vendor_id="0x1234" device_id="0x1111" bus_master="no"/></policy>
  <policy label="pit-driver" dma_quota="0"><device name="pit"/></policy>
  <policy label="py-revoke" dma_quota="1M">%s</policy>
</config>
"""
BOTH = '<pci vendor_id="0x1234" device_id="0x11e8"/><pci vendor_id="0x1234" device_id="0x1111"/>'
DISPLAY_ONLY = '<pci vendor_id="0x1234" device_id="0x1111"/>'
daemon = None


def setUpModule():
    global daemon
    daemon = Daemon(policy_text=POLICY % BOTH)


def tearDownModule():
    daemon.stop()


def decode(dev):
    """Memory decoding on: without it the device ignores register accesses (they read all-ones)."""
    dev.write_config(0x04, 2, dev.read_config(0x04, 2) | 0x2)
    return dev


def factorial_by_interrupt(bar, irq, n):
    """edu computes n! and raises interrupt 0x1; returns (count, value) and acknowledges it."""
    pending = bar.read32(0x24)
    if pending:
        bar.write32(0x64, pending)
    bar.write32(0x20, 0x80)
    bar.write32(0x08, n)
    count = irq.wait(10)
    value = bar.read32(0x08)
    bar.write32(0x64, bar.read32(0x24))
    irq.ack()
    return count, value


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.client = PlatformClient(daemon.socket)

    def tearDown(self):
        self.client.close()

    def test_a_mappable_bar_is_mapped_and_is_the_devices_memory(self):
        with self.client.open("fb-driver") as s, s.acquire(vendor_id=DISPLAY[0], device_id=DISPLAY[1]) as fb:
            self.assertTrue(s.fast_path)
            bar = decode(fb).bar(0)
            self.assertTrue(bar.is_mapped)
            rpc = RpcBar(fb, 0, bar.size, fb._liveness.child())
            bar.write32(0x100, 0xCAFEF00D)
            self.assertEqual(0xCAFEF00D, rpc.read32(0x100))       # the daemon sees the store
            rpc.write32(0x200, 0x12345678)
            self.assertEqual(0x12345678, bar.read32(0x200))       # and the mapping sees the daemon's
            self.assertEqual(0x78, bar.read8(0x200))              # little-endian, every width
            self.assertEqual(0x5678, bar.read16(0x200))
            bar.write64(0x300, 0x0102030405060708)
            self.assertEqual(0x05060708, rpc.read32(0x300))
            self.assertEqual(0x0102030405060708, bar.read64(0x300))
            self.assertEqual(bar.size, len(bar.memory))

    def test_bar_accesses_are_bounds_and_alignment_checked_on_both_paths(self):
        with self.client.open("fb-driver") as s, s.acquire(vendor_id=DISPLAY[0], device_id=DISPLAY[1]) as fb:
            decode(fb)
            for bar in (fb.bar(0), RpcBar(fb, 0, fb.bar(0).size, fb._liveness.child())):
                with self.assertRaises(IndexError) as e:
                    bar.read32(bar.size - 2)
                self.assertIn("outside its", str(e.exception))
                with self.assertRaises(IndexError):
                    bar.write32(-4, 0)
                with self.assertRaises(ValueError):
                    bar.read32(2)
                bar.write32(bar.size - 4, 7)
                self.assertEqual(7, bar.read32(bar.size - 4))

    def test_edu_registers_by_rpc_and_interrupts_by_eventfd(self):
        with self.client.open("edu-driver") as s, s.acquire(vendor_id=EDU[0], device_id=EDU[1]) as edu:
            decode(edu)
            bar = edu.bar(0)
            self.assertFalse(bar.is_mapped)                       # edu's registers need the server
            self.assertEqual(0xED, bar.read32(0) & 0xFFFF)
            bar.write32(0x04, 0x12345678)
            self.assertEqual(0xEDCBA987, bar.read32(0x04))
            edu.set_bus_master(True)
            for mode in ("MSI", "INTX"):
                self.assertEqual(1, edu.enable_interrupts(mode, 1))
                irq = edu.irq(0)
                self.assertTrue(irq.is_fast_path, mode)
                self.assertGreaterEqual(irq.fileno(), 0)
                for n in (5, 10):
                    count, value = factorial_by_interrupt(bar, irq, n)
                    self.assertGreaterEqual(count, 1, f"{mode} {n}!")
                    self.assertEqual({5: 120, 10: 3628800}[n], value)
                self.assertEqual(0, irq.wait(0.2))                # nothing more fired
            edu.disable_interrupts()

    def test_interrupts_and_dma_over_rpc_when_there_is_no_fast_path(self):
        with self.client.open("edu-driver") as s, s.acquire(vendor_id=EDU[0], device_id=EDU[1]) as edu:
            s.fast_path = False  # as on a TCP connection
            decode(edu)
            edu.set_bus_master(True)
            bar = edu.bar(0)
            for mode in ("MSI", "INTX"):
                edu.enable_interrupts(mode, 1)
                irq = edu.irq(0)
                self.assertFalse(irq.is_fast_path)
                count, value = factorial_by_interrupt(bar, irq, 6)
                self.assertGreaterEqual(count, 1, mode)
                self.assertEqual(720, value)
            with s.alloc_dma(3 << 20, 0, 28) as buf:             # more than one 1 MiB RPC
                self.assertFalse(buf.is_mapped)
                data = os.urandom(3 << 20)
                buf.write(0, data)
                self.assertEqual(data[5:(2 << 20) + 9], buf.read(5, (2 << 20) + 4))

    def test_dma_buffers_are_mapped_with_their_bus_address_and_reach_the_device(self):
        with self.client.open("edu-driver") as s, s.acquire(vendor_id=EDU[0], device_id=EDU[1]) as edu:
            decode(edu)
            edu.set_bus_master(True)
            bar = edu.bar(0)
            with s.alloc_dma(4096, 4096, 28) as src, s.alloc_dma(4096, 4096, 28) as dst:
                self.assertTrue(src.is_mapped)
                self.assertTrue(0 < src.bus_address < (1 << 28) and src.bus_address % 4096 == 0)
                src.memory[0:64] = bytes(range(64))
                for (a, b, to_ram) in ((src.bus_address, 0x40000, 0), (0x40000, dst.bus_address, 0x2)):
                    bar.write64(0x80, a)
                    bar.write64(0x88, b)
                    bar.write64(0x90, 64)
                    bar.write64(0x98, 0x1 | to_ram)
                    deadline = time.monotonic() + 10
                    while bar.read64(0x98) & 1 and time.monotonic() < deadline:
                        time.sleep(0.005)
                self.assertEqual(bytes(range(64)), dst.read(0, 64))
                with self.assertRaises(IndexError):
                    dst.read(4090, 10)

    def test_ports_of_the_pit(self):
        with self.client.open("pit-driver") as s, s.acquire("pit") as pit:
            ports = pit.ports()
            ports.access([("out", 0x43, 8, 0x34), ("out", 0x40, 8, 0xFF), ("out", 0x40, 8, 0xFF)])
            latch = [("out", 0x43, 8, 0x00), ("in", 0x40, 8), ("in", 0x40, 8)]
            a = ports.access(latch)
            time.sleep(0.05)
            b = ports.access(latch)
            self.assertEqual(3, len(a))
            self.assertNotEqual(a[1:], b[1:], "channel 0 counts")
            with self.assertRaises(PlatformError) as e:
                ports.in8(0x44)
            self.assertEqual(grpc.StatusCode.OUT_OF_RANGE, e.exception.code)

    def test_a_held_device_is_busy_for_others_and_free_after_the_with_block(self):
        other = PlatformClient(daemon.socket)
        try:
            with self.client.open("fb-driver") as s:
                with s.acquire(vendor_id=DISPLAY[0], device_id=DISPLAY[1]) as fb:
                    with other.open("fb-driver") as o:
                        with self.assertRaises(PlatformError) as e:
                            o.acquire(fb.name)
                        self.assertEqual(grpc.StatusCode.FAILED_PRECONDITION, e.exception.code)
                        self.assertIn("busy", e.exception.message)
                name = fb.name
            with other.open("fb-driver") as o, o.acquire(name) as again:
                self.assertTrue(again.bar(0).is_mapped)
        finally:
            other.close()

    def test_a_lease_keeps_a_session_without_a_watch_stream(self):
        s = self.client.open("pit-driver", watch=False, lease_seconds=2)
        time.sleep(5)
        self.assertTrue(any(d.name == "pit" for d in s.devices()))
        s.close()
        with self.assertRaises(SessionClosedError):
            s.devices()

    def test_the_containers_allocation_token_goes_with_open_session(self):
        with tempfile.TemporaryDirectory() as d:
            token = os.path.join(d, "token")
            with open(token, "w") as f:
                f.write("not-an-allocation\n")
            saved = os.environ.get("PLATFORMD_ALLOCATION_TOKEN_FILE")
            try:
                os.environ["PLATFORMD_ALLOCATION_TOKEN_FILE"] = token
                with self.client.open("pit-driver") as s:  # not kubelet="yes": the token is not looked at
                    self.assertTrue(any(dev.name == "pit" for dev in s.devices()))
                os.environ["PLATFORMD_ALLOCATION_TOKEN_FILE"] = os.path.join(d, "missing")
                with self.assertRaises(PlatformError) as e:
                    self.client.open("pit-driver")
                self.assertEqual(grpc.StatusCode.FAILED_PRECONDITION, e.exception.code)
                self.assertIn("PLATFORMD_ALLOCATION_TOKEN_FILE names", e.exception.message)
            finally:
                if saved is None:
                    os.environ.pop("PLATFORMD_ALLOCATION_TOKEN_FILE", None)
                else:
                    os.environ["PLATFORMD_ALLOCATION_TOKEN_FILE"] = saved

    def test_a_revoked_device_raises_and_the_event_arrives(self):
        with self.client.open("py-revoke") as s:
            edu = decode(s.acquire(vendor_id=EDU[0], device_id=EDU[1]))
            bar = edu.bar(0)
            self.assertEqual(0xED, bar.read32(0) & 0xFFFF)
            edu.enable_interrupts("MSI", 1)
            irq = edu.irq(0)
            with tempfile.NamedTemporaryFile("w", dir=daemon.dir, delete=False) as f:
                f.write(POLICY % DISPLAY_ONLY)
            os.replace(f.name, daemon.policy)
            event = None
            deadline = time.monotonic() + 60
            while event is None and time.monotonic() < deadline:
                try:
                    e = s.events.get(timeout=1)
                except queue.Empty:
                    continue
                if isinstance(e, DeviceRevoked):
                    event = e
            self.assertIsNotNone(event, "no DeviceRevoked within 60 s of the policy edit")
            self.assertEqual(edu.name, event.device_name)
            self.assertEqual("POLICY_CHANGED", event.reason)
            self.assertTrue(event.was_acquired)
            with self.assertRaises(DeviceRevokedError):
                bar.read32(0)
            with self.assertRaises(DeviceRevokedError):
                irq.wait(1)
            edu.close()  # only forgotten: nothing left to release
            self.assertTrue(any(d.vendor_id == 0x1234 and d.device_id == 0x1111 for d in s.devices()))

    def test_an_msi_without_bus_mastering_arrives_as_a_dma_fault_event(self):
        faults = []
        with self.client.open("edu-driver", listener=lambda e: faults.append(e) if isinstance(e, DmaFault) else None) as s, \
                s.acquire(vendor_id=EDU[0], device_id=EDU[1]) as edu:
            bar = decode(edu).bar(0)
            edu.set_bus_master(False)
            edu.enable_interrupts("MSI", 1)
            irq = edu.irq(0)
            bar.write32(0x60, 0x1)                                # edu raises: its MSI is a DMA write
            self.assertEqual(0, irq.wait(1))                      # ... that never arrives
            event = None
            deadline = time.monotonic() + 30
            while event is None and time.monotonic() < deadline:
                try:
                    e = s.events.get(timeout=1)
                except queue.Empty:
                    continue
                if isinstance(e, DmaFault):
                    event = e
            self.assertIsNotNone(event, "no DmaFault event")
            self.assertEqual(edu.name, event.device_name)
            self.assertTrue(event.write)
            self.assertIn(event, faults)                          # the listener saw it too
            bar.write32(0x64, bar.read32(0x24))

    def test_unreachable_daemon(self):
        with self.assertRaises(PlatformError) as e:
            PlatformClient(os.path.join(daemon.dir, "nobody.sock")).open("edu-driver")
        self.assertEqual(grpc.StatusCode.UNAVAILABLE, e.exception.code)


class EduExampleTest(unittest.TestCase):
    EXAMPLE = os.path.join(HOME, "examples", "python", "edu.py")

    def test_every_check_passes_on_the_fast_path(self):
        done = subprocess.run([self.EXAMPLE, "--socket", daemon.socket], capture_output=True, text=True, timeout=600)
        self.assertEqual(0, done.returncode, done.stdout + done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual([], [l for l in lines if l.startswith("FAIL")])
        self.assertEqual("edu: all 13 checks passed", lines[-1])
        self.assertIn("fast path yes", next(l for l in lines if " session " in l))
        self.assertIn("mapped into this process", next(l for l in lines if "DMA buffers" in l))

    def test_exit_codes_for_misuse_and_no_daemon(self):
        bad = subprocess.run([self.EXAMPLE, "--bogus"], capture_output=True, text=True, timeout=120)
        self.assertEqual(2, bad.returncode)
        self.assertIn("unrecognized arguments", bad.stderr)
        gone = subprocess.run([self.EXAMPLE, "--socket", os.path.join(daemon.dir, "nobody.sock")],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(2, gone.returncode, gone.stdout + gone.stderr)
        self.assertIn("no platformd answers at", gone.stderr)
        denied = subprocess.run([self.EXAMPLE, "--socket", daemon.socket, "--label", "pit-driver"],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(1, denied.returncode)
        self.assertIn("FAIL  edu", denied.stdout)


if __name__ == "__main__":
    unittest.main()
