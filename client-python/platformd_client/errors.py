"""Every failure of the client as one exception family, carrying the daemon's gRPC code and text.

Why: a driver author wants one thing to catch (PlatformError) and the daemon's own words (they name the
session, device, BAR, offset). DeviceRevokedError and SessionClosedError are raised by the client itself
once the watch stream said so, before anything is sent or touched.
"""

import grpc


class PlatformError(Exception):
    """A failed call: ``code`` is the grpc.StatusCode (or None for local failures), ``message`` the text."""

    def __init__(self, code, message):
        super().__init__(f"{code.name if code else 'ERROR'}: {message}")
        self.code = code
        self.message = message


class DeviceRevokedError(PlatformError):
    """The device was revoked or released; ``device_name`` and ``reason`` say which and why."""

    def __init__(self, device_name, reason):
        super().__init__(grpc.StatusCode.FAILED_PRECONDITION, f"device {device_name} was revoked: {reason}")
        self.device_name = device_name
        self.reason = reason


class SessionClosedError(PlatformError):
    """The session ended (closed, lease, eviction, policy removal, daemon shutdown, watch stream lost)."""

    def __init__(self, session_id, reason):
        super().__init__(grpc.StatusCode.FAILED_PRECONDITION, f"session {session_id} has ended: {reason}")
        self.session_id = session_id
        self.reason = reason


class FdRefusedError(PlatformError):
    """The fd socket answered ``ERR <reason>``; ``reason`` is the daemon's text (e.g. "wrong peer")."""

    def __init__(self, socket_path, reason):
        super().__init__(grpc.StatusCode.PERMISSION_DENIED, f"fd socket {socket_path} refused the token: {reason}")
        self.reason = reason


def from_rpc(error, target):
    """A grpc.RpcError as PlatformError; UNAVAILABLE names the target, which gRPC's text does not."""
    code = error.code() if hasattr(error, "code") else None
    details = (error.details() if hasattr(error, "details") else None) or (code.name if code else str(error))
    if code == grpc.StatusCode.UNAVAILABLE:
        details = f"platformd at {target} unavailable: {details}"
    return PlatformError(code, details)
