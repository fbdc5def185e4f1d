"""platformd's Python client: sessions, devices, mapped BARs, eventfd interrupts and DMA buffers.

Pure Python over Debian's python3-grpcio and python3-protobuf; the stubs are generated from proto/ on
first import (see _stubs). Start with ``PlatformClient(socket).open(label)``; README.md has the tour.
"""

from .errors import DeviceRevokedError, FdRefusedError, PlatformError, SessionClosedError
from .events import DeviceAdded, DeviceRevoked, DmaFault, InterruptModeChanged, SessionClosed
from .session import PlatformClient, Session, default_socket_path

__all__ = ["PlatformClient", "Session", "default_socket_path", "PlatformError", "DeviceRevokedError",
           "SessionClosedError", "FdRefusedError", "DeviceAdded", "DeviceRevoked", "DmaFault",
           "InterruptModeChanged", "SessionClosed"]
