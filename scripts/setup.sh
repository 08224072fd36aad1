#!/usr/bin/env bash
# Installs the system packages corridor needs to build, run, test and package on Debian/Ubuntu,
# and cargo-deb (for the Debian package).
# Safe to run again: it skips what is already there. apt-get needs root (or sudo).
set -euo pipefail
packages=(
  pkg-config libwayland-dev libxkbcommon-dev          # build: Wayland support
  libvulkan1 mesa-vulkan-drivers                      # run: Vulkan (Mesa covers Intel, AMD, Raspberry Pi)
  libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
  xvfb xauth                                          # tests and `corridor snapshot` on a machine without a screen
  x11-utils x11-apps x11-xserver-utils               # tests: xwininfo, xwd and xrandr look at and change the X screen
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev  # build: video slides (GStreamer)
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav  # run: video decoders (H.264/H.265, VP8/VP9, AV1)
  gstreamer1.0-tools gstreamer1.0-plugins-ugly       # tests and benchmarks: gst-launch-1.0 makes test clips (x264enc)
  libturbojpeg0-dev                                   # build: JPEG pictures through libjpeg-turbo (TurboJPEG API)
  libjpeg-turbo-progs                                 # benchmarks: djpeg, the reference for picture decoding
  gstreamer1.0-plugins-bad                            # run: live streams (SRT, HLS, MPEG-TS demuxing)
  libgstrtspserver-1.0-dev                            # tests: a real RTSP server for the live-stream tests
  minisign                                            # tests: published folders verify with minisign itself
  nginx                                               # tests: a real web server for screens that subscribe to published folders
  prometheus                                          # tests: promtool checks the metrics file
  libreoffice-impress-nogui poppler-utils             # run: presentations (.pptx, .odp, .pdf) drawn page by page
  ffmpeg                                              # tests: films in older formats (WMV, AVI, MPEG, 3GP)
  cage xwayland                                       # run: the kiosk (cage 0.1.4 needs Xwayland, without depending on it)
  grim wlr-randr                                      # tests: screenshots and outputs under cage
  dpkg-dev                                            # package: dpkg-shlibdeps works out the package's library Depends
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages are installed"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "setup: installed ${missing[*]}"
fi
# cargo-deb builds the Debian package (scripts/package-test.sh, docs/kiosk.md). Pinned: the
# package test packs the debug binary, which later cargo-deb versions plan to refuse. Installed
# for this user (not with sudo), built in a temporary folder (not in CARGO_TARGET_DIR).
CARGO_DEB_VERSION=3.8.0
if [ "$(cargo deb --version 2>/dev/null)" = "cargo-deb $CARGO_DEB_VERSION" ]; then
  echo "setup: cargo-deb $CARGO_DEB_VERSION is installed"
else
  echo "setup: installing cargo-deb $CARGO_DEB_VERSION (cargo install, a few minutes)"
  env -u CARGO_TARGET_DIR cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi
