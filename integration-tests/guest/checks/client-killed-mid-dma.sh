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
start_daemon "$tmp/daemon.log" "${EXAMPLES_DAEMON_FLAGS[@]}" --take-over "$slot"
[ "$(driver_of "$slot")" = vfio-pci ] || fail "edu at $slot is on '$(driver_of "$slot")' after --take-over, not vfio-pci"

# shellcheck disable=SC2086
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" EduDmaUntilKilled "$DAEMON_SOCKET" \
  > "$tmp/doomed.out" 2> "$tmp/doomed.err" & doomed=$!
for _ in $(seq 1 360); do
  grep -q "DMA RUNNING" "$tmp/doomed.out" 2>/dev/null && break
  kill -0 $doomed 2>/dev/null || fail "the DMA client ended by itself: $(tail -1 "$tmp/doomed.out") $(tail -1 "$tmp/doomed.err")"
  sleep 0.5
done
grep -q "DMA RUNNING" "$tmp/doomed.out" || fail "the DMA client did not get its DMA going within 180 s"
grep -m1 "^session " "$tmp/doomed.out"
grep -q "fast path true, BAR 0 mapped, DMA buffers mapped" "$tmp/doomed.out" \
  || fail "the DMA client is not on the fast path: $(grep -m1 "^session " "$tmp/doomed.out")"
sleep 0.3 # into the next transfers (each takes edu 100 ms)
kill -KILL $doomed; wait $doomed 2>/dev/null || true
echo "client killed (SIGKILL) during its transfers: $(tail -1 "$tmp/doomed.out")"
session="$(sed -n 's/^session \([0-9a-f]*\),.*/\1/p' "$tmp/doomed.out" | head -1)"
[ -n "$session" ] || fail "no session id in the client's output"
for _ in $(seq 1 120); do
  grep -q "closed session $session" "$tmp/daemon.log" && break
  sleep 0.5
done
grep "$session" "$tmp/daemon.log" | sed 's/^[0-9:.]* \[[^]]*\] [A-Z]* [a-zA-Z.]*\.//' | cut -c1-220
grep -q "closed session $session" "$tmp/daemon.log" || fail "the daemon did not close the killed client's session within 60 s"
grep -q "bus master and interrupts off, reset .*session $session closing" "$tmp/daemon.log" \
  || fail "no quiesce of edu logged for the killed client's session"
grep -q "session $session: freed [0-9]* bytes of DMA buffers after its devices were quiesced" "$tmp/daemon.log" \
  || fail "the killed client's DMA buffers were not freed after the quiesce"
command="$(od -An -tx2 -j4 -N2 "/sys/bus/pci/devices/$slot/config" | tr -d ' ')"
(( (0x$command & 0x4) == 0 )) || fail "edu's command register is 0x$command after the teardown: bus mastering still on"
echo "edu's command register after the teardown: 0x$command (bus master off)"

run_example edu "$tmp/next.out" || true
cat "$tmp/next.out"
example_passed "$tmp/next.out" edu

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
