# edu-vfio: the daemon on --backend linux takes QEMU's edu from the kernel (--take-over: bound to vfio-pci)
# and a client on the RPC path drives the real device through it (checks/java/EduOverRpc.java): ID and
# liveness registers through the mapped BAR, 13 factorials each completed by an INTx interrupt (VFIO
# eventfd, automasked, unmasked by AckInterrupt), an MSI, and a 2 KiB DMA round trip RAM -> edu -> RAM
# through the IOMMU (memfd buffers mapped with VFIO_IOMMU_MAP_DMA). Then a client is killed (SIGKILL)
# while it keeps edu's DMA engine busy: the daemon tears its session down (bus master off, interrupts
# off, group out of the container, buffers unmapped and freed), and the next client passes everything
# again in a fresh container. At exit the daemon gives edu back.
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
java_client=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CHECK_CLASSES:$cp" EduOverRpc
  "$DAEMON_SOCKET" edu-driver 0000:00:00.0)
client() { # NAME: runs EduOverRpc, output in $tmp/NAME.out/.err
  "${java_client[@]}" > "$tmp/$1.out" 2> "$tmp/$1.err"
}
passes() { # NAME: the client NAME printed PASS, or the check fails with its reason
  cat "$tmp/$1.out"
  grep -q '^PASS$' "$tmp/$1.out" || fail "$1: $(grep -m1 '^FAIL' "$tmp/$1.out" || tail -1 "$tmp/$1.err")"
}
client first || true
passes first

"${java_client[@]}" dma-until-killed > "$tmp/doomed.out" 2> "$tmp/doomed.err" & doomed=$! # java's own pid
for i in $(seq 1 240); do
  grep -q "DMA RUNNING" "$tmp/doomed.out" 2>/dev/null && break
  kill -0 $doomed 2>/dev/null || fail "the DMA client ended by itself: $(tail -1 "$tmp/doomed.out") $(tail -1 "$tmp/doomed.err")"
  sleep 0.5
done
grep -q "DMA RUNNING" "$tmp/doomed.out" || fail "the DMA client did not get its DMA going within 120 s"
kill -KILL $doomed; wait $doomed 2>/dev/null || true
echo "client killed (SIGKILL) with edu's DMA engine busy"
for i in $(seq 1 120); do
  [ "$(grep -c "closed session" "$tmp/daemon.log")" -ge 2 ] && break
  sleep 0.5
done
[ "$(grep -c "closed session" "$tmp/daemon.log")" -ge 2 ] || fail "the daemon did not tear the killed client's session down"
grep "closed session" "$tmp/daemon.log" | tail -1 | sed 's/.*closed session/  closed session/' | cut -c1-160
client after || true
passes after

stop_daemon
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
echo "daemon ended; edu given back (driver: '${before:-none}')"
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
