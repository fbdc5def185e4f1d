# config-mech1: raw configuration mechanism #1 (0xCF8/0xCFC through core-bridge's native port-I/O helper:
# iopl(3) + inl/outl) enumerates the same devices as the kernel: `platformctl lspci --config-mech1` equals
# the guest's `lspci -nn` byte for byte (the helper was built by Maven with gcc on the host).
source "$(dirname "$0")/lib/check.sh"

tmp="$CHECK_FILES"
"$PLATFORMD_HOME/bin/platformctl" lspci --config-mech1 > "$tmp/ours" 2> "$tmp/ours.err" \
  || fail "platformctl lspci --config-mech1 failed: $(tail -1 "$tmp/ours.err")"
lspci -nn > "$tmp/lspci"
if ! cmp -s "$tmp/lspci" "$tmp/ours"; then
  diff "$tmp/lspci" "$tmp/ours" || true
  fail "mechanism #1 enumeration differs from lspci -nn: $(diff "$tmp/lspci" "$tmp/ours" | grep -m1 '^[<>]')"
fi
echo "mechanism #1 found the $(wc -l < "$tmp/ours") functions sysfs has, lines equal to lspci -nn"
