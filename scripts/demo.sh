#!/usr/bin/env bash
# The README's first command: installs what swdbackup needs, builds it, backs up a virtual
# STM32F407 (swdbackup starts the simulated board itself with --probe sim) and shows the
# bundle it wrote: the files, an excerpt of the manifest, and the checksums checked by
# sha256sum itself. Then the default command over USB: the same backup with no --probe,
# the board behind an ST-LINK/V2 on swdbackup-sim's virtual USB bus, found through libusb
# by the unchanged OpenOCD.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

out=$(mktemp -d "${TMPDIR:-/tmp}/swdbackup-demo-XXXXXX")
bundle="$out/stm32f407vg-demo"

echo
echo "\$ build/src/swdbackup --profile stm32f407vg --probe sim -o $bundle"
build/src/swdbackup --profile stm32f407vg --probe sim -o "$bundle"

echo
echo "\$ ls -l $bundle"
ls -l "$bundle"

echo
echo "\$ head -n 40 $bundle/manifest.json"
head -n 40 "$bundle/manifest.json"
echo "..."

echo
echo "\$ (cd $bundle && sha256sum -c SHA256SUMS)"
(cd "$bundle" && sha256sum -c SHA256SUMS)

echo
echo "Over USB: an STM32F407 behind an ST-LINK/V2 on the virtual bus (lsusb sees it too)."
head -c 1048576 /dev/urandom >"$out/board.bin"
usb=(build/src/sim/swdbackup-sim usb --board "stm32f407vg,$out/board.bin,serial=066DFF485457725187163090" --)
echo "\$ ${usb[*]} lsusb -d 0483:"
"${usb[@]}" lsusb -d 0483:
echo "\$ ${usb[*]} build/src/swdbackup --profile stm32f407vg -o $out/usb"
"${usb[@]}" build/src/swdbackup --profile stm32f407vg -o "$out/usb"
echo "\$ cmp $out/board.bin $out/usb/flash.bin && grep -A6 '\"probe\"' $out/usb/manifest.json"
cmp "$out/board.bin" "$out/usb/flash.bin"
grep -A6 '"probe"' "$out/usb/manifest.json"

echo
echo "The bundle stays in $out; restore it with:"
echo "  build/src/swdbackup restore --profile stm32f407vg --probe sim:BOARD.bin $bundle"
