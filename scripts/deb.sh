#!/usr/bin/env bash
# Builds the Debian package from the tracked files of this tree, in a scratch copy (so
# dpkg-buildpackage writes nothing beside the checkout), puts swdbackup_*.deb into
# build/deb/ (or $1) and runs lintian on it. Needs the packages scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/deb}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/swdbackup" "$out"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$scratch/swdbackup"
(cd "$scratch/swdbackup" && dpkg-buildpackage -us -uc -b >"$scratch/build.log" 2>&1) || {
	tail -40 "$scratch/build.log" >&2
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
}
cp "$scratch"/swdbackup_*.deb "$out"/
deb=$(ls "$out"/swdbackup_*.deb | tail -1)
echo "deb: $deb"
lintian --fail-on error "$deb"
