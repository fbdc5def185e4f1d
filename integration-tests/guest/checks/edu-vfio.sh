# edu-vfio: the daemon on --backend linux takes QEMU's edu from the kernel (--take-over: bound to vfio-pci)
# and a client on the RPC path drives the real device through it (checks/java/EduOverRpc.java): ID and
# liveness registers through the mapped BAR, 13 factorials each completed by an INTx interrupt (VFIO
# eventfd, automasked, unmasked by AckInterrupt), an MSI, and a 2 KiB DMA round trip RAM -> edu -> RAM
# through the IOMMU (memfd buffers mapped with VFIO_IOMMU_MAP_DMA). At exit the daemon gives edu back.
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="edu-driver" dma_quota="1M">
    <pci vendor_id="0x1234" device_id="0x11e8"/>
  </policy>
</config>
XML
trap 'stop_daemon; release "$slot"' EXIT
start_daemon "$tmp/daemon.log" --backend linux --take-over "$slot" --policy "$tmp/policy.xml"
[ "$(driver_of "$slot")" = vfio-pci ] || fail "edu at $slot is on '$(driver_of "$slot")' after --take-over, not vfio-pci"
echo "edu at $slot taken over: vfio-pci"

cp="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar:$PLATFORMD_HOME/platform-driver/target/lib/*"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" "$(dirname "$0")/java/EduOverRpc.java" "$DAEMON_SOCKET" edu-driver 0000:00:00.0 \
  > "$tmp/client.out" 2> "$tmp/client.err" || true
cat "$tmp/client.out"
grep -q '^PASS$' "$tmp/client.out" \
  || fail "$(grep -m1 '^FAIL' "$tmp/client.out" || tail -1 "$tmp/client.err")"

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
echo "daemon ended; edu given back (driver: '${before:-none}')"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
