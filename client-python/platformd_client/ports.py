"""A device's I/O ports (I/O BARs or a legacy device's port ranges) at absolute port numbers, by AccessPorts.

Always RPC: ports can't be mapped. ``access`` runs a sequence of ins and outs in one call (e.g. a timer's
latch command and the reads of the latched count), with the daemon's batch semantics.
"""


class Ports:
    def __init__(self, device, liveness):
        self._device = device
        self._liveness = liveness

    def access(self, ops):
        """ops: ("in", port, width_bits) or ("out", port, width_bits, value); returns one value per op."""
        s = self._device._session
        pb = s._pb
        req = pb.AccessPortsRequest(session_id=s.id, device_name=self._device.name)
        for op in ops:
            if op[0] not in ("in", "out") or op[2] not in (8, 16, 32):
                raise ValueError(f"bad port op {op!r}: want ('in', port, 8|16|32) or ('out', port, width, value)")
            kind = pb.ACCESS_KIND_READ if op[0] == "in" else pb.ACCESS_KIND_WRITE
            req.ops.add(kind=kind, port=op[1], width_bits=op[2], value=op[3] if op[0] == "out" else 0)
        return list(s._call(self._liveness, s._rpc.AccessPorts, req).values)

    def in8(self, port):
        return self.access([("in", port, 8)])[0]

    def in16(self, port):
        return self.access([("in", port, 16)])[0]

    def in32(self, port):
        return self.access([("in", port, 32)])[0]

    def out8(self, port, value):
        self.access([("out", port, 8, value)])

    def out16(self, port, value):
        self.access([("out", port, 16, value)])

    def out32(self, port, value):
        self.access([("out", port, 32, value)])
