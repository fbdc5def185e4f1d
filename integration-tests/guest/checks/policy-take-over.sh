# policy-take-over: the daemon on --backend linux takes a device from its kernel driver because the policy
# marks it (driver_override="yes" on the Bochs display's <pci> selector, no --take-over flag), and only while
# a session holds it: at start the display stays on the driver it had; while examples/run framebuffer
# holds it (label fb-driver, --hold-until) it is on vfio-pci; when the example releases it the daemon gives
# it back — the daemon still running — and a device granted without the mark (edu) never moves.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
example=""
fb="$(pci_slot $BOCHS_DISPLAY)"
edu="$(pci_slot $EDU)"
fb_before="$(driver_of "$fb")"
edu_before="$(driver_of "$edu")"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="fb-driver" dma_quota="0"><pci vendor_id="0x1234" device_id="0x1111" driver_override="yes"/></policy>
  <policy label="edu-driver"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
</config>
XML
trap 'kill ${example:-} 2>/dev/null || true; stop_daemon' EXIT
start_daemon "$tmp/daemon.log" "${EXAMPLES_DAEMON_FLAGS[@]}" --policy "$tmp/policy.xml"
[ "$(driver_of "$fb")" = "$fb_before" ] \
  || fail "display at $fb moved to '$(driver_of "$fb")' at start: a policy mark takes it only while a session holds it"
echo "at start: display at $fb on '${fb_before:-no driver}', edu at $edu on '${edu_before:-no driver}'"

out="$tmp/framebuffer.out"
run_example framebuffer "$out" --label fb-driver --out "$tmp/framebuffer.png" --hold-until "$tmp/release" & example=$!
wait_for_line "$out" "^INFO  holding" $example "the example did not get to hold the display"
held="$(driver_of "$fb")"
echo "while the example holds it: display on '$held'"
[ "$held" = vfio-pci ] || fail "display at $fb is on '$held' while held under driver_override=\"yes\", not vfio-pci"
grep -q "policy marks $fb driver_override=\"yes\": taking it from its kernel driver while it is held" "$tmp/daemon.log" \
  || fail "the daemon did not log why it took $fb"
touch "$tmp/release"
rc=0; wait $example || rc=$?
example=""
example_passed "$out" framebuffer
for _ in $(seq 1 20); do [ "$(driver_of "$fb")" = "$fb_before" ] && break; sleep 0.5; done
[ "$(driver_of "$fb")" = "$fb_before" ] \
  || fail "display at $fb is on '$(driver_of "$fb")' after the example released it, not back on '${fb_before:-no driver}'"
grep -q "gave back $fb on vfio-pci" "$tmp/daemon.log" || fail "the daemon did not log giving $fb back"
echo "released: display back on '${fb_before:-no driver}' with the daemon still running"
[ "$(driver_of "$edu")" = "$edu_before" ] \
  || fail "edu at $edu moved from '$edu_before' to '$(driver_of "$edu")' without driver_override in the policy"
stop_daemon
trap - EXIT
[ "$(driver_of "$fb")" = "$fb_before" ] || fail "display at $fb is on '$(driver_of "$fb")' after the daemon exited"
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
