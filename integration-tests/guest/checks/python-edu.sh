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

# The fast path, all of it.
line "$out" INFO session | grep -q "fast path yes" || fail "no fd fast path: $(line "$out" INFO session)"
line "$out" INFO "BAR 0" | grep -q "mapped: plain loads" || fail "BAR 0 not mapped: $(line "$out" INFO "BAR 0")"
for mode in MSI INTX; do
  line "$out" INFO "interrupts $mode" | grep -q "eventfd passed" \
    || fail "interrupts $mode not by eventfd: $(line "$out" INFO "interrupts $mode")"
done
line "$out" INFO "DMA buffers" | grep -q "mapped into this process" \
  || fail "DMA buffers not mapped: $(line "$out" INFO "DMA buffers")"

# The same lines as the Java example's on the emulated machine.
sim="$SIM/edu.out"
grep -q "^edu: all [0-9]* checks passed" "$sim" || fail "the sim's reference run did not pass: $(grep -m1 '^FAIL' "$sim" || tail -1 "$sim")"
same() { # TAG NAME [SED]: the line equals the Java example's on the sim (after SED, which cuts timings)
  local a b
  a="$(line "$out" "$1" "$2" | sed "${3:-}")"
  b="$(line "$sim" "$1" "$2" | sed "${3:-}")"
  [ -n "$b" ] || fail "no '$2' line in the sim's output"
  [ "$a" = "$b" ] || fail "'$2' differs from the Java example's: '$a' vs '$b'"
}
for name in identification "liveness 0x00000000" "liveness 0xffffffff" "liveness 0x12345678" \
    "liveness 0xa5a5a5a5" "liveness 0x0000ffff" "factorials by MSI" "factorials by INTX" "interrupt modes" \
    "DMA at offsets" "no DMA faults"; do
  same PASS "$name"
done
same PASS "DMA round trip" 's/ in [0-9.]* ms//'
[ "$(tail -1 "$out")" = "$(tail -1 "$sim")" ] || fail "'$(tail -1 "$out")' here, '$(tail -1 "$sim")' from Java on the sim"
echo "equal to Java's: $(line "$out" PASS "factorials by MSI" | cut -c1-60)...; $(line "$out" PASS "DMA round trip" | cut -d';' -f1)"
echo "register rate here (Python, mapped): $(line "$out" PASS "register rate")"
