# edu-iommu-fault: an IOMMU fault reaches the driver that caused it. A client (checks/client-java/
# EduDmaFault.java, client library, SessionListener) has edu, on vfio-pci through the daemon on --backend
# linux (--take-over, shipped policy), read from a bus address nothing is mapped at. The guest's IOMMU
# refuses it and its kernel logs the DMAR fault; the daemon reads the kernel log (/dev/kmsg), knows edu is
# held by that session, and sends it a DmaFault event with the address, the direction and the IOMMU's
# reason; the client prints it. A read of its own buffer afterwards faults nothing.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
trap 'stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot"
grep -q "IOMMU faults: read from the kernel log" "$tmp/daemon.log" \
  || fail "the daemon does not read IOMMU faults: $(grep -m1 'IOMMU faults' "$tmp/daemon.log")"

# shellcheck disable=SC2086
java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" EduDmaFault "$DAEMON_SOCKET" > "$tmp/client.out" 2> "$tmp/client.err" \
  || fail "$(grep -m1 FAIL "$tmp/client.out" || tail -1 "$tmp/client.err")"
cat "$tmp/client.out"
grep -q "^DMA FAULT .* read 0xff00000: IOMMU fault (Intel VT-d) reason 0x[0-9a-f]*: " "$tmp/client.out" \
  || fail "the client's DmaFault event: $(grep -m1 'DMA FAULT' "$tmp/client.out")"
grep -q "^mapped read: no fault" "$tmp/client.out" || fail "no clean read of the client's own buffer"
echo "the kernel's line: $(dmesg | grep -m1 'fault addr 0xff00000')"
dmesg | grep -q "Request device \[${slot#0000:}\] fault addr 0xff00000" || fail "no DMAR fault for edu in the kernel log"
grep -q "DMA fault on .*0xff00000" "$tmp/daemon.log" || fail "the daemon did not log the fault against the session"

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
