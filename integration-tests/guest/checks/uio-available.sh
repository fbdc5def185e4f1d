# uio-available: uio_pci_generic can take edu through driver_override and gives it a /dev/uioN (INTx
# interrupts by read(), the linux backend's fallback when VFIO is not possible); then edu is given back.
source "$(dirname "$0")/lib/check.sh"

[ -d /sys/bus/pci/drivers/uio_pci_generic ] || fail "uio_pci_generic is not loaded"
slot="$(pci_slot $EDU)"
trap 'release "$slot"' EXIT
bind_with "$slot" uio_pci_generic

uio="$(ls "/sys/bus/pci/devices/$slot/uio" 2>/dev/null | sed -n 1p)"
[ -n "$uio" ] || fail "edu is bound to uio_pci_generic but has no uio device in sysfs"
[ -c "/dev/$uio" ] || fail "edu got $uio in sysfs but /dev/$uio did not appear"
[ "$uio" = uio0 ] || echo "note: edu's uio device is $uio, not uio0"
exec 3<"/dev/$uio" || fail "can't open /dev/$uio"
exec 3<&-
echo "edu at $slot bound to uio_pci_generic: /dev/$uio ($(cat "/sys/class/uio/$uio/name"))"

release "$slot"
trap - EXIT
[ -z "$(driver_of "$slot")" ] || fail "edu still bound to $(driver_of "$slot") after unbinding"
[ ! -e "/dev/$uio" ] || fail "/dev/$uio still there after edu left uio_pci_generic"
echo "unbound again; /dev/$uio is gone"
