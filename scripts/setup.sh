#!/usr/bin/env bash
# Installs the system packages corridor needs to build, run and test on Debian/Ubuntu.
# Safe to run again: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail
packages=(
  pkg-config libwayland-dev libxkbcommon-dev          # build: Wayland support
  libvulkan1 mesa-vulkan-drivers                      # run: Vulkan (Mesa covers Intel, AMD, Raspberry Pi)
  libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
  xvfb xauth                                          # tests and `corridor snapshot` on a machine without a screen
  x11-utils x11-apps                                  # tests: xwininfo and xwd look at the whole X screen
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev  # build: video slides (GStreamer)
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav  # run: video decoders (H.264/H.265, VP8/VP9, AV1)
  gstreamer1.0-tools gstreamer1.0-plugins-ugly       # tests and benchmarks: gst-launch-1.0 makes test clips (x264enc)
  libturbojpeg0-dev                                   # build: JPEG pictures through libjpeg-turbo (TurboJPEG API)
  libjpeg-turbo-progs                                 # benchmarks: djpeg, the reference for picture decoding
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages are installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: installed ${missing[*]}"
