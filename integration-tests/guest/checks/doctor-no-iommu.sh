# guest: no-iommu
# doctor-no-iommu: `platformctl doctor` on the machine without an IOMMU, next to a daemon on --backend linux,
# says what is true there: IOMMU off (WARN, with the boot flag as fix), groups not checked (WARN), VFIO not
# needed, uio_pci_generic loaded, memlock irrelevant without VFIO, the 16 huge pages reserved at boot serving
# the policy's dma_unprotected="yes" grant, /dev/port, CONFIG_IO_STRICT_DEVMEM=y and the socket OK; the
# policy WARN (its dma_unprotected="yes" is a policy warning: without an IOMMU that device reaches all of
# memory — the grant this machine needs, said aloud); no FAIL, exit 0.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/doctor.sh"

tmp="$CHECK_FILES"
[ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] || fail "this guest has IOMMU groups: it is not the no-iommu machine"
pci_slot $EDU > /dev/null
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="edu-driver" dma_quota="4M"><pci vendor_id="0x1234" device_id="0x11e8" dma_unprotected="yes"/></policy>
</config>
XML
state="$(mktemp -d /tmp/platformd-state.XXXXXX)"   # tmpfs: the lock is an fcntl lock, not on 9p
trap stop_daemon EXIT
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml" --state-dir "$state"
chmod 0750 "$(dirname "$DAEMON_SOCKET")"

run_doctor "$tmp/doctor.json" --socket "$DAEMON_SOCKET" --state-dir "$state" --policy "$tmp/policy.xml"
expect_verdict "$tmp/doctor.json" iommu WARN "IOMMU off: no IOMMU groups"
expect_verdict "$tmp/doctor.json" iommu-groups WARN "no IOMMU groups: the 1 granted PCI function(s)"
expect_verdict "$tmp/doctor.json" vfio OK
expect_verdict "$tmp/doctor.json" uio OK "uio_pci_generic loaded"
expect_verdict "$tmp/doctor.json" memlock OK "no IOMMU: VFIO pins nothing"
expect_verdict "$tmp/doctor.json" hugepages OK "of 16 reserved 2 MiB huge pages: DMA buffers at physical addresses"
expect_verdict "$tmp/doctor.json" dev-port OK "/dev/port present"
expect_verdict "$tmp/doctor.json" strict-devmem OK "CONFIG_IO_STRICT_DEVMEM=y"
expect_verdict "$tmp/doctor.json" socket OK "mode 0660; members of group"
expect_verdict "$tmp/doctor.json" policy WARN 'dma_unprotected="yes"'
[ "$(jq '.fail' "$tmp/doctor.json")" = 0 ] || fail "doctor found $(jq '.fail' "$tmp/doctor.json") FAIL(s)"
[ "$DOCTOR_STATUS" = 0 ] || fail "doctor exited $DOCTOR_STATUS with no FAIL verdict"
echo "doctor: $(jq -r '"\(.ok) OK, \(.warn) WARN, \(.fail) FAIL"' "$tmp/doctor.json"), as expected"
