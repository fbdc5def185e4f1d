"""The wire contract's Python stubs, generated from proto/ on first import, never checked in.

Why generate at import time: the contract lives once, in proto/src/main/proto; a checked-in copy of
generated code would drift from it. Debian's protoc (protobuf-compiler) and gRPC Python plugin
(protobuf-compiler-grpc, /usr/bin/grpc_python_plugin) write the modules into a cache directory keyed
by a hash of the .proto files and the two tools, so a changed contract regenerates and an unchanged one
costs one hash. Writers race safely: each generates into a private temporary directory and renames it
into place; the loser's copy is dropped.

Cache: $PLATFORMD_PYTHON_STUBS if set, else ${XDG_CACHE_HOME:-~/.cache}/platformd-python/<hash>; when
that cannot be written (a read-only home, as in the QEMU guest) a directory under $TMPDIR.
"""

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_PROTO_ROOT = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "proto", "src", "main", "proto")
_PROTO_FILES = ["admin_service.proto", "device.proto", "error_details.proto", "events.proto",
                "platform_service.proto"]
_WELL_KNOWN_INCLUDE = "/usr/include"  # libprotobuf-dev: google/protobuf/{duration,timestamp}.proto


class StubsUnavailable(ImportError):
    """protoc or the gRPC plugin is missing, or generation failed; the message says which and how to fix it."""


def _tool(name, package):
    path = shutil.which(name) or (("/usr/bin/" + name) if os.access("/usr/bin/" + name, os.X_OK) else None)
    if path is None:
        raise StubsUnavailable(f"{name} not found: apt-get install {package}")
    return path


def _digest(protoc, plugin):
    h = hashlib.sha256()
    for f in _PROTO_FILES:
        with open(os.path.join(_PROTO_ROOT, "platformd", "v1", f), "rb") as src:
            h.update(f.encode() + b"\0" + src.read() + b"\0")
    for tool in (protoc, plugin):
        st = os.stat(tool)
        h.update(f"{tool}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def _candidate_dirs(key):
    explicit = os.environ.get("PLATFORMD_PYTHON_STUBS")
    if explicit:
        return [explicit]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [os.path.join(cache, "platformd-python", key),
            os.path.join(tempfile.gettempdir(), f"platformd-python-{os.getuid()}", key)]


def _generate(target, protoc, plugin):
    parent = os.path.dirname(target)
    os.makedirs(parent, mode=0o700, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".gen-", dir=parent)
    try:
        cmd = [protoc, f"-I{_PROTO_ROOT}", f"-I{_WELL_KNOWN_INCLUDE}",
               f"--plugin=protoc-gen-grpc_python={plugin}", f"--python_out={work}", f"--grpc_python_out={work}"]
        cmd += [os.path.join("platformd", "v1", f) for f in _PROTO_FILES]
        done = subprocess.run(cmd, cwd=_PROTO_ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise StubsUnavailable(f"protoc failed ({done.returncode}): {done.stderr.strip()}")
        try:
            os.rename(work, target)
        except OSError:
            if not os.path.isdir(target):  # not a lost race: report it
                raise
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)


def stub_dir():
    """The directory holding package platformd.v1's generated modules, generating them when needed."""
    if not os.path.isdir(os.path.join(_PROTO_ROOT, "platformd", "v1")):
        raise StubsUnavailable(f"the contract is not at {_PROTO_ROOT} (client-python/ must sit in the platformd tree)")
    protoc = _tool("protoc", "protobuf-compiler")
    plugin = _tool("grpc_python_plugin", "protobuf-compiler-grpc")
    key = _digest(protoc, plugin)
    problems = []
    for d in _candidate_dirs(key):
        if os.path.isfile(os.path.join(d, "platformd", "v1", "platform_service_pb2_grpc.py")):
            return d
        try:
            _generate(d, protoc, plugin)
            return d
        except OSError as e:
            problems.append(f"{d}: {e}")
    raise StubsUnavailable("cannot write the generated stubs anywhere: " + "; ".join(problems))


def load():
    """Imports and returns (pb, events, device, grpc_stubs, error_details) modules of platformd.v1."""
    d = stub_dir()
    if d not in sys.path:
        sys.path.insert(0, d)
    mods = [importlib.import_module("platformd.v1." + m) for m in
            ("platform_service_pb2", "events_pb2", "device_pb2", "platform_service_pb2_grpc", "error_details_pb2")]
    return tuple(mods)
