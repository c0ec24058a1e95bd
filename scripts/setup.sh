#!/usr/bin/env bash
# Installs what swdbackup needs on Debian (12 or later) and builds it into ./build.
# Safe to run again: apt-get is skipped when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential meson ninja-build pkg-config openocd
      libuv1-dev libjansson-dev libssl-dev libcmocka-dev libunicorn-dev python3
      librsvg2-bin umockdev libumockdev-dev libusb-1.0-0-dev usbutils dfu-util
      binutils-arm-none-eabi help2man txt2man bash-completion debhelper dpkg-dev fakeroot lintian
      python3-jsonschema zsh fish musl-tools)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "setup: installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Reconfigure every time: end-to-end cases are discovered at configure time.
if [ -f build/build.ninja ]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build >/dev/null
fi
ninja -C build >&2
