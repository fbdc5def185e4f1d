"""What the watch stream tells a session, as plain records (the proto messages stay inside the client).

Each arrives on ``Session.events`` (a queue.Queue) and, when given, at the ``listener`` callable passed to
``PlatformClient.open`` — called on the session's watch thread, in order; keep it short.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceAdded:
    device_name: str
    vendor_id: int
    device_id: int


@dataclass(frozen=True)
class DeviceRevoked:
    device_name: str
    reason: str        # e.g. "POLICY_CHANGED", "EVICTED"
    detail: str
    was_acquired: bool


@dataclass(frozen=True)
class InterruptModeChanged:
    device_name: str
    mode: str          # "MSI", "INTX", "DISABLED", ...
    vector_count: int


@dataclass(frozen=True)
class DmaFault:
    device_name: str
    bus_address: int
    write: bool
    length_bytes: int
    detail: str


@dataclass(frozen=True)
class SessionClosed:
    reason: str        # "CLIENT_REQUEST", "LEASE_EXPIRED", ..., or "WATCH_LOST"
    detail: str
