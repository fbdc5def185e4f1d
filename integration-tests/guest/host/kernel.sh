#!/usr/bin/env bash
# Prints the directory of an unpacked Debian kernel package (boot/vmlinuz-*, lib/modules/*), fetching
# it with `apt-get download` and unpacking it with `dpkg -x` on first use. Nothing is installed on the
# host. Cached under $GUEST_CACHE/kernels/<version>, one directory per kernel version.
#   PLATFORMD_GUEST_KERNEL=<version> picks a version (e.g. 6.1.0-56-amd64) instead of the one
#   linux-image-amd64 currently depends on.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

current_version() { # the version linux-image-amd64 depends on, or nothing
  apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: linux-image-\([0-9].*\)$/\1/p' | grep -v '^$' | sed -n 1p
}

kver="${PLATFORMD_GUEST_KERNEL:-}"
if [ -z "$kver" ]; then
  kver="$(current_version)"
  if [ -z "$kver" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 || true
    kver="$(current_version)"
  fi
fi
if [ -z "$kver" ]; then
  # No package lists (offline): any kernel cached before will do.
  kver="$(ls -1 "$GUEST_CACHE/kernels" 2>/dev/null | grep -v '\.tmp' | sort -V | tail -1 || true)"
  [ -n "$kver" ] || die "can't tell which kernel to use: 'apt-cache depends linux-image-amd64' names none and nothing is cached in $GUEST_CACHE/kernels"
fi

dir="$GUEST_CACHE/kernels/$kver"
fetch() {
  [ -f "$dir/boot/vmlinuz-$kver" ] && return 0
  local tmp="$dir.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp/deb"
  # apt drops privileges to _apt for downloads; let it write here so it doesn't warn.
  if id _apt >/dev/null 2>&1; then chown _apt "$tmp/deb"; fi
  say "fetching linux-image-$kver (first use of this kernel version)"
  (cd "$tmp/deb" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$kver" >&2) \
    || die "apt-get download linux-image-$kver failed (network? run 'apt-get update' as root)"
  dpkg -x "$tmp"/deb/linux-image-"$kver"_*.deb "$tmp/root"
  [ -f "$tmp/root/boot/vmlinuz-$kver" ] || die "linux-image-$kver has no boot/vmlinuz-$kver"
  mv "$tmp/root" "$tmp.root" && rm -rf "$tmp" && mv "$tmp.root" "$dir"
}
with_cache_lock fetch
echo "$dir"
