# reset-flr: teardown resets a device for real. QEMU's NVMe controller has a function-level reset (its
# reset_method is flr) and keeps its CC register (BAR 0 + 0x14) through everything but a controller
# reset. A client (checks/client-java/NvmeResetProbe.java) acquires it through the daemon on --backend
# linux (--take-over: vfio-pci), turns MSI-X on, writes CC = 0x00460000 and is killed with SIGKILL; the
# value is in the device then (read here through sysfs resource0). The daemon's teardown resets the
# function through VFIO_DEVICE_RESET on the interrupt session's VFIO fd before it closes the vectors, and
# CC reads 0 afterwards, before any other client touched the device. A second client then finds CC 0 and
# resets it once more by ResetDevice (no interrupts on: through sysfs reset), which clears CC again.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
doomed=""
slot="$(pci_slot 1b36 0010)"
before="$(driver_of "$slot")"
[ "$(cat "/sys/bus/pci/devices/$slot/reset_method")" = flr ] \
  || fail "the NVMe controller's reset_method is '$(cat "/sys/bus/pci/devices/$slot/reset_method")', not flr"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="nvme-driver" dma_quota="0">
    <pci vendor_id="0x1b36" device_id="0x0010"/>
  </policy>
</config>
XML
trap 'kill -KILL ${doomed:-} 2>/dev/null || true; stop_daemon; release "$slot"' EXIT
start_daemon "$tmp/daemon.log" "${EXAMPLES_DAEMON_FLAGS[@]}" --policy "$tmp/policy.xml" --take-over "$slot"
[ "$(driver_of "$slot")" = vfio-pci ] || fail "the NVMe controller is on '$(driver_of "$slot")' after --take-over, not vfio-pci"

cc() { # CC as the device has it, through sysfs resource0 (memory decode is on while a client holds it)
  python3 -c 'import mmap, struct, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 4096)
    print("0x%08x" % struct.unpack_from("<I", m, 0x14)[0])' "/sys/bus/pci/devices/$slot/resource0"
}
probe() { # MODE OUT (exec: run in the background, its pid is the JVM's, which the check kills)
  # shellcheck disable=SC2086
  exec java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" NvmeResetProbe "$1" "$DAEMON_SOCKET" > "$2" 2> "$2.err"
}

probe dirty "$tmp/dirty.out" & doomed=$!
for _ in $(seq 1 240); do
  grep -q "CC WRITTEN" "$tmp/dirty.out" 2>/dev/null && break
  kill -0 $doomed 2>/dev/null || fail "the first client ended by itself: $(tail -1 "$tmp/dirty.out") $(tail -1 "$tmp/dirty.out.err")"
  sleep 0.5
done
cat "$tmp/dirty.out"
grep -q "CC WRITTEN 0x00460000" "$tmp/dirty.out" || fail "the first client did not write CC: $(tail -1 "$tmp/dirty.out")"
grep -q "fast path true, BAR 0 mapped" "$tmp/dirty.out" || fail "not on the fast path: $(head -1 "$tmp/dirty.out")"
held="$(cc)"
[ "$held" = 0x00460000 ] || fail "CC reads $held in the device while the client holds it, not 0x00460000"
echo "CC in the device while the client holds it: $held"
kill -KILL $doomed; wait $doomed 2>/dev/null || true
session="$(sed -n 's/^session \([0-9a-f]*\),.*/\1/p' "$tmp/dirty.out" | head -1)"
[ -n "$session" ] || fail "no session id in the first client's output"
for _ in $(seq 1 120); do
  grep -q "closed session $session" "$tmp/daemon.log" && break
  sleep 0.5
done
grep -q "closed session $session" "$tmp/daemon.log" || fail "the daemon did not close the killed client's session within 60 s"
grep "reset .*session $session closing" "$tmp/daemon.log" | sed 's/^.*device /device /'
grep -q "reset flr (VFIO_DEVICE_RESET) .*session $session closing" "$tmp/daemon.log" \
  || fail "the teardown did not reset the controller by VFIO_DEVICE_RESET (flr): $(grep -m1 "session $session closing" "$tmp/daemon.log")"
after="$(cc)"
echo "CC after the teardown: $after"
[ "$after" = 0x00000000 ] || fail "CC reads $after after the teardown's reset: the controller was not reset"

(probe clean "$tmp/clean.out") || fail "the second client failed: $(tail -1 "$tmp/clean.out") $(tail -1 "$tmp/clean.out.err")"
cat "$tmp/clean.out"
grep -q "^CC 0x00000000" "$tmp/clean.out" || fail "the second client found CC $(sed -n 's/^CC //p' "$tmp/clean.out")"
grep -q "^RESET flr (sysfs reset) CC 0x00000000 (0x00460000 before)" "$tmp/clean.out" \
  || fail "ResetDevice did not clear CC by flr through sysfs: $(grep '^RESET' "$tmp/clean.out")"

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "the controller is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
