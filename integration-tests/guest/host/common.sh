# Sourced by bin/guest-test and the host/ scripts: paths and small helpers shared on the host side.
# shellcheck shell=bash
GUEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLATFORMD_HOME="$(cd "$GUEST_DIR/../.." && pwd)"
# The cache is shared by every worktree of the machine (the kernel package is 70 MB, unpacked 400 MB):
# one fetch serves all of them. Writers hold $GUEST_CACHE/lock, results appear by rename.
GUEST_CACHE="${PLATFORMD_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platformd-guest}"

say() { echo "guest-test: $*" >&2; }
die() { echo "guest-test: $*" >&2; exit 2; }

# with_cache_lock CMD...: runs CMD holding the cache's lock, so two runs (two worktrees) never build
# the same kernel or initramfs at once.
with_cache_lock() {
  mkdir -p "$GUEST_CACHE"
  (
    flock -w 600 9 || die "timed out waiting for the lock on $GUEST_CACHE/lock"
    "$@"
  ) 9>"$GUEST_CACHE/lock"
}

# The JVM flags of every platformd JVM in the guest (PLATFORMD_JAVA_OPTS there). Under TCG the JIT is
# the cost: C1 only and the serial GC start fastest; no perf-data file in /tmp.
GUEST_JAVA_OPTS="-Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
