# pit-ports: the legacy port range of the 8254 PIT (0x40-0x43) is reachable through /dev/port and the
# PIT counts: the environment the PIT example driver needs on the linux backend (byte access to ports
# granted by policy through /dev/port).
source "$(dirname "$0")/lib/check.sh"

[ -c /dev/port ] || fail "/dev/port is missing (kernel without CONFIG_DEVPORT?)"

# port_in PORT: one byte from an I/O port, as a decimal number
port_in() { dd if=/dev/port bs=1 skip="$1" count=1 status=none | od -An -tu1 | tr -d ' '; }
# port_out PORT VALUE: writes one byte to an I/O port
port_out() { printf "\\$(printf '%03o' "$2")" | dd of=/dev/port bs=1 seek="$1" count=1 conv=notrunc status=none; }

# Channel 0's count, latched (counter latch command to 0x43), low byte then high byte from 0x40.
count0() { port_out 67 0; local lo hi; lo="$(port_in 64)"; hi="$(port_in 64)"; echo $((hi * 256 + lo)); }

a="$(count0)"; b="$(count0)"; c="$(count0)"
echo "channel 0 latched counts: $a $b $c"
if [ "$a" = "$b" ] && [ "$b" = "$c" ]; then
  fail "the PIT's channel 0 count stands still at $a (read three times through /dev/port)"
fi
# Plain reads of port 0x40 too (no latch), as a driver that only reads would see them.
v1="$(port_in 64)"; v2="$(port_in 64)"; v3="$(port_in 64)"; v4="$(port_in 64)"
echo "port 0x40 read four times: $v1 $v2 $v3 $v4"
