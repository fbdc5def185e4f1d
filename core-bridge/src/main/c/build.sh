#!/bin/sh
# build.sh OUTDIR: builds the native port-I/O helper (portio.c) into OUTDIR/libplatformd-portio.so with the
# system's gcc. Never fails the Maven build: without gcc, or on a machine that isn't x86 (no in/out
# instructions), it says so and builds nothing; the linux backend then reports the helper unavailable at
# run time (16/32-bit legacy port I/O and configuration mechanism #1) and everything else still works.
out="$1"
src="$(dirname "$0")/portio.c"
mkdir -p "$out"
rm -f "$out/libplatformd-portio.so"
case "$(uname -m)" in
  x86_64|i?86) ;;
  *) echo "[platformd] native port-I/O helper not built: $(uname -m) has no x86 port I/O"; exit 0 ;;
esac
if ! command -v gcc >/dev/null 2>&1; then
  echo "[platformd] native port-I/O helper not built: no gcc (apt-get install gcc); the linux backend will report it unavailable"
  exit 0
fi
if ! gcc -shared -fPIC -O2 -Wall -Wextra -o "$out/libplatformd-portio.so" "$src"; then
  rm -f "$out/libplatformd-portio.so"
  echo "[platformd] native port-I/O helper not built: gcc failed (see above); the linux backend will report it unavailable"
fi
exit 0
