"""A memory BAR: mapped (plain loads and stores through a memoryview of an mmap) or over AccessRegisters.

Why two: only BARs the backend marks mappable can be exported as fds (sim: the Bochs framebuffer; linux:
sysfs resourceN); register files that need the server (sim's edu) go by RPC. Both check bounds and
alignment before anything is sent or touched: IndexError names BAR, device, offset, width and size;
ValueError a misaligned offset.

Mapped accesses go through ``memoryview.cast`` views of the mapping ('B', 'H', 'I', 'Q'), so each access is
one load or store of its width (CPython copies a fixed-size item with one move), which device registers
need; struct would copy bytes. Values are the host's byte order (little-endian on x86, PCI's order).

Revocation: after the watch stream's DeviceRevoked every access raises DeviceRevokedError. Between the
daemon revoking the mapping (sim truncates the memfd) and the event, an access faults with SIGBUS, which
kills a Python process: Python cannot turn it into an exception (Java can, see client/README.md).
"""

import mmap
import os

from .errors import PlatformError

_FORMATS = {8: "B", 16: "H", 32: "I", 64: "Q"}


class _Bounds:
    def __init__(self, device_name, index, size):
        self.device_name = device_name
        self.index = index
        self.size = size

    def check(self, offset, width_bits):
        nbytes = width_bits // 8
        if offset < 0 or offset + nbytes > self.size:
            raise IndexError(f"BAR {self.index} of {self.device_name}: offset 0x{offset:x} width {width_bits} "
                             f"is outside its {self.size} bytes")
        if offset % nbytes:
            raise ValueError(f"BAR {self.index} of {self.device_name}: offset 0x{offset:x} is not a multiple "
                             f"of {nbytes} (width {width_bits})")


class Bar:
    """Common interface: read8/16/32/64(offset), write8/16/32/64(offset, value), size, is_mapped, close()."""

    def __init__(self, device_name, index, size, liveness):
        self.device_name = device_name
        self.index = index
        self.size = size
        self._bounds = _Bounds(device_name, index, size)
        self._liveness = liveness

    def read8(self, offset):
        return self.read(offset, 8)

    def read16(self, offset):
        return self.read(offset, 16)

    def read32(self, offset):
        return self.read(offset, 32)

    def read64(self, offset):
        return self.read(offset, 64)

    def write8(self, offset, value):
        self.write(offset, 8, value)

    def write16(self, offset, value):
        self.write(offset, 16, value)

    def write32(self, offset, value):
        self.write(offset, 32, value)

    def write64(self, offset, value):
        self.write(offset, 64, value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class MappedBar(Bar):
    """A BAR mapped from its exported fd: each access a bounds check, one liveness read and one load/store."""

    is_mapped = True

    def __init__(self, device_name, index, fd, region, liveness):
        super().__init__(device_name, index, region.size_bytes, liveness)
        try:
            self._map = mmap.mmap(fd, region.map_length_bytes, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
                                  offset=region.map_offset_bytes)
        finally:
            os.close(fd)  # the mapping keeps the memory; the fd is not needed any more
        start = region.data_offset_bytes
        self._bytes = memoryview(self._map)[start:start + self.size]
        self._views = {w: self._bytes.cast(f) for w, f in _FORMATS.items()}
        self._v32 = self._views[32]
        self._end32 = self.size - 3

    @property
    def memory(self):
        """The BAR as a writable memoryview of bytes (e.g. a framebuffer); invalid after close()."""
        self._liveness.check()
        return self._bytes

    def _usable(self, offset, width_bits):
        self._bounds.check(offset, width_bits)
        self._liveness.check()
        if self._map is None:
            raise PlatformError(None, f"BAR {self.index} of {self.device_name} is closed")

    def read(self, offset, width_bits):
        self._usable(offset, width_bits)
        return self._views[width_bits][offset // (width_bits // 8)]

    def write(self, offset, width_bits, value):
        self._usable(offset, width_bits)
        self._views[width_bits][offset // (width_bits // 8)] = value & ((1 << width_bits) - 1)

    # The 32-bit accesses, which drivers make most, spelled out: one comparison for bounds and alignment
    # together, one attribute read for liveness, one item access (the slow path only to raise).
    def read32(self, offset):
        if offset & 3 or not 0 <= offset < self._end32 or self._liveness.error is not None:
            return self.read(offset, 32)
        return self._v32[offset >> 2]

    def write32(self, offset, value):
        if offset & 3 or not 0 <= offset < self._end32 or self._liveness.error is not None:
            return self.write(offset, 32, value)
        self._v32[offset >> 2] = value & 0xFFFFFFFF

    def close(self):
        if self._map is None:
            return
        self._end32 = -1  # the fast paths divert to read/write, which say "closed"
        for v in self._views.values():
            v.release()
        self._bytes.release()
        self._map.close()
        self._map = None


class RpcBar(Bar):
    """A BAR reached by AccessRegisters, one operation per access (batches: ``access``)."""

    is_mapped = False

    def __init__(self, device, index, size, liveness):
        super().__init__(device.name, index, size, liveness)
        self._device = device

    def read(self, offset, width_bits):
        self._bounds.check(offset, width_bits)
        return self.access([("r", offset, width_bits)])[0]

    def write(self, offset, width_bits, value):
        self._bounds.check(offset, width_bits)
        self.access([("w", offset, width_bits, value & ((1 << width_bits) - 1))])

    def access(self, ops):
        """A batch in one AccessRegisters call: ops are ("r", offset, width) or ("w", offset, width, value)."""
        s = self._device._session
        pb = s._pb
        req = pb.AccessRegistersRequest(session_id=s.id, device_name=self.device_name, bar_index=self.index)
        for op in ops:
            kind = pb.ACCESS_KIND_READ if op[0] == "r" else pb.ACCESS_KIND_WRITE
            self._bounds.check(op[1], op[2])
            req.ops.add(kind=kind, offset=op[1], width_bits=op[2], value=op[3] if len(op) > 3 else 0)
        return list(s._call(self._liveness, s._rpc.AccessRegisters, req).values)

    def close(self):
        """Nothing to free: the registers live with the device (ReleaseDevice ends them)."""
