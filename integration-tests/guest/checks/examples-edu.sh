# examples-edu: examples/run edu, unchanged, against QEMU's real edu through the daemon on --backend linux
# (--take-over: edu on vfio-pci; the shipped default policy, label edu-driver) with the fast path: BAR 0
# mapped from resource0, interrupts as VFIO eventfds (MSI and INTx), DMA buffers mapped memfds behind VFIO
# IOMMU mappings. Every check of the example passes, and its values (ID, liveness, factorials, DMA bytes,
# checks passed) equal the same example's on the emulated machine (run on the host before the boot).
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

shared_daemon
trap shared_daemon_release EXIT
out="$CHECK_FILES/edu.out"
run_example edu "$out" || true
cat "$out"
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

# The same values as on the emulated machine.
sim="$SIM/edu.out"
grep -q "^edu: all [0-9]* checks passed" "$sim" || fail "the sim's reference run did not pass: $(grep -m1 '^FAIL' "$sim" || tail -1 "$sim")"
same() { # TAG NAME [SED]: the line equals the sim's (after SED, which cuts timings)
  local a b
  a="$(line "$out" "$1" "$2" | sed "${3:-}")"
  b="$(line "$sim" "$1" "$2" | sed "${3:-}")"
  [ -n "$b" ] || fail "no '$2' line in the sim's output"
  [ "$a" = "$b" ] || fail "'$2' differs from the sim: '$a' vs '$b'"
}
for name in identification "liveness 0x00000000" "liveness 0xffffffff" "liveness 0x12345678" \
    "liveness 0xa5a5a5a5" "liveness 0x0000ffff" "factorials by MSI" "factorials by INTX" "interrupt modes" \
    "DMA at offsets" "no DMA faults"; do
  same PASS "$name"
done
same PASS "DMA round trip" 's/ in [0-9.]* ms//'
[ "$(tail -1 "$out")" = "$(tail -1 "$sim")" ] || fail "'$(tail -1 "$out")' here, '$(tail -1 "$sim")' on the sim"
echo "equal to the sim: $(line "$out" PASS "factorials by MSI" | cut -c1-60)...; $(line "$out" PASS "DMA round trip" | cut -d';' -f1)"
echo "register rate here: $(line "$out" PASS "register rate"); on the sim: $(line "$sim" PASS "register rate")"
