# nvme-killed-mid-dma: a client killed while its device does DMA leaves that device quiesced AND reset, and
# the next client works. The device is QEMU's NVMe controller (reset_method flr). A small NVMe driver on the
# client library (checks/client-java/NvmeIdentify.java; fast path: BAR 0 mapped, admin queues and data page
# in mapped DMA buffers behind VFIO IOMMU mappings, MSI-X vector 0 as a VFIO eventfd) enables the controller
# and has it DMA its IDENTIFY page again and again; it is SIGKILLed in the middle of that. The daemon tears
# its session down: bus master off, then the function reset through VFIO_DEVICE_RESET on the interrupt
# session's VFIO fd, then the vectors closed, then the buffers freed. Read through sysfs resource0 before any
# other client touched it, the controller is reset: CC (0x00460001 while the client ran) and CSTS read 0,
# which only a controller reset does (platformd knows nothing of NVMe). The next client enables it again and
# gets the same IDENTIFY page (serial number platformd-flr, from QEMU's command line), and its ResetDevice
# without interrupts on answers "flr (sysfs reset)" and clears CC again.
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
  <policy label="nvme-driver" dma_quota="1M">
    <pci vendor_id="0x1b36" device_id="0x0010"/>
  </policy>
</config>
XML
trap 'kill -KILL ${doomed:-} 2>/dev/null || true; stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot" --policy "$tmp/policy.xml"

reg() { # OFFSET: a 32-bit register of BAR 0 as the device has it, through sysfs resource0
  python3 -c 'import mmap, struct, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 4096)
    print("0x%08x" % struct.unpack_from("<I", m, int(sys.argv[2], 0))[0])' "/sys/bus/pci/devices/$slot/resource0" "$1"
}
driver() { # MODE OUT (exec: in the background its pid is the JVM's, which the check kills)
  # shellcheck disable=SC2086
  exec java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" NvmeIdentify "$1" "$DAEMON_SOCKET" > "$2" 2> "$2.err"
}

driver loop "$tmp/doomed.out" & doomed=$!
wait_for_line "$tmp/doomed.out" "IDENTIFY RUNNING" $doomed "the first client did not get to identify"
cat "$tmp/doomed.out"
grep -q "IDENTIFY RUNNING: vid=0x1b36 sn=platformd-flr mn=QEMU NVMe Ctrl" "$tmp/doomed.out" \
  || fail "the first client's identify: $(grep -m1 'IDENTIFY\|FAIL' "$tmp/doomed.out" || tail -1 "$tmp/doomed.out.err")"
grep -q "fast path true, BAR 0 mapped, DMA buffers mapped .* MSI-X 1 vector(s) by eventfd" "$tmp/doomed.out" \
  || fail "the first client is not on the fast path: $(head -1 "$tmp/doomed.out")"
cc="$(reg 0x14)"; csts="$(reg 0x1c)"
echo "while it runs: CC $cc, CSTS $csts"
[ "$cc" = 0x00460001 ] && [ $((csts & 1)) = 1 ] || fail "the controller is not enabled while the client runs: CC $cc CSTS $csts"
sleep 0.3 # into the next identifies
killed_and_torn_down "$tmp/doomed.out" $doomed "$slot" "$tmp/daemon.log"
grep -q "reset flr (VFIO_DEVICE_RESET) .*session $SESSION closing" "$tmp/daemon.log" \
  || fail "the teardown did not reset the controller by VFIO_DEVICE_RESET (flr): $(grep -m1 "session $SESSION closing" "$tmp/daemon.log")"
cc="$(reg 0x14)"; csts="$(reg 0x1c)"
echo "after the teardown: CC $cc, CSTS $csts"
[ "$cc" = 0x00000000 ] && [ "$csts" = 0x00000000 ] || fail "the controller was not reset by the teardown: CC $cc CSTS $csts"

(driver once "$tmp/next.out") || fail "the next client failed: $(grep -m1 FAIL "$tmp/next.out" || tail -1 "$tmp/next.out.err")"
cat "$tmp/next.out"
grep -q "CC 0x00000000 CSTS 0x00000000" "$tmp/next.out" || fail "the next client found the controller not reset: $(head -1 "$tmp/next.out")"
grep -q "^IDENTIFY vid=0x1b36 sn=platformd-flr mn=QEMU NVMe Ctrl" "$tmp/next.out" \
  || fail "the next client's identify: $(grep -m1 'IDENTIFY' "$tmp/next.out")"
grep -q "^RESET flr (sysfs reset) CC 0x00000000 (0x00460000 before)" "$tmp/next.out" \
  || fail "ResetDevice did not clear CC by flr through sysfs: $(grep '^RESET' "$tmp/next.out")"

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "the controller is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
