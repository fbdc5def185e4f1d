"""An interrupt vector: an eventfd passed to this process (fast path), or the StreamInterrupts stream.

Fast path: ``wait`` polls the trigger eventfd and reads its 8-byte count (os.eventfd_read); ``ack`` unmasks
INTx by writing 1 to the unmask eventfd when the daemon sent one, else by AckInterrupt; MSI/MSI-X need no
ack (it is accepted and does nothing, so drivers may ack uniformly). RPC path: one StreamInterrupts stream
per device, read by a daemon thread into per-vector counters (``_Demux``), ``ack`` by AckInterrupt.

Revocation: the daemon never signals a revoked eventfd again (it stays open); the client raises
DeviceRevokedError from ``wait`` once the watch stream said so (a waiter is woken within its poll slice).
"""

import os
import select
import threading
import time

import grpc

from .errors import PlatformError

_POLL_SLICE_MS = 100  # how soon a waiter notices a revocation or close


class Irq:
    """``wait(timeout)`` -> count (0 on timeout), ``ack()``, ``fileno()`` (fast path), ``close()``."""

    def __init__(self, device, vector, mode, liveness):
        self.device_name = device.name
        self.vector = vector
        self.mode = mode  # the InterruptMode value this vector belongs to
        self._device = device
        self._liveness = liveness

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _rpc_ack(self):
        s = self._device._session
        s._call(self._liveness, s._rpc.AckInterrupt,
                s._pb.AckInterruptRequest(session_id=s.id, device_name=self.device_name, vector=self.vector))


class EventfdIrq(Irq):
    """The fast path: the daemon signals ``fileno()`` per interrupt; select/poll/epoll it directly if you like."""

    is_fast_path = True

    def __init__(self, device, vector, mode, liveness, trigger_fd, unmask_fd, intx):
        super().__init__(device, vector, mode, liveness)
        self._trigger = trigger_fd
        self._unmask = unmask_fd
        self._intx = intx
        self._poll = select.poll()
        self._poll.register(trigger_fd, select.POLLIN)

    def fileno(self):
        return self._trigger

    def wait(self, timeout=None):
        """Blocks until the vector fired or ``timeout`` seconds passed; returns the count since the last wait."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._liveness.check()
            if self._trigger is None:
                raise PlatformError(None, f"interrupt {self.vector} of {self.device_name} is closed")
            left_ms = _POLL_SLICE_MS
            if deadline is not None:
                left_ms = min(left_ms, max(0, int((deadline - time.monotonic()) * 1000)))
            if self._poll.poll(left_ms):
                try:
                    return os.eventfd_read(self._trigger)
                except BlockingIOError:  # another reader took it
                    pass
            if deadline is not None and time.monotonic() >= deadline:
                return 0

    def ack(self):
        self._liveness.check()
        if not self._intx:
            return
        if self._unmask is not None:
            os.eventfd_write(self._unmask, 1)
        else:
            self._rpc_ack()

    def close(self):
        for fd in (self._trigger, self._unmask):
            if fd is not None:
                os.close(fd)
        if self._trigger is not None:
            self._poll.unregister(self._trigger)
        self._trigger = self._unmask = None


class RpcIrq(Irq):
    """The RPC path: events of the device's StreamInterrupts stream for this vector, ack by AckInterrupt."""

    is_fast_path = False

    def __init__(self, device, vector, mode, liveness, demux, intx):
        super().__init__(device, vector, mode, liveness)
        self._demux = demux
        self._intx = intx

    def fileno(self):
        raise PlatformError(None, f"interrupt {self.vector} of {self.device_name} comes by RPC: no fd to poll")

    def wait(self, timeout=None):
        return self._demux.take(self.vector, timeout, self._liveness)

    def ack(self):
        self._liveness.check()
        if self._intx:
            self._rpc_ack()

    def close(self):
        """The device's stream is shared by its vectors; it ends with the device."""


class _Demux:
    """One StreamInterrupts stream per device, its events counted per vector for RpcIrq.wait."""

    def __init__(self, session, device_name, liveness):
        self._cond = threading.Condition()
        self._counts = {}
        self._ended = None
        self._liveness = liveness
        pb = session._pb
        self._call = session._rpc.StreamInterrupts(
            pb.StreamInterruptsRequest(session_id=session.id, device_name=device_name))
        self._thread = threading.Thread(target=self._read, name=f"platformd-irq-{device_name}", daemon=True)
        self._thread.start()

    def _read(self):
        try:
            for r in self._call:
                with self._cond:
                    v = r.event.vector
                    self._counts[v] = self._counts.get(v, 0) + r.event.count
                    self._cond.notify_all()
            reason = "the interrupt stream ended"
        except grpc.RpcError as e:
            reason = "cancelled" if e.code() == grpc.StatusCode.CANCELLED else f"{e.code().name}: {e.details()}"
        with self._cond:
            self._ended = reason
            self._cond.notify_all()

    def take(self, vector, timeout, liveness):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                liveness.check()
                n = self._counts.pop(vector, 0)
                if n:
                    return n
                if self._ended is not None:
                    raise PlatformError(None, f"interrupt stream: {self._ended}")
                left = _POLL_SLICE_MS / 1000
                if deadline is not None:
                    left = min(left, deadline - time.monotonic())
                    if left <= 0:
                        return 0
                self._cond.wait(left)

    def close(self):
        self._call.cancel()
