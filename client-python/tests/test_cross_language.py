"""Isolation holds across languages: what a Python client kept from a device is worth nothing once a Java
client (the shipped examples, on the client library) took the device — and the Python edu example prints
the same values as the Java one.

The daemon's token TTL is ten minutes here, so a stale token is refused because its resource was revoked,
not because it expired (the JVMs take seconds to start).
"""

import mmap
import os
import select
import subprocess
import time
import unittest

import grpc

from tests.daemon import HOME, Daemon

from platformd_client import FdRefusedError, PlatformClient, PlatformError
from platformd_client import fdsocket

EDU = (0x1234, 0x11E8)
DISPLAY = (0x1234, 0x1111)
EXAMPLES_RUN = os.path.join(HOME, "examples", "run")
PY_EDU = os.path.join(HOME, "examples", "python", "edu.py")
daemon = None


def setUpModule():
    global daemon
    daemon = Daemon("--fd-token-ttl-ms", "600000")


def tearDownModule():
    daemon.stop()


def line(out, tag, name):
    """The text of the example line 'TAG  NAME   text' (as the guest checks' lib/examples.sh reads it)."""
    for l in out.splitlines():
        if l[:4].strip() == tag and l[6:36].rstrip() == name:
            return l[37:]
    return None


class CrossLanguageTest(unittest.TestCase):
    def setUp(self):
        self.client = PlatformClient(daemon.socket)

    def tearDown(self):
        self.client.close()

    def export(self, session, **selector):
        pb = session._pb
        return session._call(session._liveness, session._rpc.ExportResource,
                             pb.ExportResourceRequest(session_id=session.id, **selector))

    def test_a_stale_eventfd_and_token_of_python_stay_dead_while_java_drives_edu(self):
        s = self.client.open("edu-driver")
        edu = s.acquire(vendor_id=EDU[0], device_id=EDU[1])
        edu.set_bus_master(True)
        edu.enable_interrupts("MSI", 1)
        irq = edu.irq(0)
        self.assertTrue(irq.is_fast_path)
        kept = os.dup(irq.fileno())
        stale = self.export(s, interrupt=s._pb.InterruptSelector(device_name=edu.name, vector=0))
        name = edu.name
        edu.close()  # released; the session stays open, the eventfd and the token are kept
        try:
            java = subprocess.run([EXAMPLES_RUN, "edu", "--socket", daemon.socket], capture_output=True, text=True,
                                  timeout=900)
            self.assertEqual(0, java.returncode, java.stdout + java.stderr)
            self.assertEqual(f"{name} (1234:11e8)", line(java.stdout, "INFO", "device"), "Java took another edu")
            self.assertIn("eventfd passed", line(java.stdout, "INFO", "interrupts MSI"))
            # Java's edu fired 30+ interrupts; none reached the eventfd Python kept
            readable, _, _ = select.select([kept], [], [], 0.5)
            self.assertEqual([], readable, "the stale eventfd was signalled")
            with self.assertRaises(FdRefusedError) as e:
                fdsocket.redeem(stale.fd_socket_path, stale.token, len(stale.fd_roles))
            self.assertEqual("resource revoked", e.exception.reason)

            # The same device, the same values from Python's example as from Java's.
            py = subprocess.run([PY_EDU, "--socket", daemon.socket], capture_output=True, text=True, timeout=600)
            self.assertEqual(0, py.returncode, py.stdout + py.stderr)
            self.assertEqual(line(java.stdout, "INFO", "device"), line(py.stdout, "INFO", "device"))
            for n in ("identification", "liveness 0x00000000", "liveness 0xffffffff", "liveness 0x12345678",
                      "liveness 0xa5a5a5a5", "liveness 0x0000ffff", "factorials by MSI", "factorials by INTX",
                      "interrupt modes", "DMA at offsets", "no DMA faults"):
                self.assertIsNotNone(line(java.stdout, "PASS", n), n)
                self.assertEqual(line(java.stdout, "PASS", n), line(py.stdout, "PASS", n), n)
            cut = lambda t: t.split(" in ")[0]  # noqa: E731 - the round trip's time differs
            self.assertEqual(cut(line(java.stdout, "PASS", "DMA round trip")), cut(line(py.stdout, "PASS", "DMA round trip")))
            self.assertEqual(java.stdout.splitlines()[-1], py.stdout.splitlines()[-1])
        finally:
            os.close(kept)
            s.close()

    def test_a_stale_mapping_fd_and_token_of_python_are_refused_while_java_holds_the_display(self):
        s = self.client.open("fb-driver")
        fb = s.acquire(vendor_id=DISPLAY[0], device_id=DISPLAY[1])
        stale = self.export(s, bar=s._pb.BarSelector(device_name=fb.name, bar_index=0))
        mine = self.export(s, bar=s._pb.BarSelector(device_name=fb.name, bar_index=0))
        [kept] = fdsocket.redeem(mine.fd_socket_path, mine.token, 1)
        region = mine.region
        self.assertGreaterEqual(os.fstat(kept).st_size, region.map_offset_bytes + region.map_length_bytes)
        name = fb.name
        fb.close()
        hold = os.path.join(daemon.dir, "release-the-display")
        out_path = os.path.join(daemon.dir, "java-fb.out")
        with open(out_path, "w") as out:
            java = subprocess.Popen([EXAMPLES_RUN, "framebuffer", "--socket", daemon.socket, "--out",
                                     os.path.join(daemon.dir, "fb.png"), "--hold-until", hold],
                                    stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 900
            while java.poll() is None and time.monotonic() < deadline:
                with open(out_path) as f:
                    if "INFO  holding" in f.read():
                        break
                time.sleep(0.5)
            with open(out_path) as f:
                held = f.read()
            self.assertIn("INFO  holding", held, "the Java example never held the display")
            # Java holds the display now: Python's leftovers reach nothing of it
            self.assertEqual(0, os.fstat(kept).st_size, "the kept BAR fd was not emptied")
            with self.assertRaises(ValueError):
                mmap.mmap(kept, region.map_length_bytes, offset=region.map_offset_bytes)
            with self.assertRaises(FdRefusedError) as e:
                fdsocket.redeem(stale.fd_socket_path, stale.token, 1)
            self.assertEqual("resource revoked", e.exception.reason)
            with self.assertRaises(PlatformError) as e:
                s.acquire(name)
            self.assertEqual(grpc.StatusCode.FAILED_PRECONDITION, e.exception.code)
            self.assertIn("busy", e.exception.message)
        finally:
            open(hold, "w").close()
            java.wait(300)
            os.close(kept)
            s.close()
        with open(out_path) as f:
            self.assertEqual(0, java.returncode, f.read())


if __name__ == "__main__":
    unittest.main()
