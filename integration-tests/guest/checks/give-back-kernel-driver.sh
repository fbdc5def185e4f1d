# give-back-kernel-driver: a device taken from a real kernel driver goes back to it. The Bochs display, on
# bochs-drm since boot, is marked driver_override="yes" in the policy (no --take-over): a client
# (checks/client-java/HoldUntilKilled.java, client library, BAR 0 mapped) acquires it, it moves to vfio-pci; the
# client releases it (ends normally) and it is back on bochs-drm with an empty driver_override, the daemon
# still running; a second client acquires it again and is SIGKILLed: the daemon ends its session and gives the
# display back to bochs-drm again, driver_override empty. The daemon revokes the clients' BAR mappings first
# (it logs it), which is what lets a kernel driver have the device back at release.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
holder=""
fb="$(pci_slot $BOCHS_DISPLAY)"
driver="$(driver_of "$fb")"
[ -n "$driver" ] || fail "the display at $fb has no kernel driver at start (is bochs in the initramfs?)"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="fb-driver" dma_quota="0"><pci vendor_id="0x1234" device_id="0x1111" driver_override="yes"/></policy>
</config>
XML
trap 'kill -KILL ${holder:-} 2>/dev/null || true; stop_daemon' EXIT
start_daemon "$tmp/daemon.log" "${EXAMPLES_DAEMON_FLAGS[@]}" --policy "$tmp/policy.xml"
[ "$(driver_of "$fb")" = "$driver" ] || fail "the display moved to '$(driver_of "$fb")' at start"

hold() { # OUT: HoldUntilKilled on the display in the background (pid in $holder), waits until it holds it
  # shellcheck disable=SC2086
  java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" HoldUntilKilled "$DAEMON_SOCKET" fb-driver 1234:1111 \
    "$tmp/release" > "$1" 2> "$1.err" & holder=$!
  wait_for_line "$1" "^HOLDING" $holder "the client did not get to hold the display"
  cat "$1"
  [ "$(driver_of "$fb")" = vfio-pci ] || fail "the display is on '$(driver_of "$fb")' while held, not vfio-pci"
}
given_back() { # WHEN: the display is back on its driver with an empty driver_override (waits up to 60 s)
  local override
  for _ in $(seq 1 120); do [ "$(driver_of "$fb")" = "$driver" ] && break; sleep 0.5; done
  [ "$(driver_of "$fb")" = "$driver" ] || fail "$1: the display is on '$(driver_of "$fb")', not back on $driver"
  override="$(cat "/sys/bus/pci/devices/$fb/driver_override")"
  [ "$override" = "(null)" ] || [ -z "$override" ] || fail "$1: driver_override is '$override', not empty"
  echo "$1: display back on $driver, driver_override empty"
}

rm -f "$tmp/release"
hold "$tmp/first.out"
touch "$tmp/release"; wait $holder 2>/dev/null || true; holder=""
grep -q "^RELEASED" "$tmp/first.out" || fail "the first client did not release the display: $(tail -1 "$tmp/first.out.err")"
rm -f "$tmp/release"
given_back "after the first client ended"
hold "$tmp/second.out"
kill -KILL $holder; wait $holder 2>/dev/null || true; holder=""
echo "second client killed (SIGKILL)"
given_back "after the second client was killed"
kill -0 "$DAEMON_PID" || fail "the daemon is not running any more"
grep -c "revoked every client mapping and fd of its BARs" "$tmp/daemon.log" | grep -qx 2 \
  || fail "the daemon did not log revoking the clients' BAR mappings twice"
[ "$(grep -c "gave back $fb on vfio-pci (was $driver)" "$tmp/daemon.log")" = 2 ] \
  || fail "the daemon did not log giving $fb back to $driver twice"
stop_daemon
trap - EXIT
[ "$(driver_of "$fb")" = "$driver" ] || fail "the display is on '$(driver_of "$fb")' after the daemon exited"
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
