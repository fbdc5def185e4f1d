# python-edu: examples/python/edu.py — the Python client (client-python/, Debian's python3-grpcio and
# python3-protobuf, stubs generated from proto/ by Debian's protoc) — against QEMU's real edu through the
# daemon on --backend linux (--take-over: edu on vfio-pci; the shipped default policy, label edu-driver) on
# the fd fast path: BAR 0 mapped from resource0 (loads and stores through a memoryview), MSI and INTx as VFIO
# eventfds, DMA buffers mapped. Every check passes, and its lines (ID, liveness, factorials, DMA bytes,
# tally) equal the Java example's on the emulated machine, which examples-edu holds the Java example to.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import grpc, google.protobuf' \
  || fail "Debian's python3 with python3-grpcio and python3-protobuf is needed (.ci/run installs them)"
shared_daemon
trap shared_daemon_release EXIT
out="$CHECK_FILES/python-edu.out"
# The stubs go to a cache under /tmp when the host's cache is read-only here (client-python/platformd_client/_stubs.py).
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$PLATFORMD_HOME/examples/python/edu.py" --socket "$DAEMON_SOCKET" \
  > "$out" 2> "$out.err" || true
cat "$out"
[ -s "$out.err" ] && { echo "stderr:"; cat "$out.err"; }
example_passed "$out" edu

edu_matches_sim "$out" "Python here"
echo "register rate here (Python, mapped): $(line "$out" PASS "register rate")"
