# kernel-driver-read-only: a device its kernel driver drives, granted to a label without driver_override, is
# read-only through the daemon, all of it: the Bochs display on bochs-drm (two memory BARs) and a PCI 16550 on
# 8250_pci (driver "serial", an I/O BAR) — config writes, register writes, port writes and BAR exports are all
# refused (FAILED_PRECONDITION) naming the driver (checks/java/ReadOnlyProbe.java); config and port reads work.
# Both stay on their drivers throughout.
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
fb="$(pci_slot $BOCHS_DISPLAY)"
serial="$(pci_slot $PCI_SERIAL)"
fb_driver="$(driver_of "$fb")"
serial_driver="$(driver_of "$serial")"
[ -n "$fb_driver" ] || fail "the display at $fb has no kernel driver (is bochs in the initramfs?)"
[ -n "$serial_driver" ] || fail "the PCI serial port at $serial has no kernel driver"
echo "display $fb on $fb_driver, serial port $serial on $serial_driver"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="reader" dma_quota="0">
    <pci vendor_id="0x1234" device_id="0x1111"/>
    <pci vendor_id="0x1b36" device_id="0x0002"/>
  </policy>
</config>
XML
trap 'stop_daemon' EXIT
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml"
cp="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar:$PLATFORMD_HOME/platform-driver/target/lib/*"
probe() { # IDS DRIVER NAME
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CHECK_CLASSES:$cp" ReadOnlyProbe "$DAEMON_SOCKET" reader \
    "$1" "$2" > "$tmp/$3.out" 2> "$tmp/$3.err" || true
  cat "$tmp/$3.out"
  grep -q '^PASS$' "$tmp/$3.out" || fail "$3: $(grep -m1 '^FAIL' "$tmp/$3.out" || tail -1 "$tmp/$3.err")"
}
probe 1234:1111 "$fb_driver" display
probe 1b36:0002 "$serial_driver" serial
grep -q "port read" "$tmp/serial.out" || fail "serial: no I/O BAR read"
stop_daemon
trap - EXIT
[ "$(driver_of "$fb")" = "$fb_driver" ] || fail "the display moved to '$(driver_of "$fb")'"
[ "$(driver_of "$serial")" = "$serial_driver" ] || fail "the serial port moved to '$(driver_of "$serial")'"
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
