# nvme-msix-vectors: MSI-X with several vectors and per-vector masking, on QEMU's NVMe controller through
# platformd --backend linux (VFIO). A small NVMe driver on the client library (checks/client-java/NvmeMsix.java)
# enables three MSI-X vectors, each passed to it as its own VFIO eventfd, puts the admin queue on vector 0 and
# two I/O queue pairs on vectors 1 and 2: a command on queue 1 fires vector 1's eventfd and no other, one on
# queue 2 fires vector 2's. With vector 2 masked in the MSI-X table (through the mapped BAR 0), queue 2's
# completion is posted but vector 2's eventfd stays silent and its Pending Bit is set, while queue 1 still
# fires vector 1; unmasked, the held message fires vector 2's eventfd and the pending bit clears.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
slot="$(pci_slot 1b36 0010)"
before="$(driver_of "$slot")"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="nvme-driver" dma_quota="1M">
    <pci vendor_id="0x1b36" device_id="0x0010"/>
  </policy>
</config>
XML
trap 'stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot" --policy "$tmp/policy.xml"

msix="$(capability_at "$slot" 17)"
[ -n "$msix" ] || fail "the NVMe controller at $slot has no MSI-X capability"
echo "MSI-X capability at 0x$(printf %x "$msix"): table size $(( (0x$(config_word "$slot" $((msix + 2))) & 0x7ff) + 1 ))"

# shellcheck disable=SC2086
rc=0
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" NvmeMsix "$DAEMON_SOCKET" > "$tmp/msix.out" 2> "$tmp/msix.out.err" || rc=$?
cat "$tmp/msix.out"
[ $rc = 0 ] || fail "$(grep -m1 '^FAIL' "$tmp/msix.out" || tail -1 "$tmp/msix.out.err" 2>/dev/null || echo "NvmeMsix exited $rc")"
grep -q "^MSIX PASS" "$tmp/msix.out" || fail "NvmeMsix ended without MSIX PASS: $(tail -1 "$tmp/msix.out")"
grep -q "fast path true, BAR 0 mapped .* MSI-X 3 of [0-9]* vectors by eventfd" "$tmp/msix.out" \
  || fail "not three MSI-X vectors by eventfd on the fast path: $(head -1 "$tmp/msix.out")"
for q in 1 2; do
  grep -q "^QUEUE $q: vector $q fired" "$tmp/msix.out" || fail "no line for queue $q's vector"
done
grep -q "^MASKED vector 2: .*pending in the PBA; queue 1 still fires vector 1" "$tmp/msix.out" || fail "no masking line"
grep -q "^UNMASKED vector 2: its eventfd fired" "$tmp/msix.out" || fail "no unmasking line"

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "the controller is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
