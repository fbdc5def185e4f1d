# teardown-device-state: what a killed client leaves, read from the device itself (sysfs config space, not the
# daemon's log). EduDmaUntilKilled (checks/client-java, fast path, MSI enabled, edu's DMA engine busy through two
# mapped buffers behind the IOMMU) is SIGKILLed; after the daemon's teardown edu's command register has bus
# mastering off, its MSI capability has enable off, and INTx is disabled (command bit 10) or no interrupt
# handler owns it (no vfio-intx line in /proc/interrupts). Then the next session (EduOverRpc dma-to, no buffer
# of its own) turns bus mastering on and has edu DMA to the killed client's old buffer's bus address: the IOMMU
# refuses it (the kernel logs the DMAR fault at that address) instead of the write landing.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
doomed=""
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
msi_at="$(capability_at "$slot" 5)"
[ -n "$msi_at" ] || fail "edu has no MSI capability"
trap 'kill -KILL ${doomed:-} 2>/dev/null || true; stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot"

# shellcheck disable=SC2086
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" EduDmaUntilKilled "$DAEMON_SOCKET" edu-driver msi \
  > "$tmp/doomed.out" 2> "$tmp/doomed.out.err" & doomed=$!
wait_for_line "$tmp/doomed.out" "DMA RUNNING" $doomed "the DMA client did not get its DMA going"
grep -m1 "^session " "$tmp/doomed.out"
old="$(sed -n 's/^session .* at \(0x[0-9a-f]*\) and \(0x[0-9a-f]*\)$/\2/p' "$tmp/doomed.out" | head -1)"
[ -n "$old" ] || fail "no buffer bus address in the client's first line"
msi="$(config_word "$slot" $((msi_at + 2)))"
(( (0x$msi & 1) == 1 )) || fail "edu's MSI is off (control 0x$msi) while the client runs: nothing to prove"
echo "while the client ran: command 0x$(config_word "$slot" 4), MSI control 0x$msi"
sleep 0.3 # into the next transfers
killed_and_torn_down "$tmp/doomed.out" $doomed "$slot" "$tmp/daemon.log"
doomed=""
command="$(config_word "$slot" 4)"
msi="$(config_word "$slot" $((msi_at + 2)))"
(( (0x$msi & 1) == 0 )) || fail "edu's MSI control is 0x$msi after the teardown: MSI still enabled"
if (( (0x$command & 0x400) != 0 )); then
  intx="INTx disabled (command bit 10)"
elif grep -q "vfio-intx($slot)\|uio.*$slot" /proc/interrupts; then
  fail "edu's INTx is enabled (command 0x$command) and a handler still owns it: $(grep "$slot" /proc/interrupts)"
else
  intx="INTx not disabled but unowned (no handler for $slot in /proc/interrupts)"
fi
echo "read from edu after the teardown: command 0x$command (bus master off), MSI control 0x$msi (off), $intx"

faults_before="$(dmesg | grep -c "DMAR: .*fault addr $old " || true)"
cp="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar:$PLATFORMD_HOME/platform-driver/target/lib/*"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CHECK_CLASSES:$cp" EduOverRpc "$DAEMON_SOCKET" \
  edu-driver 0000:00:00.0 dma-to "$old" > "$tmp/next.out" 2> "$tmp/next.err" || true
cat "$tmp/next.out"
grep -q '^PASS$' "$tmp/next.out" || fail "next session: $(grep -m1 '^FAIL' "$tmp/next.out" || tail -1 "$tmp/next.err")"
for _ in $(seq 1 20); do
  [ "$(dmesg | grep -c "DMAR: .*fault addr $old " || true)" -gt "$faults_before" ] && break
  sleep 0.5
done
dmesg | grep "DMAR: .*fault addr $old " | tail -2
[ "$(dmesg | grep -c "DMAR: .*fault addr $old " || true)" -gt "$faults_before" ] \
  || fail "no IOMMU fault at $old: edu's DMA to the killed client's old buffer was not refused"
echo "edu's DMA to the killed client's old buffer ($old) faulted at the IOMMU"
stop_daemon
trap - EXIT
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
