"""The fd socket protocol (proto/FD-PROTOCOL.md) spoken from Python against the real daemon.

Every answer the specification lists is provoked for real: OK with the fds in fd_roles order, and each ERR
reason (unknown token, already used, wrong peer from another process, expired, session ended, resource
revoked, bad request). The daemon runs with a short token TTL (--fd-token-ttl-ms) so expiry is quick.
"""

import os
import socket
import subprocess
import sys
import time
import unittest

from tests.daemon import HOME, Daemon

from platformd_client import FdRefusedError, PlatformClient
from platformd_client import fdsocket

TTL_MS = 3000
daemon = None


def setUpModule():
    global daemon
    daemon = Daemon("--fd-token-ttl-ms", str(TTL_MS))


def tearDownModule():
    daemon.stop()


class FdProtocolTest(unittest.TestCase):
    def setUp(self):
        self.client = PlatformClient(daemon.socket)
        self.session = self.client.open("edu-driver")
        self.pb = self.session._pb

    def tearDown(self):
        self.client.close()

    def export_dma(self, size=8192):
        s = self.session
        buf = s._call(s._liveness, s._rpc.AllocateDma, self.pb.AllocateDmaRequest(session_id=s.id, size_bytes=size)).buffer
        resp = s._call(s._liveness, s._rpc.ExportResource, self.pb.ExportResourceRequest(
            session_id=s.id, dma_buffer=self.pb.DmaBufferSelector(buffer_id=buf.buffer_id)))
        return buf, resp

    def raw_answer(self, payload):
        """What the fd socket answers to arbitrary bytes: (data, fds)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.settimeout(30)
            c.connect(self.session.fd_socket_path)
            c.sendall(payload)
            data, fds, _, _ = socket.recv_fds(c, 256, 4)
            for fd in fds:
                os.close(fd)
            return data, fds

    def test_ok_carries_the_memfd_of_the_buffer_and_its_region(self):
        buf, resp = self.export_dma(8192)
        self.assertEqual([self.pb.FD_ROLE_MEMORY], list(resp.fd_roles))
        self.assertEqual(resp.fd_socket_path, self.session.fd_socket_path)
        self.assertTrue(resp.HasField("region"))
        self.assertEqual(buf.bus_address, resp.region.bus_address)
        self.assertEqual(8192, resp.region.size_bytes)
        self.assertEqual(0, resp.region.map_offset_bytes % os.sysconf("SC_PAGE_SIZE"))
        self.assertLessEqual(32, len(resp.token))
        [fd] = fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        try:
            self.assertGreaterEqual(os.fstat(fd).st_size, resp.region.map_offset_bytes + resp.region.map_length_bytes)
            self.assertTrue(os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:"), os.readlink(f"/proc/self/fd/{fd}"))
            # written through the fd, read back over ReadDma: the fd is the buffer
            os.pwrite(fd, b"platformd", resp.region.map_offset_bytes + resp.region.data_offset_bytes + 100)
            s = self.session
            got = s._call(s._liveness, s._rpc.ReadDma, self.pb.ReadDmaRequest(
                session_id=s.id, buffer_id=buf.buffer_id, offset=100, length_bytes=9)).data
            self.assertEqual(b"platformd", got)
        finally:
            os.close(fd)

    def test_the_answer_is_one_line_with_the_fds_in_one_message(self):
        _, resp = self.export_dma()
        data, fds = self.raw_answer(resp.token.encode() + b"\n")
        self.assertEqual(b"OK 1\n", data)
        self.assertEqual(1, len(fds))

    def test_a_token_is_single_use(self):
        _, resp = self.export_dma()
        os.close(fdsocket.redeem(resp.fd_socket_path, resp.token, 1)[0])
        with self.assertRaises(FdRefusedError) as e:
            fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        self.assertEqual("already used", e.exception.reason)

    def test_unknown_token(self):
        self.assertEqual((b"ERR unknown token\n", []), self.raw_answer(b"A" * 32 + b"\n"))

    def test_no_newline_within_128_bytes_is_a_bad_request(self):
        self.assertEqual((b"ERR bad request\n", []), self.raw_answer(b"x" * 200))

    def test_another_process_is_the_wrong_peer_and_does_not_use_the_token_up(self):
        _, resp = self.export_dma()
        child = subprocess.run([sys.executable, "-c", (
            "import sys; sys.path.insert(0, sys.argv[1]);"
            "from platformd_client import fdsocket, FdRefusedError\n"
            "try:\n fdsocket.redeem(sys.argv[2], sys.argv[3], 1); print('granted')\n"
            "except FdRefusedError as e:\n print(e.reason)"),
            os.path.join(HOME, "client-python"), resp.fd_socket_path, resp.token],
            capture_output=True, text=True, timeout=120)
        self.assertEqual("wrong peer", child.stdout.strip(), child.stderr)
        os.close(fdsocket.redeem(resp.fd_socket_path, resp.token, 1)[0])  # still good for its owner

    def test_a_token_expires(self):
        _, resp = self.export_dma()
        time.sleep(TTL_MS / 1000 + 0.5)
        with self.assertRaises(FdRefusedError) as e:
            fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        self.assertEqual("expired", e.exception.reason)

    def test_a_freed_buffer_is_revoked(self):
        buf, resp = self.export_dma()
        s = self.session
        s._call(s._liveness, s._rpc.FreeDma, self.pb.FreeDmaRequest(session_id=s.id, buffer_id=buf.buffer_id))
        with self.assertRaises(FdRefusedError) as e:
            fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        self.assertEqual("resource revoked", e.exception.reason)

    def test_a_closed_session_ends_its_tokens(self):
        _, resp = self.export_dma()
        self.session.close()
        with self.assertRaises(FdRefusedError) as e:
            fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        self.assertEqual("session ended", e.exception.reason)

    def test_a_freed_buffers_fd_is_emptied(self):
        buf, resp = self.export_dma()
        [fd] = fdsocket.redeem(resp.fd_socket_path, resp.token, 1)
        try:
            s = self.session
            s._call(s._liveness, s._rpc.FreeDma, self.pb.FreeDmaRequest(session_id=s.id, buffer_id=buf.buffer_id))
            self.assertEqual(0, os.fstat(fd).st_size)  # a mapping of it would fault (SIGBUS)
        finally:
            os.close(fd)


if __name__ == "__main__":
    unittest.main()
