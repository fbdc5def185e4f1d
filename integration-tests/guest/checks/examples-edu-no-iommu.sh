# guest: no-iommu
# examples-edu-no-iommu: DMA without an IOMMU. In a guest that has none (no IOMMU groups, so no VFIO; 16
# huge pages of 2 MiB reserved at boot), --take-over hands edu to uio_pci_generic, and examples/run edu,
# unchanged, runs through the daemon on --backend linux with the shipped policy's edu-driver terms: BAR 0
# mapped from resource0, factorials by INTx through UIO (UIO offers no MSI: the example says MSI is not
# offered and goes on), and its DMA round trips through buffers carved from one huge page at its physical
# address (bus address from /proc/self/pagemap), mapped into the example. Its values equal the sim's, the
# page goes back to the pool when the session ends, and edu goes back to no driver. A session's dma_quota
# counts the memory pinned for it — a whole huge page here — so under 1 MiB (label edu-small) the first
# buffer is refused saying what it pins. No IOMMU confines edu's DMA here, so bus mastering needs the
# policy's explicit dma_unprotected="yes" (without it SetBusMaster is FAILED_PRECONDITION).
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
[ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] || fail "this guest has IOMMU groups: it is not the no-iommu machine"
pages() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
[ "$(pages HugePages_Free)" -ge 2 ] || fail "$(pages HugePages_Free) free huge pages (hugepages=16 on the command line)"
free_before="$(pages HugePages_Free)"
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="edu-driver" dma_quota="4M">
    <pci vendor_id="0x1234" device_id="0x11e8" dma_unprotected="yes"/>
  </policy>
  <policy label="edu-small" dma_quota="1M">
    <pci vendor_id="0x1234" device_id="0x11e8" dma_unprotected="yes"/>
  </policy>
</config>
XML
trap 'stop_daemon; release "$slot"' EXIT
start_daemon "$tmp/daemon.log" "${EXAMPLES_DAEMON_FLAGS[@]}" --policy "$tmp/policy.xml" --take-over "$slot"
[ "$(driver_of "$slot")" = uio_pci_generic ] \
  || fail "edu at $slot is on '$(driver_of "$slot")' after --take-over without VFIO, not uio_pci_generic"
grep -m1 "DMA without IOMMU" "$tmp/daemon.log" | sed 's/^.*\] [A-Z]* [a-zA-Z.]* - //' || true

small="$tmp/edu-small.out"
run_example edu "$small" --label edu-small || true
grep -q "RESOURCE_EXHAUSTED: DMA quota .* requested 4096 bytes (it pins 2097152 more bytes: this machine's DMA memory comes in whole huge pages)" \
  "$small" || fail "under a 1 MiB dma_quota: $(grep -m1 '^FAIL' "$small" || tail -1 "$small")"
echo "under dma_quota 1M: $(grep -m1 -o 'RESOURCE_EXHAUSTED.*' "$small")"
out="$tmp/edu.out"
run_example edu "$out" || true
cat "$out"
example_passed "$out" edu

line "$out" INFO "BAR 0" | grep -q "mapped: plain loads" || fail "BAR 0 not mapped: $(line "$out" INFO "BAR 0")"
line "$out" INFO "interrupts MSI" | grep -q "not offered" || fail "MSI was offered without VFIO: $(line "$out" INFO "interrupts MSI")"
[ "$(line "$out" PASS "interrupt modes")" = "INTX delivered" ] || fail "interrupt modes: $(line "$out" PASS "interrupt modes")"
dma="$(line "$out" INFO "DMA buffers")"
echo "$dma" | grep -q "mapped into this process" || fail "DMA buffers not mapped: $dma"
buses=($(echo "$dma" | grep -o '0x[0-9a-f]*'))
[ ${#buses[@]} = 2 ] || fail "no two bus addresses in: $dma"
(( (buses[0] >> 21) == (buses[1] >> 21) && buses[0] != buses[1] )) \
  || fail "the two 4 KiB buffers at ${buses[0]} and ${buses[1]} are not carved from one 2 MiB huge page"
grep -q "no IOMMU: .* and every later device reach all of memory" "$tmp/daemon.log" \
  || fail "the daemon did not use its huge-page DMA domain (no 'no IOMMU' warning in its log)"

# The same values as on the emulated machine (which has MSI too: its factorials by MSI have no twin here).
sim="$SIM/edu.out"
grep -q "^edu: all [0-9]* checks passed" "$sim" || fail "the sim's reference run did not pass: $(grep -m1 '^FAIL' "$sim" || tail -1 "$sim")"
for name in identification "liveness 0x00000000" "liveness 0xffffffff" "liveness 0x12345678" \
    "liveness 0xa5a5a5a5" "liveness 0x0000ffff" "factorials by INTX" "DMA at offsets" "no DMA faults"; do
  a="$(line "$out" PASS "$name")"; b="$(line "$sim" PASS "$name")"
  [ -n "$b" ] || fail "no '$name' line in the sim's output"
  [ "$a" = "$b" ] || fail "'$name' differs from the sim: '$a' vs '$b'"
done
a="$(line "$out" PASS "DMA round trip" | sed 's/ in [0-9.]* ms//')"; b="$(line "$sim" PASS "DMA round trip" | sed 's/ in [0-9.]* ms//')"
[ "$a" = "$b" ] || fail "'DMA round trip' differs from the sim: '$a' vs '$b'"
echo "equal to the sim: $(line "$out" PASS "factorials by INTX" | cut -c1-60)...; $(echo "$a" | cut -d';' -f1)"
echo "DMA buffers here: $dma"

stop_daemon
[ "$(pages HugePages_Free)" = "$free_before" ] \
  || fail "$(pages HugePages_Free) huge pages free after the daemon ended, $free_before before: pages leaked"
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
