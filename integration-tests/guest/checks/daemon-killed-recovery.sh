# daemon-killed-recovery: the daemon's own death is survived. platformd --backend linux --take-over edu,display
# (state directory in /tmp) journals both before it binds them to vfio-pci; a client
# (checks/client-java/EduDmaUntilKilled.java, fast path) keeps edu's DMA engine busy; the daemon is SIGKILLed.
# Nothing gives the devices back then: both stay on vfio-pci, edu with bus mastering on (the daemon never opened
# a VFIO device fd for it, so VFIO has nothing to undo). MSI enable is then set on edu from here, as a daemon
# with MSI vectors up could leave it. A fresh daemon (--take-over edu only) finds both in the journal,
# quiesces them through config space (its log; read back from sysfs here: bus master off, MSI off),
# revokes the killed client's BAR mapping, gives the display back to bochs-drm (driver_override empty) and edu to
# no driver, takes edu again and serves the next client (examples/run edu passes). A second daemon on another
# socket with the same state directory is refused, naming the first one's pid.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
client=""
state="$(mktemp -d /tmp/platformd-state.XXXXXX)"
edu="$(pci_slot $EDU)"
fb="$(pci_slot $BOCHS_DISPLAY)"
edu_before="$(driver_of "$edu")"
fb_before="$(driver_of "$fb")"
msi_at="$(capability_at "$edu" 5)"
[ -n "$msi_at" ] || fail "edu has no MSI capability"
msi_control() { config_word "$edu" $((msi_at + 2)); }

trap 'kill -KILL ${client:-} 2>/dev/null || true; stop_daemon; release "$edu"' EXIT
taking_daemon "$tmp/daemon1.log" "$edu" --state-dir "$state" --take-over "$fb"
[ "$(driver_of "$fb")" = vfio-pci ] || fail "the display is on '$(driver_of "$fb")' after --take-over, not vfio-pci"
echo "journal of the first daemon: $(tr '\n' ';' < "$state/taken-over")"
# shellcheck disable=SC2086
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" EduDmaUntilKilled "$DAEMON_SOCKET" \
  > "$tmp/client.out" 2> "$tmp/client.out.err" & client=$!
wait_for_line "$tmp/client.out" "DMA RUNNING" $client "the DMA client did not get its DMA going"
sleep 0.3 # into the next transfers
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
echo "daemon killed (SIGKILL) while the client's DMA ran"
kill -KILL $client; wait $client 2>/dev/null || true; client=""
cmd="$(config_word "$edu" 4)"
echo "left behind: edu on '$(driver_of "$edu")', command 0x$cmd; display on '$(driver_of "$fb")'"
[ "$(driver_of "$edu")" = vfio-pci ] && [ "$(driver_of "$fb")" = vfio-pci ] \
  || fail "nothing to recover: the devices are not on vfio-pci after the kill"
printf "$(printf '\\x%02x' $(( (0x$(msi_control) | 1) & 0xff )))" \
  | dd of="/sys/bus/pci/devices/$edu/config" bs=1 seek=$((msi_at + 2)) conv=notrunc 2> /dev/null
echo "edu MSI control set to 0x$(msi_control) (enable on)"

taking_daemon "$tmp/daemon2.log" "$edu" --state-dir "$state"
grep "left behind" "$tmp/daemon2.log" | sed 's/^.*WARN //'
grep -q "$edu: left behind on vfio-pci by a platformd that died: quiesced (bus master off, INTx disabled, MSI off" \
  "$tmp/daemon2.log" || fail "the fresh daemon did not log quiescing edu as left behind"
grep -q "$fb: left behind on vfio-pci by a platformd that died: .* given back to $fb_before" "$tmp/daemon2.log" \
  || fail "the fresh daemon did not log giving the display back to $fb_before"
cmd="$(config_word "$edu" 4)"
(( (0x$cmd & 0x4) == 0 )) || fail "edu's command register is 0x$cmd after the recovery: bus master on"
(( (0x$(msi_control) & 1) == 0 )) || fail "edu's MSI control is 0x$(msi_control) after the recovery: MSI on"
echo "read from edu's config space after the recovery (and the fresh daemon's take-over): command 0x$cmd (bus master off), MSI control 0x$(msi_control) (off)"
[ "$(driver_of "$fb")" = "$fb_before" ] || fail "the display is on '$(driver_of "$fb")' after the recovery, not $fb_before"
override="$(cat "/sys/bus/pci/devices/$fb/driver_override")"
[ "$override" = "(null)" ] || [ -z "$override" ] || fail "the display's driver_override is '$override' after the recovery"
echo "display back on $fb_before, driver_override empty"

# A second daemon, another socket, the same state directory: refused.
other="$(mktemp -d /tmp/platformd.XXXXXX)/platformd.sock"
rc=0; "$PLATFORMD_HOME/bin/platformd" --socket "$other" --backend linux --state-dir "$state" > "$tmp/daemon3.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a second daemon on the same state directory started"
grep -q "another platformd (pid $DAEMON_PID) holds $state/lock" "$tmp/daemon3.log" \
  || fail "the second daemon was not refused naming the first: $(grep -m1 -i "platformd" "$tmp/daemon3.log")"
echo "second daemon refused: $(grep -m1 -o "another platformd (pid [0-9]*) holds [^ ]*" "$tmp/daemon3.log")"

run_example edu "$tmp/next.out" || true
example_passed "$tmp/next.out" edu
echo "the next client (examples/run edu) passed"
stop_daemon
trap - EXIT
[ "$(driver_of "$edu")" = "$edu_before" ] || fail "edu is on '$(driver_of "$edu")' after the daemon ended, was '$edu_before'"
[ -s "$state/taken-over" ] && fail "the journal is not empty after a clean exit: $(cat "$state/taken-over")"
grep -q "ERROR" "$tmp/daemon2.log" && { grep -m3 ERROR "$tmp/daemon2.log"; fail "the fresh daemon logged errors"; }
true
