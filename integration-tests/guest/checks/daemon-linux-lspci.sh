# daemon-linux-lspci: the daemon on --backend linux enumerates the guest's real bus (sysfs) and serves it:
# `platformctl lspci --label` over the daemon's socket, with a policy granting every function to that
# label, shows each device of the guest's `lspci -nn` with the same line (virtual slots renumber the bus,
# so the slot column is left out; IDs, classes, names and revisions come through the daemon's
# virtualized config space). The daemon's start-up summary names what the guest kernel offers.
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="whole-bus" dma_quota="0">
    <pci class="0x000000" class_mask="0x000000"/>
  </policy>
</config>
XML
trap stop_daemon EXIT
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml"
grep "linux backend:" "$tmp/daemon.log" | sed 's/.*linux backend: /  /'
grep -q "linux backend: interrupts INTx/MSI/MSI-X and IOMMU DMA: VFIO" "$tmp/daemon.log" \
  || fail "the daemon reports VFIO unavailable in the guest: $(grep -m1 'VFIO: UNAVAILABLE' "$tmp/daemon.log")"

"$PLATFORMD_HOME/bin/platformctl" lspci --socket "$DAEMON_SOCKET" --label whole-bus > "$tmp/ours" 2> "$tmp/ours.err" \
  || fail "platformctl lspci --label failed: $(tail -1 "$tmp/ours.err")"
lspci -nn > "$tmp/lspci"
cut -d' ' -f2- "$tmp/lspci" > "$tmp/lspci.noslot"
cut -d' ' -f2- "$tmp/ours" > "$tmp/ours.noslot"
if ! cmp -s "$tmp/lspci.noslot" "$tmp/ours.noslot"; then
  diff "$tmp/lspci.noslot" "$tmp/ours.noslot" || true
  fail "the daemon's bus differs from lspci -nn: $(diff "$tmp/lspci.noslot" "$tmp/ours.noslot" | grep -m1 '^[<>]')"
fi
grep -q "\[1234:11e8\]" "$tmp/ours" || fail "edu missing from the daemon's bus"
echo "all $(wc -l < "$tmp/ours") devices of lspci -nn served by the daemon on --backend linux, lines equal"
stop_daemon
trap - EXIT
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
