#!/usr/bin/env bash
# The README's first command: installs what swdbackup needs, builds it, backs up a virtual
# STM32F407 (swdbackup starts the simulated board itself with --probe sim) and shows the
# bundle it wrote: the files, an excerpt of the manifest, and the checksums checked by
# sha256sum itself.
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
echo "The bundle stays in $out; restore it with:"
echo "  build/src/swdbackup restore --profile stm32f407vg --probe sim:BOARD.bin $bundle"
