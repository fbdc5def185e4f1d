# stale-mapping-revoked: a revoked mapping stays revoked. Client A (checks/client-java/StaleMapping.java, raw
# RPC and fd socket: what a client that ignores the client library can do) maps edu's BAR 0 from the exported
# resource0 fd and a DMA buffer from its memfd, releases edu and keeps both mappings and the BAR fd. The daemon
# revokes them at the release (edu removed and rescanned, back on vfio-pci). Client B acquires edu, writes the
# liveness register and has edu DMA into A's old bus address. A's old BAR mapping faults or reads something
# other than B's device state, A cannot map its old fd again (ENODEV), and A's buffer still holds A's bytes.
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

tmp="$CHECK_FILES"
a=""; b=""
slot="$(pci_slot $EDU)"
before="$(driver_of "$slot")"
trap 'kill -KILL ${a:-} ${b:-} 2>/dev/null || true; stop_daemon; release "$slot"' EXIT
taking_daemon "$tmp/daemon.log" "$slot"
client() { # NAME ARGS...: StaleMapping in the background, output to $tmp/NAME.out
  local name="$1"; shift
  # shellcheck disable=SC2086
  java $EXAMPLES_JAVA_OPTS -cp "$EXAMPLES_CP:$HELPER_CLASSES" StaleMapping "$DAEMON_SOCKET" "$tmp" "$@" \
    > "$tmp/$name.out" 2> "$tmp/$name.out.err" &
}
rm -f "$tmp"/a-released "$tmp"/b-wrote "$tmp"/a-checked
client a a; a=$!
wait_for_line "$tmp/a.out" "^A: released edu" $a "client A did not get to map edu and release it"
grep -q "revoked every client mapping and fd of its BARs" "$tmp/daemon.log" \
  || fail "the daemon did not log revoking A's mappings at the release"
grep -m1 "revoked every client mapping" "$tmp/daemon.log" | sed 's/^.*INFO //'
[ "$(driver_of "$slot")" = vfio-pci ] || fail "edu is on '$(driver_of "$slot")' after the revocation, not vfio-pci"
client b b "$(cat "$tmp/a-released")"; b=$!
for pid in $a $b; do
  rc=0; wait "$pid" || rc=$?
done
a=""; b=""
cat "$tmp/a.out" "$tmp/b.out"
grep -q '^PASS$' "$tmp/b.out" || fail "B: $(grep -m1 '^FAIL' "$tmp/b.out" || tail -1 "$tmp/b.out.err")"
grep -q '^PASS$' "$tmp/a.out" || fail "A: $(grep -m1 '^FAIL' "$tmp/a.out" || tail -1 "$tmp/a.out.err")"
stop_daemon
trap - EXIT
[ "$(driver_of "$slot")" = "$before" ] || fail "edu is on '$(driver_of "$slot")' after the daemon ended, was '$before'"
grep -q "ERROR" "$tmp/daemon.log" && { grep -m3 ERROR "$tmp/daemon.log"; fail "the daemon logged errors"; }
true
