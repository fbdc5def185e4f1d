# vfio-available: the guest has IOMMU groups and vfio-pci, and edu can be handed to vfio-pci through
# driver_override, which makes its group's /dev/vfio/N appear and open; then it is given back. This is
# the environment the linux backend's VFIO path (mapped BARs, eventfd interrupts, IOMMU DMA) needs.
source "$(dirname "$0")/lib/check.sh"

groups="$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)"
[ "$groups" -gt 0 ] || fail "no IOMMU groups in /sys/kernel/iommu_groups (intel_iommu=on, -device intel-iommu?)"
[ -d /sys/bus/pci/drivers/vfio-pci ] || fail "vfio-pci is not loaded (no /sys/bus/pci/drivers/vfio-pci)"
[ -c /dev/vfio/vfio ] || fail "no /dev/vfio/vfio container device"
echo "$groups IOMMU groups; vfio-pci loaded"

slot="$(pci_slot $EDU)"
[ -e "/sys/bus/pci/devices/$slot/iommu_group" ] || fail "edu at $slot has no IOMMU group"
group="$(basename "$(readlink -f "/sys/bus/pci/devices/$slot/iommu_group")")"
echo "edu at $slot, IOMMU group $group ($(ls "/sys/kernel/iommu_groups/$group/devices" | tr '\n' ' '))"
[ ! -e "/dev/vfio/$group" ] || fail "/dev/vfio/$group exists before edu was bound to vfio-pci"

trap 'release "$slot"' EXIT
bind_with "$slot" vfio-pci
[ -c "/dev/vfio/$group" ] || fail "edu is bound to vfio-pci but /dev/vfio/$group did not appear"
exec 3<>"/dev/vfio/$group" || fail "can't open /dev/vfio/$group"
exec 3>&-
echo "bound to vfio-pci; /dev/vfio/$group appeared and opens"

release "$slot"
trap - EXIT
[ -z "$(driver_of "$slot")" ] || fail "edu still bound to $(driver_of "$slot") after unbinding"
[ ! -e "/dev/vfio/$group" ] || fail "/dev/vfio/$group still there after edu left vfio-pci"
echo "unbound again; /dev/vfio/$group is gone"
