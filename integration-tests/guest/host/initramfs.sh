#!/usr/bin/env bash
# initramfs.sh KERNEL_DIR: prints the path of an initramfs for that unpacked kernel, building it when
# missing: a static busybox, initramfs/init, and the kernel modules the guest needs (9p over virtio
# for the shared root, vfio-pci, uio_pci_generic) with everything they depend on, in load order.
# Cached under $GUEST_CACHE/initramfs/, keyed by kernel version and a hash of its inputs.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

kdir="$1"
kver="$(basename "$kdir")"
moddir="$kdir/lib/modules/$kver"
[ -d "$moddir" ] || die "no modules in $moddir"
busybox=/bin/busybox

# The modules the guest's init inserts. Their dependencies come first, resolved below.
# vfio_iommu_type1 is requested by vfio at run time (not a link dependency), so it is named here.
# bochs (bochs-drm) drives the Bochs display at boot: devices taken over go back to a real driver.
ROOTS=(virtio_pci 9pnet_virtio 9p vfio_iommu_type1 vfio_pci uio_pci_generic bochs)

# name -> file, for every module of the kernel. A module's name is its file name without .ko[.xz|.zst|.gz],
# with '-' read as '_' (what the kernel itself does when it compares names).
declare -A file_of=()
while IFS= read -r f; do
  n="${f##*/}"; n="${n%%.ko*}"; n="${n//-/_}"
  file_of[$n]="$f"
done < <(find "$moddir/kernel" -name '*.ko*' -type f)

modinfo_of() { # FILE: the module's .modinfo strings, one a line (decompressed when needed)
  case "$1" in
    *.ko.xz)  xz -dc "$1" ;;
    *.ko.zst) zstd -qdc "$1" ;;
    *.ko.gz)  gzip -dc "$1" ;;
    *)        cat "$1" ;;
  esac | tr '\0' '\n' | grep -a -E '^(depends|name)=' || true
}

order=()
declare -A state=()
visit() { # NAME: appends NAME's dependencies, then NAME, to order (depth first, each once)
  local n="${1//-/_}"
  [ "${state[$n]:-}" = done ] && return 0
  [ "${state[$n]:-}" = busy ] && die "module dependency cycle at $n"
  if [ -z "${file_of[$n]:-}" ]; then
    # Built into this kernel: nothing to insert.
    grep -q -E "/${n//_/[-_]}\.ko\$" "$moddir/modules.builtin" && { state[$n]=done; return 0; }
    die "kernel $kver has no module $n"
  fi
  state[$n]=busy
  local deps d
  deps="$(modinfo_of "${file_of[$n]}" | sed -n 's/^depends=//p' | sed -n 1p)"
  for d in ${deps//,/ }; do visit "$d"; done
  state[$n]=done
  order+=("$n")
}
for r in "${ROOTS[@]}"; do visit "$r"; done

init="$GUEST_DIR/initramfs/init"
kconfig="$kdir/boot/config-$kver"
key="$( { echo "${order[*]}"; cat "$init"; cat "$kconfig" 2>/dev/null; { "$busybox" 2>&1 || true; } | sed -n 1p; } | sha256sum | cut -c1-16)"
out="$GUEST_CACHE/initramfs/$kver-$key.cpio.gz"

build() {
  [ -f "$out" ] && return 0
  local tmp; tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,newroot,results,lib/modules}
  cp "$busybox" "$tmp/bin/busybox"
  cp "$init" "$tmp/init"; chmod 755 "$tmp/init"
  # The kernel's config, for the guest's /boot (platformd reads CONFIG_IO_STRICT_DEVMEM from it).
  [ -f "$kconfig" ] && cp "$kconfig" "$tmp/kernel.config"
  local i=0 n f
  : > "$tmp/lib/modules/order"
  for n in "${order[@]}"; do
    f="${file_of[$n]}"
    # busybox insmod reads plain .ko files only: decompress here, on the host.
    case "$f" in
      *.ko.xz)  xz -dc "$f" ;;
      *.ko.zst) zstd -qdc "$f" ;;
      *.ko.gz)  gzip -dc "$f" ;;
      *)        cat "$f" ;;
    esac > "$tmp/lib/modules/$n.ko"
    echo "$n" >> "$tmp/lib/modules/order"
    i=$((i + 1))
  done
  mkdir -p "$(dirname "$out")"
  (cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
  mv "$out.tmp" "$out"
  say "built initramfs for $kver with $i modules: ${order[*]}"
}
with_cache_lock build
echo "$out"
