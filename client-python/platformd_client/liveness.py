"""The revocation tree: session -> device -> bar/irq/ports. One attribute read per check.

Why a tree: a DeviceRevoked event must stop every Bar, Irq and Ports of that device at once, and the
session's end must stop everything, without each resource polling the daemon. The watch thread kills a
node; the kill is pushed down to every descendant at once, so an access checks one attribute of its own
node (``error``), which keeps a mapped register access cheap. Python's GIL makes the store visible to other
threads; children are few (one per BAR, vector, device), so the push-down is cheap too.
"""

import threading


class Liveness:
    """A node; ``kill(error)`` makes ``check()`` on it and every descendant raise ``error``."""

    __slots__ = ("error", "_children", "_lock")

    def __init__(self, parent=None):
        self.error = None      # read directly on hot paths: None while alive
        self._children = []
        self._lock = threading.Lock()
        if parent is not None:
            with parent._lock:
                parent._children.append(self)
                self.error = parent.error

    def child(self):
        return Liveness(self)

    def kill(self, error):
        with self._lock:
            if self.error is not None:
                return
            self.error = error
            children = list(self._children)
        for c in children:
            c.kill(error)

    def check(self):
        if self.error is not None:
            raise self.error

    def alive(self):
        return self.error is None
