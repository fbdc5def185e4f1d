# examples-pit: examples/run pit, unchanged, against the guest's 8254 PIT (q35's own, ports 0x40-0x43),
# offered by the daemon on --backend linux as legacy device `pit` (byte port I/O through /dev/port) and
# granted by the shipped default policy (label pit-driver): channel 0 programmed as a 20 Hz rate
# generator, its rate measured by reading the counter is within the example's tolerance (5 %), and the
# channel is put back. The same example on the emulated machine is shown for comparison.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

shared_daemon
trap shared_daemon_release EXIT
grep -q "legacy platform devices (pit): offered" "$DAEMON_LOG" \
  || fail "the daemon does not offer the PIT: $(grep -m1 'legacy platform devices' "$DAEMON_LOG")"
out="$CHECK_FILES/pit.out"
run_example pit "$out" || true
cat "$out"
example_passed "$out" pit
echo "rate here:       $(line "$out" PASS "rate by counter")"
echo "rate on the sim: $(line "$SIM/pit.out" PASS "rate by counter")"
echo "reads here:      $(line "$out" PASS "counter reads")"
