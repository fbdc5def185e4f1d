# examples-framebuffer: examples/run framebuffer, unchanged, against QEMU's Bochs display on vfio-pci
# through the daemon on --backend linux (shipped default policy, label fb-driver): the framebuffer BAR
# mapped from resource0, the mode set through the DISPI registers, the test pattern drawn. Its PNG is
# pixel-equal to the one the same example wrote on the emulated machine (host, before the boot) and to
# QEMU's own screendump of the display, taken from the host through QMP while the example holds the picture
# (--hold-until: the check asks bin/guest-test's screendump helper through RESULTS/screendump.request).
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

example=""
shared_daemon
trap 'kill ${example:-} 2>/dev/null || true; shared_daemon_release' EXIT
out="$CHECK_FILES/framebuffer.out"
png="$CHECK_FILES/framebuffer.png"
dump="$CHECK_FILES/screendump.ppm"
rm -f "$dump" "$dump.error"
run_example framebuffer "$out" --out "$png" --hold-until "$dump" & example=$!
wait_for_line "$out" "^INFO  holding" $example "the example did not get to show its picture"
echo "$dump" > "$RESULTS_DIR/screendump.request"
echo "picture shown; screendump asked for"
rc=0; wait $example || rc=$?
cat "$out"
[ -f "$dump.error" ] && fail "QEMU's screendump failed: $(cat "$dump.error")"
[ -f "$dump" ] || fail "no screendump from the host (is bin/guest-test's screendumps.py running? $(tail -1 "$out"))"
example_passed "$out" framebuffer
line "$out" INFO "BAR 0 framebuffer" | grep -q "mapped: plain" || fail "BAR 0 not mapped: $(line "$out" INFO "BAR 0 framebuffer")"
python3 "$(dirname "$0")/lib/pixels.py" "$png" "$SIM/framebuffer.png" "$dump" > "$CHECK_FILES/compare" 2>&1 \
  || fail "pixels: $(tail -1 "$CHECK_FILES/compare")"
echo "guest PNG, sim PNG, QEMU screendump: $(cat "$CHECK_FILES/compare")"
echo "pixel SHA-256 here: $(line "$out" PASS "PNG written" | sed 's/.*SHA-256 //'); sim: $(line "$SIM/framebuffer.out" PASS "PNG written" | sed 's/.*SHA-256 //')"
