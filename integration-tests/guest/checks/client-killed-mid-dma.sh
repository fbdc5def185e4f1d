# client-killed-mid-dma: a client (checks/client-java/EduDmaUntilKilled.java, compiled on the host) acquires edu
# through the daemon on --backend linux (--take-over, shipped default policy, label edu-driver) with the fast
# path and keeps edu's DMA engine busy (2 KiB RAM -> edu -> RAM, mapped memfd buffers behind VFIO IOMMU
# mappings) until it is killed with SIGKILL. Then the daemon has torn its session down in DESIGN.md's order
# (bus master and interrupts off, reset where edu offers one, DMA buffers freed after the quiesce), edu's
# command register shows bus mastering off, and the next client, examples/run edu, passes every check.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
doomed=""
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
trap 'kill -KILL ${doomed:-} 2>/dev/null || true; stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot"

# shellcheck disable=SC2086
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" EduDmaUntilKilled "$DAEMON_SOCKET" \
  > "$tmp/doomed.out" 2> "$tmp/doomed.out.err" & doomed=$!
wait_for_line "$tmp/doomed.out" "DMA RUNNING" $doomed "the DMA client did not get its DMA going"
grep -m1 "^session " "$tmp/doomed.out"
grep -q "fast path true, BAR 0 mapped, DMA buffers mapped" "$tmp/doomed.out" \
  || fail "the DMA client is not on the fast path: $(grep -m1 "^session " "$tmp/doomed.out")"
sleep 0.3 # into the next transfers (each takes edu 100 ms)
killed_and_torn_down "$tmp/doomed.out" $doomed "$slot" "$tmp/daemon.log"
grep -q "bus master and interrupts off, reset .*session $SESSION closing" "$tmp/daemon.log" \
  || fail "no quiesce of edu logged for the killed client's session"

run_example edu "$tmp/next.out" || true
cat "$tmp/next.out"
example_passed "$tmp/next.out" edu

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
