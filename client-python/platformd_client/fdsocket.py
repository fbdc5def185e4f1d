"""The client side of the fd socket protocol (proto/FD-PROTOCOL.md): redeem an ExportResource token for fds.

Connect to the Unix stream socket, write ``token\\n``, read one answer: ``OK <n>\\n`` with an SCM_RIGHTS
control message carrying n fds, or ``ERR <reason>\\n`` without fds; the daemon then closes. Pure Python:
socket.recv_fds (3.9+) reads data and fds together. Received fds are close-on-exec (MSG_CMSG_CLOEXEC) and
belong to the caller; on any failure every fd that arrived is closed before raising.
"""

import os
import socket

from .errors import FdRefusedError, PlatformError

MAX_FDS = 16
_MAX_LINE = 4096


def redeem(socket_path, token, expected_fds, timeout=10.0):
    """Redeems ``token``; returns a list of exactly ``expected_fds`` fds in the daemon's order."""
    if "\n" in token:
        raise ValueError("token contains a newline")
    fds = []
    ok = False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            try:
                s.connect(socket_path)
                s.sendall(token.encode("ascii") + b"\n")
                line = _read_line(s, fds, socket_path)
            except OSError as e:
                raise PlatformError(None, f"fd socket {socket_path}: {e}") from e
        if line.startswith("ERR"):
            raise FdRefusedError(socket_path, line[4:] if len(line) > 4 else "(no reason given)")
        if not line.startswith("OK "):
            raise PlatformError(None, f"fd socket {socket_path} answered '{line}', expected OK <n> or ERR <reason>")
        try:
            n = int(line[3:].strip())
        except ValueError:
            raise PlatformError(None, f"fd socket {socket_path} answered '{line}': bad fd count") from None
        if n != len(fds) or n != expected_fds:
            raise PlatformError(None, f"fd socket {socket_path} announced {n} fds, sent {len(fds)}, "
                                      f"expected {expected_fds}")
        ok = True
        return fds
    finally:
        if not ok:
            for fd in fds:
                os.close(fd)


def _read_line(s, fds, socket_path):
    line = bytearray()
    while True:
        data, received, _flags, _addr = socket.recv_fds(s, 256, MAX_FDS, socket.MSG_CMSG_CLOEXEC)
        fds.extend(received)
        if not data:
            raise PlatformError(None, f"fd socket {socket_path} closed the connection after "
                                      f"'{line.decode('ascii', 'replace')}' (no newline)")
        nl = data.find(b"\n")
        if nl >= 0:
            line += data[:nl]
            return line.decode("ascii", "replace")
        line += data
        if len(line) > _MAX_LINE:
            raise PlatformError(None, f"fd socket {socket_path} answered a line longer than {_MAX_LINE} bytes")
