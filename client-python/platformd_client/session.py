"""PlatformClient (the channel to a daemon) and Session (a label's view of the bus, kept alive by its watch stream).

A session lives while its WatchSession stream is open (a daemon thread reads it and turns its events into
``events.*`` records) or, for a client that asked for a lease, while a keeper thread renews it at half the
lease. The watch thread applies what it hears before anyone sees it: DeviceRevoked kills the device's
liveness node (every later access raises DeviceRevokedError), SessionClosing or a lost stream the session's.

Threads: the caller's, the watch thread, and per device on the RPC interrupt path a stream reader.
Calls from several threads are fine (gRPC channels are thread-safe; each Device guards its own tables).
"""

import logging
import os
import queue
import stat
import threading

import grpc

from . import _stubs
from . import events as ev
from .device import Device, mode_name
from .dma import MappedDmaBuffer, RpcDmaBuffer
from .errors import DeviceRevokedError, FdRefusedError, PlatformError, SessionClosedError, from_rpc
from .fdsocket import redeem
from .liveness import Liveness

log = logging.getLogger("platformd_client")

_pb, _events_pb, _device_pb, _grpc_pb, _errors_pb = _stubs.load()
_CALL_TIMEOUT = 60.0
_SESSION_CLOSE_REASONS = {v.number: v.name.replace("SESSION_CLOSE_REASON_", "")
                          for v in _events_pb.SessionCloseReason.DESCRIPTOR.values}
_REVOCATION_REASONS = {v.number: v.name.replace("REVOCATION_REASON_", "")
                       for v in _events_pb.RevocationReason.DESCRIPTOR.values}


def default_socket_path():
    """$PLATFORMD_SOCKET, else the daemon's default: $XDG_RUNTIME_DIR/platformd, /run/platformd for root,
    else /tmp/platformd-$UID (only if that is a real directory of ours nobody else may write)."""
    explicit = os.environ.get("PLATFORMD_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "platformd", "platformd.sock")
    if os.getuid() == 0:
        return "/run/platformd/platformd.sock"
    return f"/tmp/platformd-{os.getuid()}/platformd.sock"


def _check_private_fallback(path):
    """The /tmp/platformd-UID fallback is used only when nobody else could have planted the socket."""
    d = os.path.dirname(path)
    if d != f"/tmp/platformd-{os.getuid()}" or not os.path.lexists(d):
        return
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                            f"{d} is not a directory of uid {os.getuid()} that only it may write; not using it")



ALLOCATION_TOKEN_ENV = "PLATFORMD_ALLOCATION_TOKEN_FILE"


def _allocation_token():
    """The container's allocation token (the file platformd's device plugin mounts), or "" outside one."""
    path = os.environ.get(ALLOCATION_TOKEN_ENV, "")
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                            f"{ALLOCATION_TOKEN_ENV} names {path}, which cannot be read ({e}): the container's"
                            " allocation token file should be mounted there by platformd's device plugin") from None

class PlatformClient:
    """A connection to one daemon; ``open(label)`` sessions on it; ``close()`` ends them and the channel."""

    def __init__(self, socket_path=None):
        self.socket_path = socket_path or default_socket_path()
        _check_private_fallback(self.socket_path)
        self.target = "unix:" + os.path.abspath(self.socket_path)
        self._channel = grpc.insecure_channel(self.target)
        self._rpc = _grpc_pb.PlatformServiceStub(self._channel)
        self._sessions = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self, label, listener=None, lease_seconds=None, watch=True):
        """Opens a session under ``label``. ``listener(event)`` gets each event (on the watch thread).
        ``lease_seconds``: a lease renewed by a keeper thread (for ``watch=False``, or as a backstop).
        In a Kubernetes container the allocation token of ``$PLATFORMD_ALLOCATION_TOKEN_FILE`` goes along
        (a ``kubelet="yes"`` policy opens only with it)."""
        req = _pb.OpenSessionRequest(label=label, allocation_token=_allocation_token())
        if lease_seconds:
            req.lease_duration.seconds = int(lease_seconds)
        try:
            r = self._rpc.OpenSession(req, timeout=_CALL_TIMEOUT)
        except grpc.RpcError as e:
            raise from_rpc(e, self.target) from None
        s = Session(self, label, r, listener, watch, lease_seconds)
        self._sessions.append(s)
        return s

    def close(self):
        for s in list(self._sessions):
            try:
                s.close()
            except PlatformError as e:
                log.debug("closing session %s: %s", s.id, e)
        self._channel.close()


class Session:
    """A session: ``devices()``, ``acquire(...)``, ``alloc_dma(...)``, ``events``; ``close()`` tears it down."""

    def __init__(self, client, label, opened, listener, watch, lease_seconds):
        self._client = client
        self._rpc = client._rpc
        self._pb = _pb
        self.id = opened.session_id
        self.label = label
        self.policy = opened.policy
        self.dma_quota_bytes = opened.dma_quota_bytes
        self.fd_socket_path = opened.fd_socket_path
        self.fast_path = bool(opened.fd_socket_path)
        self.events = queue.Queue()
        self._listener = listener
        self._liveness = Liveness()
        self._devices = {}
        self._buffers = []
        self._lock = threading.RLock()
        self._export_unimplemented = False
        self._closed = False
        self._stop = threading.Event()
        self._watch_call = None
        self._watch_started = threading.Event()
        if watch:
            self._watch_call = self._rpc.WatchSession(_pb.WatchSessionRequest(session_id=self.id))
            threading.Thread(target=self._watch, name=f"platformd-watch-{self.id}", daemon=True).start()
            self._watch_started.wait(10)
        if lease_seconds:
            threading.Thread(target=self._keep_lease, args=(lease_seconds,), name=f"platformd-lease-{self.id}",
                             daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing shared by the resources ------------------------------------------------------------
    def _call(self, liveness, method, request):
        liveness.check()
        try:
            return method(request, timeout=_CALL_TIMEOUT)
        except grpc.RpcError as e:
            dead = liveness.error
            if dead is not None:
                raise dead from None
            raise from_rpc(e, self._client.target) from None

    def _export(self, liveness, request, expected):
        """ExportResource + redemption: (fds, response), or None when this resource must use RPC."""
        if not self.fast_path or self._export_unimplemented:
            return None
        try:
            resp = self._call(liveness, self._rpc.ExportResource, request)
        except PlatformError as e:
            if e.code == grpc.StatusCode.UNIMPLEMENTED:
                self._export_unimplemented = True
                log.debug("session %s: the daemon exports nothing: RPC path", self.id)
                return None
            if e.code == grpc.StatusCode.FAILED_PRECONDITION and liveness.alive():
                log.debug("session %s: not exportable (%s): RPC path", self.id, e.message)
                return None
            raise
        n = expected if expected is not None else len(resp.fd_roles)
        try:
            return redeem(resp.fd_socket_path or self.fd_socket_path, resp.token, n), resp
        except FdRefusedError as e:
            liveness.check()
            log.warning("session %s: the fd socket refused a live resource (%s): RPC path", self.id, e.reason)
            return None

    def _forget(self, device):
        with self._lock:
            self._devices.pop(device.name, None)

    def _event(self, event):
        self.events.put(event)
        if self._listener is not None:
            try:
                self._listener(event)
            except Exception:  # a listener's bug must not end the watch (and with it the session)
                log.exception("session %s: the listener failed on %s", self.id, event)

    def _ended(self, reason, detail):
        if self._liveness.alive():
            self._liveness.kill(SessionClosedError(self.id, f"{reason}: {detail}" if detail else reason))
            self._event(ev.SessionClosed(reason, detail))

    def _watch(self):
        try:
            for r in self._watch_call:
                e = r.event
                kind = e.WhichOneof("event")
                if kind == "watch_started":
                    self._watch_started.set()
                elif kind == "device_added":
                    d = e.device_added.device
                    self._event(ev.DeviceAdded(d.name, d.vendor_id, d.device_id))
                elif kind == "device_revoked":
                    x = e.device_revoked
                    reason = _REVOCATION_REASONS.get(x.reason, str(x.reason))
                    with self._lock:
                        dev = self._devices.get(x.device_name)
                    if dev is not None:
                        dev._liveness.kill(DeviceRevokedError(x.device_name, f"{reason}: {x.detail}"))
                    self._event(ev.DeviceRevoked(x.device_name, reason, x.detail, x.was_acquired))
                elif kind == "interrupt_mode_changed":
                    x = e.interrupt_mode_changed
                    self._event(ev.InterruptModeChanged(x.device_name, mode_name(x.mode), x.vector_count))
                elif kind == "dma_fault":
                    x = e.dma_fault
                    self._event(ev.DmaFault(x.device_name, x.bus_address, x.write, x.length_bytes, x.detail))
                elif kind == "session_closing":
                    x = e.session_closing
                    self._ended(_SESSION_CLOSE_REASONS.get(x.reason, str(x.reason)), x.detail)
            self._ended("WATCH_LOST", "the watch stream ended")
        except grpc.RpcError as e:
            if self._closed:
                self._ended("CLIENT_REQUEST", "")
            else:
                self._ended("WATCH_LOST", f"{e.code().name}: {e.details()}")
        finally:
            self._watch_started.set()

    def _keep_lease(self, seconds):
        while not self._stop.wait(seconds / 2) and self._liveness.alive():
            try:
                self._call(self._liveness, self._rpc.RenewLease, _pb.RenewLeaseRequest(session_id=self.id))
            except PlatformError as e:
                log.warning("session %s: renewing the lease failed: %s", self.id, e)

    # -- the API -------------------------------------------------------------------------------------
    def devices(self):
        """The session's virtual bus: platformd.v1.Device messages (name, ids, bars, interrupts...)."""
        return list(self._call(self._liveness, self._rpc.ListDevices,
                               _pb.ListDevicesRequest(session_id=self.id)).devices)

    def acquire(self, name=None, vendor_id=None, device_id=None):
        """Acquires device ``name``, or the first (free) one with ``vendor_id``:``device_id``."""
        if name is None:
            matching = [d for d in self.devices() if d.kind == _device_pb.DEVICE_KIND_PCI and d.vendor_id == vendor_id
                        and d.device_id == device_id]
            pick = next((d for d in matching if d.availability == _device_pb.DEVICE_AVAILABILITY_FREE), matching[0] if matching else None)
            if pick is None:
                raise PlatformError(grpc.StatusCode.NOT_FOUND, f"no device {vendor_id:04x}:{device_id:04x} on "
                                    f"the bus of session {self.id} (label '{self.label}')")
            name = pick.name
        info = self._call(self._liveness, self._rpc.AcquireDevice,
                          _pb.AcquireDeviceRequest(session_id=self.id, device_name=name)).device
        dev = Device(self, info, self._liveness.child())
        with self._lock:
            self._devices[info.name] = dev
        return dev

    def alloc_dma(self, size_bytes, alignment_bytes=0, address_bits=0):
        """A zeroed contiguous buffer with ``bus_address``; mapped when the fast path exports it."""
        r = self._call(self._liveness, self._rpc.AllocateDma, _pb.AllocateDmaRequest(
            session_id=self.id, size_bytes=size_bytes, alignment_bytes=alignment_bytes, address_bits=address_bits))
        got = self._export(self._liveness, _pb.ExportResourceRequest(
            session_id=self.id, dma_buffer=_pb.DmaBufferSelector(buffer_id=r.buffer.buffer_id)), 1)
        if got is not None:
            fds, resp = got
            buf = MappedDmaBuffer(self, r.buffer, self._liveness, fds[0], resp.region)
        else:
            buf = RpcDmaBuffer(self, r.buffer, self._liveness)
        self._buffers.append(buf)
        return buf

    def close(self):
        """Closes devices and buffers, then the session (CloseSession); idempotent."""
        if self._closed:
            return
        alive = self._liveness.alive()
        with self._lock:
            devices = list(self._devices.values())
        for d in devices:
            d._close_resources()
        for b in self._buffers:
            b._closed = True
            b._unmap()
        self._closed = True
        self._stop.set()
        try:
            if alive:
                self._call(self._liveness, self._rpc.CloseSession, _pb.CloseSessionRequest(session_id=self.id))
        finally:
            self._ended("CLIENT_REQUEST", "")
            if self._watch_call is not None:
                self._watch_call.cancel()
            if self in self._client._sessions:
                self._client._sessions.remove(self)
