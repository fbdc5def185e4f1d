"""The revocation tree: session -> device -> bar/irq/ports. One attribute read per check.

Why a tree: a DeviceRevoked event must stop every Bar, Irq and Ports of that device at once, and the
session's end must stop everything, without each resource polling the daemon. The watch thread marks a
node dead; an access checks its node and the ancestors (a plain attribute read each; Python's GIL makes
the store visible to other threads).
"""

from .errors import DeviceRevokedError, SessionClosedError


class Liveness:
    """A node; ``kill(error)`` makes ``check()`` on it and every descendant raise ``error``."""

    __slots__ = ("_parent", "_error")

    def __init__(self, parent=None):
        self._parent = parent
        self._error = None

    def child(self):
        return Liveness(self)

    def kill(self, error):
        if self._error is None:
            self._error = error

    def error(self):
        node = self
        while node is not None:
            if node._error is not None:
                return node._error
            node = node._parent
        return None

    def check(self):
        node = self
        while node is not None:
            if node._error is not None:
                raise node._error
            node = node._parent

    def alive(self):
        return self.error() is None


def session_closed(session_id, reason):
    return SessionClosedError(session_id, reason)


def device_revoked(name, reason):
    return DeviceRevokedError(name, reason)
