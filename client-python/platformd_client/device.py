"""A device the session holds: BARs, ports, interrupts, config space, bus mastering, reset, release.

Resources come on the fast path (ExportResource + the fd socket) when the session has one and the daemon
exports the resource, else over RPC, behind the same interfaces (``is_mapped`` / ``is_fast_path`` say which).
``close()`` releases the device (ReleaseDevice) after closing its BARs and interrupts; idempotent.
"""

import threading

import grpc

from . import _stubs
from .bar import MappedBar, RpcBar
from .errors import PlatformError
from .irq import EventfdIrq, RpcIrq, _Demux
from .ports import Ports

_device_pb = _stubs.load()[2]

# "MSI" -> INTERRUPT_MODE_MSI's number, from the contract itself
MODES = {v.name.replace("INTERRUPT_MODE_", ""): v.number for v in _device_pb.InterruptMode.DESCRIPTOR.values
         if v.number}
_MODE_NAMES = {v: k for k, v in MODES.items()}
_PREFERRED = ("MSIX", "MSI", "INTX", "LEGACY_IRQ")


def mode_name(value):
    return _MODE_NAMES.get(value, f"UNKNOWN({value})")


class Device:
    def __init__(self, session, info, liveness):
        self._session = session
        self.info = info          # the platformd.v1.Device message as acquired
        self.name = info.name
        self._liveness = liveness
        self._lock = threading.RLock()
        self._bars = {}
        self._irqs = {}
        self._mode = info.interrupts.current_mode if info.interrupts.current_mode not in (0, MODES["DISABLED"]) else None
        self._vectors = info.interrupts.current_vector_count
        self._demux = None
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- memory BARs -------------------------------------------------------------------------------
    def bar(self, index):
        """Memory BAR ``index``: mapped when exportable, else over AccessRegisters; cached per device."""
        self._liveness.check()
        with self._lock:
            if index in self._bars:
                return self._bars[index]
            desc = next((b for b in self.info.bars if b.index == index), None)
            if desc is None:
                raise PlatformError(grpc.StatusCode.NOT_FOUND, f"device {self.name} has no BAR {index}")
            if desc.kind == _device_pb.BAR_KIND_IO:
                raise PlatformError(grpc.StatusCode.INVALID_ARGUMENT,
                                    f"BAR {index} of {self.name} is an I/O BAR: use ports()")
            bar = None
            if desc.mappable:
                s = self._session
                got = s._export(self._liveness, s._pb.ExportResourceRequest(
                    session_id=s.id, bar=s._pb.BarSelector(device_name=self.name, bar_index=index)), 1)
                if got is not None:
                    fds, resp = got
                    bar = MappedBar(self.name, index, fds[0], resp.region, self._liveness.child())
            if bar is None:
                bar = RpcBar(self, index, desc.size_bytes, self._liveness.child())
            self._bars[index] = bar
            return bar

    def ports(self):
        """The device's I/O ports (I/O BARs, or a legacy device's port ranges), by AccessPorts."""
        self._liveness.check()
        return Ports(self, self._liveness)

    # -- interrupts --------------------------------------------------------------------------------
    def enable_interrupts(self, mode, vectors=0):
        """SetInterruptMode: ``mode`` "MSI", "MSIX", "INTX" or "LEGACY_IRQ"; returns the vectors enabled."""
        return self._set_mode(MODES[mode], vectors)

    def disable_interrupts(self):
        self._set_mode(MODES["DISABLED"], 0)

    def _set_mode(self, mode, vectors):
        s = self._session
        r = s._call(self._liveness, s._rpc.SetInterruptMode, s._pb.SetInterruptModeRequest(
            session_id=s.id, device_name=self.name, mode=mode, vector_count=vectors))
        with self._lock:
            for irq in self._irqs.values():
                irq.close()  # exported fds die with the old mode
            self._irqs.clear()
            self._mode = r.mode if r.mode not in (0, MODES["DISABLED"]) else None
            self._vectors = r.vector_count if self._mode else 0
        return r.vector_count

    @property
    def interrupt_mode(self):
        """"MSI", "INTX", ... or None when disabled."""
        return mode_name(self._mode) if self._mode else None

    def irq(self, vector=0):
        """Interrupt ``vector`` of the current mode (enabling MSI-X > MSI > INTx > legacy when none is)."""
        self._liveness.check()
        with self._lock:
            if self._mode is None:
                supported = list(self.info.interrupts.supported_modes)
                pick = next((m for m in _PREFERRED if MODES[m] in supported), None)
                if pick is None:
                    raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                                        f"device {self.name} supports no interrupt mode")
                self._set_mode(MODES[pick], 0)
            if not 0 <= vector < self._vectors:
                raise PlatformError(grpc.StatusCode.OUT_OF_RANGE, f"device {self.name}: vector {vector} is not "
                                    f"below the {self._vectors} vector(s) of {mode_name(self._mode)}")
            if vector in self._irqs:
                return self._irqs[vector]
            intx = self._mode == MODES["INTX"]
            s = self._session
            got = s._export(self._liveness, s._pb.ExportResourceRequest(
                session_id=s.id, interrupt=s._pb.InterruptSelector(device_name=self.name, vector=vector)), None)
            if got is not None:
                fds, resp = got
                roles = list(resp.fd_roles)
                trigger = fds[roles.index(s._pb.FD_ROLE_INTERRUPT_TRIGGER)]
                unmask = fds[roles.index(s._pb.FD_ROLE_INTERRUPT_UNMASK)] \
                    if s._pb.FD_ROLE_INTERRUPT_UNMASK in roles else None
                irq = EventfdIrq(self, vector, self._mode, self._liveness.child(), trigger, unmask, intx)
            else:
                if self._demux is None:
                    self._demux = _Demux(s, self.name, self._liveness)
                irq = RpcIrq(self, vector, self._mode, self._liveness.child(), self._demux, intx)
            self._irqs[vector] = irq
            return irq

    # -- config space, bus mastering, reset --------------------------------------------------------
    def read_config(self, offset, width_bytes):
        s = self._session
        return s._call(self._liveness, s._rpc.ReadConfig, s._pb.ReadConfigRequest(
            session_id=s.id, device_name=self.name, offset=offset, width_bytes=width_bytes)).value

    def write_config(self, offset, width_bytes, value):
        """Returns the bits the daemon dropped (not the client's to change); 0 when all took effect."""
        s = self._session
        return s._call(self._liveness, s._rpc.WriteConfig, s._pb.WriteConfigRequest(
            session_id=s.id, device_name=self.name, offset=offset, width_bytes=width_bytes, value=value)).dropped_bits

    def set_bus_master(self, enabled):
        """Returns whether bus mastering was on before."""
        s = self._session
        return s._call(self._liveness, s._rpc.SetBusMaster, s._pb.SetBusMasterRequest(
            session_id=s.id, device_name=self.name, enabled=enabled)).previously_enabled

    def reset(self):
        s = self._session
        r = s._call(self._liveness, s._rpc.ResetDevice, s._pb.ResetDeviceRequest(session_id=s.id, device_name=self.name))
        with self._lock:
            for irq in self._irqs.values():
                irq.close()
            self._irqs.clear()
            self._mode, self._vectors = None, 0
        return r.method

    # -- end ---------------------------------------------------------------------------------------
    def _close_resources(self):
        with self._lock:
            for irq in self._irqs.values():
                irq.close()
            for bar in self._bars.values():
                bar.close()
            self._irqs.clear()
            self._bars.clear()
            if self._demux is not None:
                self._demux.close()
                self._demux = None

    def close(self):
        """Releases the device (ReleaseDevice); a revoked one or one of an ended session is only forgotten."""
        if self._closed:
            return
        self._closed = True
        alive = self._liveness.alive()
        self._close_resources()
        self._session._forget(self)
        if alive:
            s = self._session
            s._call(self._liveness, s._rpc.ReleaseDevice,
                    s._pb.ReleaseDeviceRequest(session_id=s.id, device_name=self.name))
        self._liveness.kill(PlatformError(grpc.StatusCode.FAILED_PRECONDITION, f"device {self.name} was released"))
