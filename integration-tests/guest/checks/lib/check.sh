# Sourced by every check (checks/NAME.sh). A check runs in the guest as root, chrooted into the host's
# read-only root, with the repository as working directory, a writable /tmp, and $CHECK_FILES, a directory for
# files worth keeping (bin/guest-test --keep keeps them). It passes by exiting
# 0; it fails by calling `fail REASON` (one line; its output so far lands in the check's log).
# shellcheck shell=bash
set -euo pipefail

fail() { # REASON: ends the check as failed with this one-line reason
  echo "FAIL: $*" >&2
  [ -n "${CHECK_REASON:-}" ] && echo "$*" > "$CHECK_REASON"
  exit 1
}

# pci_slot VENDOR DEVICE: the sysfs name (0000:bb:dd.f) of the first device with these IDs
# (hex, without 0x), or fails the check.
pci_slot() {
  local d
  for d in /sys/bus/pci/devices/*; do
    if [ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ]; then
      basename "$d"; return 0
    fi
  done
  fail "no PCI device $1:$2 in the guest"
}

# driver_of SLOT: the name of the driver bound to the device, or nothing
driver_of() {
  local l="/sys/bus/pci/devices/$1/driver"
  if [ -e "$l" ]; then basename "$(readlink -f "$l")"; fi
}

# bind_with SLOT DRIVER: hands the device to DRIVER through driver_override (unbinding the driver it has)
bind_with() {
  local d="/sys/bus/pci/devices/$1"
  [ -z "$(driver_of "$1")" ] || echo "$1" > "$d/driver/unbind"
  echo "$2" > "$d/driver_override"
  echo "$1" > /sys/bus/pci/drivers_probe
  [ "$(driver_of "$1")" = "$2" ] || fail "$1 did not bind to $2 (driver now: '$(driver_of "$1")')"
}

# release SLOT: unbinds the device from its driver and clears driver_override
release() {
  local d="/sys/bus/pci/devices/$1"
  [ -z "$(driver_of "$1")" ] || echo "$1" > "$d/driver/unbind"
  echo > "$d/driver_override"
}

# config_word SLOT OFFSET: the 16-bit word at OFFSET of the device's config space, hex without 0x (read from
# sysfs, not through platformd: the device's own state)
config_word() { od -An -tx2 -j"$2" -N2 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }

# capability_at SLOT ID: the config offset of the device's capability ID (5 MSI, 17 MSI-X), or nothing
capability_at() {
  local cfg="/sys/bus/pci/devices/$1/config" at id hops=0
  at=$(( $(od -An -tu1 -j52 -N1 "$cfg" | tr -d ' ') & 0xfc ))
  while [ "$at" -ne 0 ] && [ $hops -lt 48 ]; do
    id=$(od -An -tu1 -j"$at" -N1 "$cfg" | tr -d ' ')
    [ "$id" -eq "$2" ] && { echo "$at"; return 0; }
    at=$(( $(od -An -tu1 -j$((at + 1)) -N1 "$cfg" | tr -d ' ') & 0xfc )); hops=$((hops + 1))
  done
}

EDU="1234 11e8"
BOCHS_DISPLAY="1234 1111"
PCI_SERIAL="1b36 0002"

# start_daemon LOG ARGS...: starts bin/platformd in the background with ARGS (its socket: $DAEMON_SOCKET, in
# /tmp), output to LOG; waits until it listens (fails the check if it exits or takes over 90 s). Sets
# DAEMON_PID. Pair with stop_daemon (in a trap).
start_daemon() {
  local log="$1"; shift
  DAEMON_SOCKET="$(mktemp -d /tmp/platformd.XXXXXX)/platformd.sock"
  "$PLATFORMD_HOME/bin/platformd" --socket "$DAEMON_SOCKET" "$@" > "$log" 2>&1 &
  DAEMON_PID=$!
  local i
  for i in $(seq 1 180); do
    grep -q "platformd listening on unix:" "$log" 2>/dev/null && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || { tail -5 "$log"; fail "platformd exited at start: $(grep -m1 -i 'error\|exception\|refused' "$log" || tail -1 "$log")"; }
    sleep 0.5
  done
  fail "platformd did not listen within 90 s"
}

# stop_daemon: SIGTERM to the daemon start_daemon started, and wait for it to finish (it gives taken-over
# devices back on the way out).
stop_daemon() {
  [ -n "${DAEMON_PID:-}" ] || return 0
  kill -TERM "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}
