# Sourced (after lib/check.sh) by the checks that run the example drivers or the clients of checks/client-java in the
# guest: examples-edu, examples-framebuffer, examples-pit, python-edu, client-killed-mid-dma, nvme-killed-mid-dma,
# nvme-msix-vectors, interrupt-storm-flat and others. What they run was built and run on the
# emulated machine on the host first (host/examples.sh): the reference outputs are in $SIM, the examples'
# class-data archive and the killed client's classes are named in examples/examples.conf.
# shellcheck shell=bash

RESULTS_DIR="$(dirname "$CHECK_FILES")"   # the writable results share (run-checks.sh: RESULTS/NAME.files)
CHECK_NAME="$(basename "$0" .sh)"
# shellcheck disable=SC1091
. "$RESULTS_DIR/run.conf"                 # CHECKS (this run's, in order), JAVA_OPTS
[ -f "$RESULTS_DIR/examples/examples.conf" ] \
  || fail "no examples/examples.conf in the results: bin/guest-test prepares it (host/examples.sh) for these checks"
# shellcheck disable=SC1091
. "$RESULTS_DIR/examples/examples.conf"   # EXAMPLES_CP, EXAMPLES_CDS, HELPER_CLASSES
SIM="$RESULTS_DIR/examples/sim"
# The JVM's own warnings (e.g. a class-data archive it cannot use) go to stderr, not into the output
# the checks read.
EXAMPLES_JAVA_OPTS="$JAVA_OPTS -Xlog:disable -Xlog:all=warning:stderr${EXAMPLES_CDS:+ -XX:SharedArchiveFile=$EXAMPLES_CDS}"
# The checks that may share one daemon: started by the first of a run of them in a row, stopped by the last.
SHARED_DAEMON_USERS="examples-edu examples-framebuffer examples-pit python-edu"
SHARED_DAEMON_DIR="$RESULTS_DIR/examples/daemon"
# The daemon's flags for these checks. An fd export's token must be redeemed on the fd socket within
# 10 s by default; a client's first redemption under TCG loads jnr's classes and generates its stubs,
# which took longer in the guest (the client then falls back to the RPC path, and the fast path is what
# these checks prove): two minutes (hidden flag --fd-token-ttl-ms).
EXAMPLES_DAEMON_FLAGS=(--backend linux --fd-token-ttl-ms 120000)

# run_example NAME OUT ARGS...: examples/run NAME against $DAEMON_SOCKET, stdout to OUT, stderr to OUT.err;
# returns the example's exit status.
run_example() {
  local name="$1" out="$2"; shift 2
  PLATFORMD_JAVA_OPTS="$EXAMPLES_JAVA_OPTS" "$PLATFORMD_HOME/examples/run" "$name" --socket "$DAEMON_SOCKET" "$@" \
    > "$out" 2> "$out.err"
}

# example_passed OUT NAME: the example's output ends with "NAME: all N checks passed", or the check fails
# with the example's first FAIL line.
example_passed() {
  grep -q "^$2: all [0-9]* checks passed" "$1" \
    || fail "$2: $(grep -m1 '^FAIL' "$1" || tail -1 "$1.err" 2>/dev/null || echo 'no output')"
}

# line OUT TAG NAME: the text of the example's line "TAG  NAME   text" (first match), or nothing.
line() {
  awk -v tag="$2" -v name="$3" '$1 == tag && substr($0, 7, 30) ~ "^" name " *$" { print substr($0, 38); exit }' "$1"
}

# edu_matches_sim OUT WHO: the edu example's output OUT (Java or Python) used the whole fd fast path and
# its PASS lines equal the Java example's on the emulated machine ($SIM/edu.out); WHO names OUT's side
# in messages.
edu_matches_sim() {
  local out="$1" who="$2" sim="$SIM/edu.out" name mode
  line "$out" INFO session | grep -q "fast path yes" || fail "no fd fast path: $(line "$out" INFO session)"
  line "$out" INFO "BAR 0" | grep -q "mapped: plain loads" || fail "BAR 0 not mapped: $(line "$out" INFO "BAR 0")"
  for mode in MSI INTX; do
    line "$out" INFO "interrupts $mode" | grep -q "eventfd passed" \
      || fail "interrupts $mode not by eventfd: $(line "$out" INFO "interrupts $mode")"
  done
  line "$out" INFO "DMA buffers" | grep -q "mapped into this process" \
    || fail "DMA buffers not mapped: $(line "$out" INFO "DMA buffers")"
  grep -q "^edu: all [0-9]* checks passed" "$sim" \
    || fail "the sim's reference run did not pass: $(grep -m1 '^FAIL' "$sim" || tail -1 "$sim")"
  same_line() { # TAG NAME [SED]: the line equals the sim's (after SED, which cuts timings)
    local a b
    a="$(line "$out" "$1" "$2" | sed "${3:-}")"
    b="$(line "$sim" "$1" "$2" | sed "${3:-}")"
    [ -n "$b" ] || fail "no '$2' line in the sim's output"
    [ "$a" = "$b" ] || fail "'$2' differs ($who vs Java on the sim): '$a' vs '$b'"
  }
  for name in identification "liveness 0x00000000" "liveness 0xffffffff" "liveness 0x12345678" \
      "liveness 0xa5a5a5a5" "liveness 0x0000ffff" "factorials by MSI" "factorials by INTX" "interrupt modes" \
      "DMA at offsets" "no DMA faults"; do
    same_line PASS "$name"
  done
  same_line PASS "DMA round trip" 's/ in [0-9.]* ms//'
  [ "$(tail -1 "$out")" = "$(tail -1 "$sim")" ] || fail "'$(tail -1 "$out")' ($who), '$(tail -1 "$sim")' from Java on the sim"
  echo "equal to Java on the sim: $(line "$out" PASS "factorials by MSI" | cut -c1-60)...; $(line "$out" PASS "DMA round trip" | cut -d';' -f1)"
}

# shared_daemon: the daemon on --backend linux that takes over edu and the Bochs display, with the shipped
# default policy (labels edu-driver, fb-driver, pit-driver): reused when an earlier check of this run started
# it, started otherwise. Sets DAEMON_SOCKET, DAEMON_PID, DAEMON_LOG. Pair with shared_daemon_release (trap).
shared_daemon() {
  mkdir -p "$SHARED_DAEMON_DIR"
  DAEMON_LOG="$SHARED_DAEMON_DIR/daemon.log"
  if [ -f "$SHARED_DAEMON_DIR/pid" ] && kill -0 "$(cat "$SHARED_DAEMON_DIR/pid")" 2>/dev/null; then
    DAEMON_PID="$(cat "$SHARED_DAEMON_DIR/pid")"
    DAEMON_SOCKET="$(cat "$SHARED_DAEMON_DIR/socket")"
    echo "reusing the daemon (pid $DAEMON_PID) an earlier check started: $DAEMON_SOCKET"
    return 0
  fi
  local edu fb
  edu="$(pci_slot $EDU)"
  fb="$(pci_slot $BOCHS_DISPLAY)"
  { echo "$edu $(driver_of "$edu")"; echo "$fb $(driver_of "$fb")"; } > "$SHARED_DAEMON_DIR/drivers.before"
  local t0; t0="$(cut -d' ' -f1 /proc/uptime)"
  start_daemon "$DAEMON_LOG" "${EXAMPLES_DAEMON_FLAGS[@]}" --take-over "$edu,$fb"
  echo "$DAEMON_PID" > "$SHARED_DAEMON_DIR/pid"
  echo "$DAEMON_SOCKET" > "$SHARED_DAEMON_DIR/socket"
  echo "daemon (pid $DAEMON_PID) on --backend linux --take-over $edu,$fb listening after" \
    "$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
  [ "$(driver_of "$edu")" = vfio-pci ] || fail "edu at $edu is on '$(driver_of "$edu")' after --take-over, not vfio-pci"
  [ "$(driver_of "$fb")" = vfio-pci ] || fail "the display at $fb is on '$(driver_of "$fb")' after --take-over, not vfio-pci"
}

# shared_daemon_release: stops the shared daemon unless the very next check of this run uses it too, and
# checks that it gave both devices back to the drivers they had and logged no ERROR. Only the next one:
# the checks between two users (give-back-kernel-driver, lspci-matches, ...) start daemons of their own,
# which refuse to start while another holds the machine's lock, and move edu between drivers.
shared_daemon_release() {
  local rc=$? c seen=0 next=""
  for c in $CHECKS; do
    if [ $seen = 1 ]; then next="$c"; break; fi
    [ "$c" = "$CHECK_NAME" ] && seen=1
  done
  if [ -n "$next" ] && [[ " $SHARED_DAEMON_USERS " == *" $next "* ]]; then
    echo "daemon left running for the next example check"
    return $rc
  fi
  local pid; pid="$(cat "$SHARED_DAEMON_DIR/pid" 2>/dev/null)" || return $rc
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && fail "the shared daemon did not end within 60 s of SIGTERM"
  rm -f "$SHARED_DAEMON_DIR/pid"
  echo "shared daemon stopped"
  local slot before
  while read -r slot before; do
    [ "$(driver_of "$slot")" = "$before" ] || fail "$slot is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
  done < "$SHARED_DAEMON_DIR/drivers.before"
  if grep -q "ERROR" "$SHARED_DAEMON_DIR/daemon.log"; then
    grep -m3 ERROR "$SHARED_DAEMON_DIR/daemon.log"; fail "the daemon logged errors"
  fi
  return $rc
}

# taking_daemon LOG SLOT [ARGS...]: start_daemon with the example checks' flags, ARGS and --take-over SLOT;
# fails the check unless SLOT is on vfio-pci then. Pair with stop_daemon (in a trap).
taking_daemon() {
  local log="$1" slot="$2"; shift 2
  start_daemon "$log" "${EXAMPLES_DAEMON_FLAGS[@]}" "$@" --take-over "$slot"
  [ "$(driver_of "$slot")" = vfio-pci ] || fail "$slot is on '$(driver_of "$slot")' after --take-over, not vfio-pci"
}

# wait_for_line OUT PATTERN PID WHAT: waits (up to 180 s) until OUT has a line matching PATTERN (grep) while
# the client PID runs; fails the check with WHAT and the client's last words if it ends or never gets there.
wait_for_line() {
  local out="$1" pattern="$2" pid="$3" what="$4"
  for _ in $(seq 1 360); do
    grep -q "$pattern" "$out" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  cat "$out" 2>/dev/null
  fail "$what: $(grep -m1 '^FAIL' "$out" 2>/dev/null || tail -1 "$out.err" 2>/dev/null || echo 'no output')"
}

# killed_and_torn_down OUT PID SLOT LOG: SIGKILLs the client PID (whose OUT starts "session ID, ..."), waits
# (up to 60 s) for the daemon (LOG) to close its session, shows that session's lines, and fails the check
# unless its DMA buffers were freed after the quiesce and SLOT's command register has bus mastering off.
# Sets SESSION.
killed_and_torn_down() {
  local out="$1" pid="$2" slot="$3" log="$4" command
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  echo "client killed (SIGKILL): $(tail -1 "$out")"
  SESSION="$(sed -n 's/^session \([0-9a-f]*\),.*/\1/p' "$out" | head -1)"
  [ -n "$SESSION" ] || fail "no session id in the killed client's output"
  for _ in $(seq 1 120); do
    grep -q "closed session $SESSION" "$log" && break
    sleep 0.5
  done
  grep "$SESSION" "$log" | sed 's/^[0-9:.]* \[[^]]*\] [A-Z]* [a-zA-Z.]*\.//' | cut -c1-220
  grep -q "closed session $SESSION" "$log" || fail "the daemon did not close the killed client's session within 60 s"
  grep -q "session $SESSION: freed [0-9]* bytes of DMA buffers after its devices were quiesced" "$log" \
    || fail "the killed client's DMA buffers were not freed after the quiesce"
  command="$(od -An -tx2 -j4 -N2 "/sys/bus/pci/devices/$slot/config" | tr -d ' ')"
  (( (0x$command & 0x4) == 0 )) || fail "$slot's command register is 0x$command after the teardown: bus mastering still on"
  echo "$slot's command register after the teardown: 0x$command (bus master off)"
}
