# lspci-matches: on a real kernel's bus (the guest's: q35 chipset, virtio-9p, QEMU's edu and
# bochs-display behind an Intel IOMMU), `platformctl lspci` prints what pciutils' lspci prints: byte for
# byte at -nn and at -nn -vv, where only lspci's "Kernel modules:" lines are left out (lspci finds them
# with libkmod in the modules directory, which platformctl does not read — as in pci/'s
# LspciTextAgainstLspciTest; -v is left out, it would cost another JVM start, ~10 s under TCG). --json parses and gives edu's and bochs-display's BARs with the sizes sysfs reports.
source "$(dirname "$0")/lib/check.sh"

ctl="$PLATFORMD_HOME/bin/platformctl"
tmp="$CHECK_FILES"

# The three JVMs run side by side: each start costs seconds under TCG, and the guest has two CPUs.
"$ctl" lspci > "$tmp/ours.0" 2> "$tmp/ours.0.err" & p0=$!
"$ctl" lspci -nn -vv > "$tmp/ours.vv" 2> "$tmp/ours.vv.err" & pvv=$!
"$ctl" lspci --json > "$tmp/ours.json" 2> "$tmp/ours.json.err" & pjson=$!
wait $p0 || fail "platformctl lspci failed: $(tail -1 "$tmp/ours.0.err")"
wait $pvv || fail "platformctl lspci -vv failed: $(tail -1 "$tmp/ours.vv.err")"
wait $pjson || fail "platformctl lspci --json failed: $(tail -1 "$tmp/ours.json.err")"

lspci -nn > "$tmp/lspci.0"
for ids in "1234:11e8" "1234:1111"; do
  grep -q "\[$ids\]" "$tmp/lspci.0" || fail "lspci doesn't list $ids in the guest"
done
if ! cmp -s "$tmp/lspci.0" "$tmp/ours.0"; then
  diff "$tmp/lspci.0" "$tmp/ours.0" || true
  fail "at -nn platformctl differs from lspci: $(diff "$tmp/lspci.0" "$tmp/ours.0" | grep -m1 '^[<>]')"
fi
echo "-nn: identical ($(wc -l < "$tmp/ours.0") devices)"

# lspci -v looks for the guest kernel's modules (not in the host's root) to print "Kernel modules:"
# lines, which platformctl does not print; its complaint about that goes to a file only.
lspci -nn -vv 2> "$tmp/lspci.err" | grep -v $'^\tKernel modules:' > "$tmp/lspci.vv"
if ! cmp -s "$tmp/lspci.vv" "$tmp/ours.vv"; then
  diff "$tmp/lspci.vv" "$tmp/ours.vv" || true
  fail "at -nn -vv platformctl differs from lspci: $(diff "$tmp/lspci.vv" "$tmp/ours.vv" | grep -m1 '^[<>]')"
fi
echo "-nn -vv: identical ($(wc -l < "$tmp/ours.vv") lines; lspci's Kernel modules lines left out)"

jq -e 'type == "array"' "$tmp/ours.json" >/dev/null || fail "platformctl lspci --json is not a JSON array"
# sysfs_bars SLOT: "index size" for each of BARs 0-5 the kernel gives a size (the resource file's first
# six lines: start end flags)
sysfs_bars() {
  local i=0 start end flags
  while [ $i -lt 6 ] && read -r start end flags; do
    if [ $((end)) -gt $((start)) ]; then echo "$i $((end - start + 1))"; fi
    i=$((i + 1))
  done < "/sys/bus/pci/devices/$1/resource"
}
for dev in "$EDU" "$BOCHS_DISPLAY"; do
  set -- $dev
  slot="$(pci_slot "$1" "$2")"
  json_bars="$(jq -r --arg s "$slot" '.[] | select(.slot == $s) | .bars[] | "\(.index) \(.size)"' "$tmp/ours.json")" \
    || fail "--json: can't read the BARs of $slot"
  [ -n "$json_bars" ] || fail "--json lists no BARs for $1:$2 at $slot"
  want="$(sysfs_bars "$slot")"
  [ "$json_bars" = "$want" ] \
    || fail "--json BARs of $1:$2 at $slot are [$(echo $json_bars)], sysfs says [$(echo $want)] (index size)"
  echo "--json: $1:$2 at $slot has BARs (index size) $(echo $json_bars), as sysfs"
done
