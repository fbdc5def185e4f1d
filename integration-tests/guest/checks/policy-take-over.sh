# policy-take-over: the daemon on --backend linux takes a device from its kernel driver because the policy
# marks it (driver_override="yes" on the Bochs display's <pci> selector, no --take-over flag): the display
# is on vfio-pci while the daemon runs, a device granted without the mark (edu) keeps its driver, and at
# exit the display goes back to the driver it had.
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
fb="$(pci_slot $BOCHS_DISPLAY)"
edu="$(pci_slot $EDU)"
fb_before="$(driver_of "$fb")"
edu_before="$(driver_of "$edu")"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="fb-driver"><pci vendor_id="0x1234" device_id="0x1111" driver_override="yes"/></policy>
  <policy label="edu-driver"><pci vendor_id="0x1234" device_id="0x11e8"/></policy>
</config>
XML
trap 'stop_daemon' EXIT
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml"
[ "$(driver_of "$fb")" = vfio-pci ] \
  || fail "display at $fb is on '$(driver_of "$fb")' with driver_override=\"yes\" in the policy, not vfio-pci"
[ "$(driver_of "$edu")" = "$edu_before" ] \
  || fail "edu at $edu moved from '$edu_before' to '$(driver_of "$edu")' without driver_override in the policy"
grep -q "policy marks $fb driver_override" "$tmp/daemon.log" || fail "the daemon did not log why it took $fb"
echo "display at $fb taken over by policy: vfio-pci; edu at $edu left on '${edu_before:-no driver}'"
stop_daemon
[ "$(driver_of "$fb")" = "$fb_before" ] \
  || fail "display at $fb is on '$(driver_of "$fb")' after the daemon exited, not back on '${fb_before:-no driver}'"
echo "display at $fb back on '${fb_before:-no driver}' after exit"
