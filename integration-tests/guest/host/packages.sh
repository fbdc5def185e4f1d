#!/usr/bin/env bash
# Installs what the harness needs on the host when it is missing (Debian packages, needs root):
# QEMU for the guest, a static busybox for the initramfs, cpio to pack it, jq for the checks.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
# The dynamic busybox package also provides /bin/busybox, but it can't run in an initramfs without libc.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
# jq reads platformctl's --json output in the checks (run in the guest from the host's root).
command -v jq >/dev/null 2>&1 || need+=(jq)
[ ${#need[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing ${need[*]}; install as root: apt-get install ${need[*]}"
say "installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
