"""A DMA buffer of the session: mapped from its exported memfd, or read and written by ReadDma/WriteDma.

``bus_address`` is what the device must be programmed with. Mapped: ``read``/``write`` are memory copies and
``memory`` is a writable memoryview. RPC: 1 MiB per call, the daemon's limit. ``close`` unmaps and frees
(FreeDma); a freed buffer's memfd is truncated by the daemon, so a view kept past close faults (SIGBUS).
"""

import mmap
import os

from .errors import PlatformError

_RPC_CHUNK = 1 << 20


class DmaBuffer:
    def __init__(self, session, proto, liveness):
        self._session = session
        self.buffer_id = proto.buffer_id
        self.bus_address = proto.bus_address
        self.size = proto.size_bytes
        self._liveness = liveness
        self._closed = False

    def _bounds(self, offset, length):
        if offset < 0 or length < 0 or offset + length > self.size:
            raise IndexError(f"DMA buffer {self.buffer_id}: offset {offset} length {length} is outside its "
                             f"{self.size} bytes")
        if self._closed:
            raise PlatformError(None, f"DMA buffer {self.buffer_id} is freed")
        self._liveness.check()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Unmaps (when mapped) and frees the buffer; idempotent; after the session's end only unmaps."""
        if self._closed:
            return
        self._closed = True
        self._unmap()
        s = self._session
        if s._liveness.alive():
            s._call(s._liveness, s._rpc.FreeDma, s._pb.FreeDmaRequest(session_id=s.id, buffer_id=self.buffer_id))

    def _unmap(self):
        pass


class MappedDmaBuffer(DmaBuffer):
    is_mapped = True

    def __init__(self, session, proto, liveness, fd, region):
        super().__init__(session, proto, liveness)
        try:
            self._map = mmap.mmap(fd, region.map_length_bytes, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
                                  offset=region.map_offset_bytes)
        finally:
            os.close(fd)
        start = region.data_offset_bytes
        self._view = memoryview(self._map)[start:start + self.size]

    @property
    def memory(self):
        """The buffer as a writable memoryview (release views of it before close())."""
        self._bounds(0, 0)
        return self._view

    def read(self, offset, length):
        self._bounds(offset, length)
        return bytes(self._view[offset:offset + length])

    def write(self, offset, data):
        self._bounds(offset, len(data))
        self._view[offset:offset + len(data)] = data

    def _unmap(self):
        self._view.release()
        try:
            self._map.close()
        except BufferError:  # the caller still holds a view of memory: the mapping goes when it does
            pass


class RpcDmaBuffer(DmaBuffer):
    is_mapped = False

    def read(self, offset, length):
        self._bounds(offset, length)
        s = self._session
        out = bytearray()
        while len(out) < length:
            n = min(_RPC_CHUNK, length - len(out))
            r = s._call(self._liveness, s._rpc.ReadDma, s._pb.ReadDmaRequest(
                session_id=s.id, buffer_id=self.buffer_id, offset=offset + len(out), length_bytes=n))
            out += r.data
        return bytes(out)

    def write(self, offset, data):
        self._bounds(offset, len(data))
        s = self._session
        data = bytes(data)
        for at in range(0, len(data), _RPC_CHUNK):
            s._call(self._liveness, s._rpc.WriteDma, s._pb.WriteDmaRequest(
                session_id=s.id, buffer_id=self.buffer_id, offset=offset + at, data=data[at:at + _RPC_CHUNK]))
