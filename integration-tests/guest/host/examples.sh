#!/usr/bin/env bash
# examples.sh DIR: prepares, on the host, what the guest's checks that source lib/examples.sh (examples-*,
# client-killed-mid-dma, nvme-*, interrupt-storm-flat, ...) need, since the guest's root is read-only and its JVMs are slow:
#   * the examples' jar (examples/run --build);
#   * DIR/sim/: the same three examples run against a daemon on the emulated machine (sim backend,
#     shipped policy): edu.out, pit.out, framebuffer.out, framebuffer.png — what the guest's results are
#     compared with;
#   * a class-data-sharing archive of the examples' classes, dumped by that framebuffer run (cached in
#     $GUEST_CACHE/cds, keyed like host/cds.sh's);
#   * DIR/classes/: checks/client-java/*.java (EduDmaUntilKilled, NvmeIdentify, NvmeMsix, EduStorm, ...) compiled against the
#     client library;
#   * DIR/examples.conf: EXAMPLES_CP, EXAMPLES_CDS (or empty), HELPER_CLASSES, for the checks to source.
# A failing sim run is kept (its output says why) and the guest check comparing with it fails.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"
dir="$1"
mkdir -p "$dir/sim" "$dir/classes"

"$PLATFORMD_HOME/examples/run" --build
jar="$PLATFORMD_HOME/examples/target/platformd-examples.jar"
lib="$PLATFORMD_HOME/examples/target/lib"
cp="$jar:$lib/*"
java="$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v java)" \
  || die "no java on /usr/bin or /bin, the guest's PATH"

key="$( { readlink -f "$java"; "$java" -version 2>&1; echo "$GUEST_JAVA_OPTS"
          stat -c '%n %s %Y' "$jar" "$lib"/*; } | sha256sum | cut -c1-16)"
cds="$GUEST_CACHE/cds/examples-$key.jsa"

# The checks' clients of the client library: compiled here (javac in the guest takes a minute under TCG).
javac -d "$dir/classes" -cp "$cp" "$GUEST_DIR"/checks/client-java/*.java

# The reference runs, on the emulated machine with the shipped policy.
sock="$dir/sim/platformd.sock"
"$PLATFORMD_HOME/bin/platformd" --socket "$sock" > "$dir/sim/daemon.log" 2>&1 &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  grep -q "listening on unix:" "$dir/sim/daemon.log" && break
  kill -0 $daemon 2>/dev/null || die "the sim daemon for the reference runs exited: $(tail -1 "$dir/sim/daemon.log")"
  sleep 0.5
done
run_example() { # NAME JAVA_FLAGS... -- ARGS...: one example on the sim, output in $dir/sim/NAME.out
  local name="$1"; shift
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  # shellcheck disable=SC2086
  "$java" -Djava.awt.headless=true $GUEST_JAVA_OPTS "${flags[@]}" -cp "$cp" "$@" --socket "$sock" \
    > "$dir/sim/$name.out" 2> "$dir/sim/$name.err" || say "the sim's $name example failed (see $dir/sim/$name.out)"
}
archive=()
if [ ! -f "$cds" ]; then
  mkdir -p "$(dirname "$cds")"
  find "$GUEST_CACHE/cds" -name "examples-*.jsa" -mtime +7 -delete # older jars' (other worktrees keep theirs)
  archive=(-XX:ArchiveClassesAtExit="$cds.tmp.$$" -Xlog:cds=off) # its warnings (old class files skipped) would land in the output
fi
run_example framebuffer "${archive[@]}" -- org.platformd.examples.framebuffer.FramebufferDriver --out "$dir/sim/framebuffer.png"
if [ ${#archive[@]} -gt 0 ]; then
  if [ -s "$cds.tmp.$$" ]; then mv "$cds.tmp.$$" "$cds"; else rm -f "$cds.tmp.$$"; fi
fi
run_example edu -- org.platformd.examples.edu.EduDriver
run_example pit -- org.platformd.examples.pit.PitDriver

cat > "$dir/examples.conf" <<CONF
EXAMPLES_CP='$cp'
EXAMPLES_CDS='$( [ -f "$cds" ] && echo "$cds" )'
HELPER_CLASSES='$dir/classes'
CONF
