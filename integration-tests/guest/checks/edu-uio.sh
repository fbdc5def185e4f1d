# edu-uio: the linux backend's UIO interrupt path on the real edu: edu bound to uio_pci_generic (by this
# check, not the daemon: the daemon takes only what --take-over names, and prefers vfio-pci), the daemon on
# --backend linux drives it, and a client on the RPC path computes 0!..12!, each completion delivered as
# INTx through /dev/uioN (the kernel masks the pin with INTx-disable; AckInterrupt clears it again). Then it
# asks for bus mastering and is refused (FAILED_PRECONDITION): the guest's IOMMU translates edu's DMA and
# only VFIO could map the session's buffers for it, which the refusal says.
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
slot="$(pci_slot $EDU)"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="edu-driver" dma_quota="0">
    <pci vendor_id="0x1234" device_id="0x11e8"/>
  </policy>
</config>
XML
trap 'stop_daemon; release "$slot"' EXIT
bind_with "$slot" uio_pci_generic
echo "edu at $slot bound to uio_pci_generic ($(ls "/sys/bus/pci/devices/$slot/uio"))"
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml"

cp="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar:$PLATFORMD_HOME/platform-driver/target/lib/*"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CHECK_CLASSES:$cp" EduOverRpc "$DAEMON_SOCKET" \
  edu-driver 0000:00:00.0 intx-only > "$tmp/client.out" 2> "$tmp/client.err" || true
cat "$tmp/client.out"
grep -q '^PASS$' "$tmp/client.out" \
  || fail "$(grep -m1 '^FAIL' "$tmp/client.out" || tail -1 "$tmp/client.err")"
stop_daemon
[ "$(driver_of "$slot")" = uio_pci_generic ] || fail "the daemon changed edu's driver to '$(driver_of "$slot")'"
release "$slot"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
