#!/usr/bin/env bash
# Prints the path of a class-data-sharing archive of platformctl's classes for the guest's JVMs, making
# it when missing. Class loading and verification run ~20x slower under TCG; an archive made here, on
# the host, where the JVM is fast, saves a good part of each JVM start in the guest (same JVM, same jar
# paths, since the guest runs the host's root). Keyed by the JVM, its flags and the jars' sizes and
# times: a rebuilt jar makes a new archive. Prints nothing (and the guest runs without one) when the
# JVM can't make it.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

jar="$PLATFORMD_HOME/platform-driver/target/platform-driver.jar"
lib="$PLATFORMD_HOME/platform-driver/target/lib"
[ -f "$jar" ] || die "no $jar (build platform-driver first)"
# The java the guest will run: the first on the guest's PATH (the one initramfs/init gives the checks), not whatever is first here.
java="$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v java)" \
  || die "no java on /usr/bin or /bin, the guest's PATH"
key="$( { readlink -f "$java"; "$java" -version 2>&1; echo "$GUEST_JAVA_OPTS"
          stat -c '%n %s %Y' "$jar" "$lib"/*; } | sha256sum | cut -c1-16)"
dir="$GUEST_CACHE/cds"
out="$dir/platformctl-$key.jsa"

make_archive() {
  [ -f "$out" ] && return 0
  mkdir -p "$dir"
  rm -f "$dir"/platformctl-*.jsa   # archives of older jars are of no use any more
  # `lspci --json` over this machine's sysfs loads the classes of enumeration, decoding and output.
  # shellcheck disable=SC2086
  if "$java" $GUEST_JAVA_OPTS -XX:ArchiveClassesAtExit="$out.tmp" -cp "$jar:$lib/*" \
       org.platformd.driver.cli.PlatformCtl lspci --json >/dev/null 2>"$dir/last-dump.log" \
     && [ -s "$out.tmp" ]; then
    mv "$out.tmp" "$out"
  else
    rm -f "$out.tmp"
    say "no class-data archive for the guest's JVMs (see $dir/last-dump.log); they start slower"
  fi
}
with_cache_lock make_archive
[ ! -f "$out" ] || echo "$out"
