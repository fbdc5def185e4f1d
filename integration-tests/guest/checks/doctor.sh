# doctor: `platformctl doctor` on the iommu machine, next to a daemon on --backend linux, says what is true
# there: IOMMU on (Intel VT-d, the command line's intel_iommu=on), edu's IOMMU group viable (edu on no
# driver, taken to vfio-pci at acquire: driver_override="yes"), the display's group holding bochs-drm and the
# display served read-only, vfio-pci and uio_pci_generic loaded, the daemon (pid from its state directory's
# lock) holding CAP_IPC_LOCK, huge pages not needed, /dev/port present, CONFIG_IO_STRICT_DEVMEM=y in the
# kernel's config, the socket 0660 in a 0750 directory, the policy without warnings; no FAIL, exit 0.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/doctor.sh"

tmp="$CHECK_FILES"
[ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] || fail "no IOMMU groups: this is not the iommu machine"
edu="$(pci_slot $EDU)"
fb="$(pci_slot $BOCHS_DISPLAY)"
[ "$(driver_of "$fb")" = bochs-drm ] || fail "the display at $fb is on '$(driver_of "$fb")', not bochs-drm"
cat > "$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<config>
  <policy label="edu-driver" dma_quota="1M"><pci vendor_id="0x1234" device_id="0x11e8" driver_override="yes"/></policy>
  <policy label="fb-driver" dma_quota="0"><pci vendor_id="0x1234" device_id="0x1111"/></policy>
</config>
XML
state="$(mktemp -d /tmp/platformd-state.XXXXXX)"   # tmpfs: the lock is an fcntl lock, not on 9p
trap stop_daemon EXIT
start_daemon "$tmp/daemon.log" --backend linux --policy "$tmp/policy.xml" --state-dir "$state"
chmod 0750 "$(dirname "$DAEMON_SOCKET")"   # start_daemon's mktemp folder is 0700: let the group reach the socket

run_doctor "$tmp/doctor.json" --socket "$DAEMON_SOCKET" --state-dir "$state" --policy "$tmp/policy.xml"
expect_verdict "$tmp/doctor.json" iommu OK "IOMMU on: Intel VT-d"
expect_verdict "$tmp/doctor.json" iommu OK "intel_iommu=on"
expect_verdict "$tmp/doctor.json" iommu-groups OK "$edu [1234:11e8]"
expect_verdict "$tmp/doctor.json" iommu-groups OK "viable (taken to vfio-pci at acquire"
expect_verdict "$tmp/doctor.json" iommu-groups WARN "$fb [1234:1111]"
expect_verdict "$tmp/doctor.json" iommu-groups WARN "$fb on bochs-drm — served read-only"
expect_verdict "$tmp/doctor.json" vfio OK "vfio-pci loaded, /dev/vfio/vfio present"
expect_verdict "$tmp/doctor.json" uio OK "uio_pci_generic loaded"
expect_verdict "$tmp/doctor.json" memlock OK "the daemon (pid $DAEMON_PID"
expect_verdict "$tmp/doctor.json" memlock OK "has CAP_IPC_LOCK"
expect_verdict "$tmp/doctor.json" hugepages OK "not needed while the IOMMU confines DMA"
expect_verdict "$tmp/doctor.json" dev-port OK "/dev/port present"
expect_verdict "$tmp/doctor.json" strict-devmem OK "CONFIG_IO_STRICT_DEVMEM=y in /boot/config-$(uname -r)"
expect_verdict "$tmp/doctor.json" socket OK "mode 0660; members of group"
expect_verdict "$tmp/doctor.json" policy OK "grants 2 PCI function(s)"
[ "$(jq '.fail' "$tmp/doctor.json")" = 0 ] || fail "doctor found $(jq '.fail' "$tmp/doctor.json") FAIL(s)"
[ "$DOCTOR_STATUS" = 0 ] || fail "doctor exited $DOCTOR_STATUS with no FAIL verdict"
echo "doctor: $(jq -r '"\(.ok) OK, \(.warn) WARN, \(.fail) FAIL"' "$tmp/doctor.json"), as expected"
