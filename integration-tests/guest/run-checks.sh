#!/usr/bin/env bash
# run-checks.sh RESULTS CHECK...: runs in the guest, chrooted into the host's root (read-only), as root.
# Runs each check (checks/NAME.sh) with a time limit, its output in RESULTS/NAME.log, and writes
# RESULTS/NAME.status: "PASS", or "FAIL <reason>" (the reason the check gave with `fail`, or what
# ended it), and keeps the check's files in RESULTS/NAME.files. RESULTS/done.MACHINE marks the end of the run.
set -uo pipefail
results="$1"; shift
guest_dir="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
export PLATFORMD_HOME="$(cd "$guest_dir/../.." && pwd)"
# run.conf (written by bin/guest-test): JAVA_OPTS for every platformd JVM, CDS_ARCHIVE (a class-data
# archive made on the host, or empty), CHECK_TIMEOUT (seconds per check), CHECK_CLASSES (compiled clients).
. "$results/run.conf"
export PLATFORMD_JAVA_OPTS="$JAVA_OPTS${CDS_ARCHIVE:+ -XX:SharedArchiveFile=$CDS_ARCHIVE}"
check_timeout="$CHECK_TIMEOUT"
# The checks' Java clients, compiled on the host (checks/java): java -cp "$CHECK_CLASSES:..." NAME
export CHECK_CLASSES
cd "$PLATFORMD_HOME"
# bin/guest-test boots a machine only for its checks; none here is a broken run.conf, not a pass.
[ $# -gt 0 ] || { echo "run-checks.sh: no checks named (CHECKS in run.conf is empty)" > /dev/console; exit 1; }

for name in "$@"; do
  export CHECK_REASON="$results/$name.reason"
  rm -f "$CHECK_REASON"
  # A place for the check's files (outputs it compared): kept with the run by bin/guest-test --keep.
  export CHECK_FILES="$results/$name.files"
  mkdir -p "$CHECK_FILES"
  start="$(cut -d' ' -f1 /proc/uptime)"
  timeout -k 5 "$check_timeout" bash "$guest_dir/checks/$name.sh" > "$results/$name.log" 2>&1 </dev/null
  rc=$?
  end="$(cut -d' ' -f1 /proc/uptime)"
  echo "$start $end" > "$results/$name.time"
  if [ $rc = 0 ]; then
    echo PASS > "$results/$name.status"
  elif [ -s "$CHECK_REASON" ]; then
    echo "FAIL $(head -1 "$CHECK_REASON")" > "$results/$name.status"
  elif [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "FAIL timed out after ${check_timeout} s" > "$results/$name.status"
  else
    echo "FAIL exit $rc; last output: $(tail -1 "$results/$name.log")" > "$results/$name.status"
  fi
  echo "$(cat "$results/$name.status") $name" > /dev/console
done
echo "$(cut -d' ' -f1 /proc/uptime)" > "$results/done.$MACHINE"
