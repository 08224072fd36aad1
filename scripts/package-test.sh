#!/usr/bin/env bash
# The Debian package's test, run by the README's test command after `cargo test`.
#
# 1. Builds corridor_<version>-1_<arch>.deb with `cargo deb --no-build --profile dev` from the debug
#    binary `cargo test` has just built (no second, release build), and checks its control
#    fields and contents (dpkg-deb -I, dpkg-deb -c).
# 2. In CI (CI=true), or when CORRIDOR_PACKAGE_INSTALL=1: installs it with apt (as root, or with
#    sudo), so that its Depends are pulled in; checks /usr/bin/corridor --version, corridor check
#    on the installed settings and sample content, the corridor user, the folders and the kiosk
#    unit (systemd-analyze verify); then edits /etc/corridor/corridor.toml, deletes a sample file,
#    disables the kiosk, installs the same package again (apt-get --reinstall) and an upgrade
#    (revision 2), and checks the edit is kept, the file does not come back and the kiosk stays
#    disabled.
#    Elsewhere the install is skipped: it would install corridor on this PC and enable its kiosk,
#    which takes over tty1 at the next boot.
# Afterwards the package is purged again, and the content folder removed when this run made it:
# corridor's own tests read /etc/corridor/corridor.toml when it exists (a run with no
# ./corridor.toml), so an installed package would change what the next `cargo test` sees.
# Safe to run again: a corridor installed before is purged first (its content folder is kept,
# as a purge keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "package-test: $*"; }
fail() {
    echo "package-test: FAILED: $*" >&2
    exit 1
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
binary="${CARGO_TARGET_DIR:-target}/debug/corridor"
[ -x "$binary" ] || fail "$binary is missing: run cargo test (or cargo build --bin corridor) first"
command -v cargo-deb >/dev/null || fail "cargo-deb is missing: run ./scripts/setup.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

out=$(mktemp -d)
chmod 755 "$out" # apt reads the .deb as its _apt user
installed=false   # this run installed corridor: purge it at the end, even after a failure
made_srv=false    # this run made /srv/corridor: remove it at the end
cleanup() {
    if $installed; then
        $SUDO apt-get purge -y -qq -o DPkg::Lock::Timeout=600 corridor >/dev/null 2>&1 \
            || echo "package-test: could not purge corridor: remove it by hand" >&2
        if $made_srv; then $SUDO rm -rf /srv/corridor; fi
    fi
    rm -rf "$out"
}
trap cleanup EXIT

# Builds the package from the debug binary into $out/rev$1/ and prints its path.
build_deb() {
    # cargo-deb warns that the dev profile is meant for testing: that is what this is.
    cargo deb --no-build --profile dev --fast --quiet --deb-revision "$1" -o "$out/rev$1" >&2
    ls "$out/rev$1"/corridor_"$version"-"$1"_*.deb
}

check_contents() {
    local deb=$1 info files
    info=$(dpkg-deb -I "$deb")
    files=$(dpkg-deb -c "$deb")
    for p in libvulkan1 mesa-vulkan-drivers gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
        gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav libturbojpeg0 \
        cage xwayland libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6; do
        grep -Eq "^ Depends:.*[ ,]$p([ ,(]|\$)" <<<"$info" || fail "Depends lacks $p:
$info"
    done
    grep -Eq "^ Recommends: .*libreoffice-impress-nogui" <<<"$info" || fail "Recommends lacks LibreOffice"
    grep -q "conffiles" <<<"$info" || fail "no conffiles"
    [ "$(dpkg-deb -f "$deb" Version)" = "$version-1" ] || fail "version is not $version-1"
    dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | grep -qx /etc/corridor/corridor.toml \
        || fail "/etc/corridor/corridor.toml is not a conffile"
    for f in ./usr/bin/corridor ./etc/corridor/corridor.toml \
        ./usr/lib/systemd/system/corridor-kiosk.service ./usr/share/corridor/fonts/DejaVuSans.ttf \
        ./usr/share/corridor/playlists/default/playlist.toml ./usr/share/corridor/playlists/ticker.toml \
        ./usr/share/doc/corridor/kiosk.md ./usr/share/doc/corridor/configuration.md \
        ./usr/share/corridor/fonts/AtkinsonHyperlegible-OFL.txt \
        ./usr/share/doc/corridor/images/shape-portrait.png; do
        grep -q " $f\$" <<<"$files" || fail "the package lacks $f"
    done
    say "$(basename "$deb"): $(du -h "$deb" | cut -f1), Depends, Recommends, conffile and files as expected"
}

# apt-get, which waits for another apt or dpkg to finish. No --force-conf* options: a question
# about an edited conffile would fail the test (stdin is /dev/null) instead of being answered.
apt_install() {
    local opts=(-y -qq --no-install-recommends -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
    $SUDO apt-get install "${opts[@]}" "$@" </dev/null >"$out/apt.log" 2>&1 || {
        # Package lists missing or stale (a fresh machine): fetch them and try once more.
        $SUDO apt-get update -qq && $SUDO apt-get install "${opts[@]}" "$@" </dev/null >"$out/apt.log" 2>&1
    } || fail "apt-get install $*: $(tail -n 20 "$out/apt.log")"
}

installed_checks() {
    [ "$(/usr/bin/corridor --version)" = "corridor $version" ] || fail "corridor --version: $(/usr/bin/corridor --version)"
    getent passwd corridor >/dev/null || fail "no corridor user"
    [ "$(stat -c %U /var/lib/corridor)" = corridor ] || fail "/var/lib/corridor is not the corridor user's"
    [ -d /srv/corridor/playlists/default ] || fail "no /srv/corridor/playlists/default"
    local report
    # As the kiosk runs it: the corridor user, from its home (no ./corridor.toml there).
    report=$(cd / && $SUDO runuser -u corridor -- /usr/bin/corridor check 2>&1) || fail "corridor check: $report"
    for line in "settings file: /etc/corridor/corridor.toml" "content folder: /srv/corridor/playlists" \
        "no problems found"; do
        grep -qx "$line" <<<"$report" || fail "corridor check does not say \"$line\":
$report"
    done
    dpkg-query -W -f='${Conffiles}\n' corridor | grep -q " /etc/corridor/corridor.toml " \
        || fail "dpkg does not list /etc/corridor/corridor.toml as a conffile"
    local unit
    unit=$(dpkg -L corridor | grep '/corridor-kiosk.service$' | head -n 1)
    [ -n "$unit" ] || fail "corridor-kiosk.service is not installed"
    if command -v systemd-analyze >/dev/null; then
        $SUDO systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
    fi
}

kiosk_enabled() { [ -L /etc/systemd/system/multi-user.target.wants/corridor-kiosk.service ]; }

install_test() {
    local deb=$1 deb2=$2 config=/etc/corridor/corridor.toml
    if dpkg-query -W -f='${Status}' corridor 2>/dev/null | grep -q "ok installed"; then
        say "purging the corridor installed before, so that this run tests a first install"
        $SUDO apt-get purge -y -qq -o DPkg::Lock::Timeout=600 corridor >/dev/null
    fi
    local fresh_content=false
    [ -e /srv/corridor/playlists ] || fresh_content=true
    [ -e /srv/corridor ] || made_srv=true
    installed=true
    apt_install "$(realpath "$deb")"
    installed_checks
    if $fresh_content; then
        diff -r /usr/share/corridor/playlists /srv/corridor/playlists >/dev/null \
            || fail "the sample content was not copied to /srv/corridor/playlists"
        say "first install: sample content copied to /srv/corridor/playlists"
    fi
    kiosk_enabled || fail "corridor-kiosk.service is not enabled"
    say "installed: /usr/bin/corridor --version and corridor check pass, kiosk enabled, unit verified"

    # A technician's edit, a teacher's deletion.
    $SUDO sed -i 's/^# screen = "corridor"$/screen = "Package test"/' "$config"
    grep -qx 'screen = "Package test"' "$config" || fail "could not edit $config"
    local gone="/srv/corridor/playlists/default/04 space.jpg"
    local kept="$out/space.jpg"
    if [ -e "$gone" ]; then $SUDO mv "$gone" "$kept"; fi

    apt_install --reinstall "$(realpath "$deb")"
    installed_checks
    grep -qx 'screen = "Package test"' "$config" || fail "installing again lost the edit of $config"
    [ ! -e "$gone" ] || fail "installing again brought back a deleted sample file"
    kiosk_enabled || fail "corridor-kiosk.service is no longer enabled"
    say "installed again: the edit of $config kept, a deleted sample file not brought back"

    # The technician turns the kiosk off (a PC also used as a desktop); an upgrade keeps it off.
    $SUDO systemctl disable --quiet corridor-kiosk
    kiosk_enabled && fail "systemctl disable left the kiosk enabled"
    apt_install "$(realpath "$deb2")"
    installed_checks
    grep -qx 'screen = "Package test"' "$config" || fail "the upgrade lost the edit of $config"
    [ ! -e "$gone" ] || fail "the upgrade brought back a deleted sample file"
    kiosk_enabled && fail "the upgrade enabled the kiosk a technician had disabled"
    say "upgraded to $(dpkg-query -W -f='${Version}' corridor): edit kept, deleted file not back, kiosk still off"

    # The sample file back, for a content folder this run did not make (the purge keeps it).
    if [ -e "$kept" ]; then $SUDO mv "$kept" "$gone" && $SUDO chown corridor:corridor "$gone"; fi
}

deb=$(build_deb 1)
check_contents "$deb"
if [ "${CI:-}" = "true" ] || [ "${CORRIDOR_PACKAGE_INSTALL:-}" = "1" ]; then
    deb2=$(build_deb 2)
    install_test "$deb" "$deb2"
    say "passed (the package is purged again)"
else
    say "passed (package built and checked; install test skipped: it installs corridor on this PC" \
        "and enables its kiosk. CI=true or CORRIDOR_PACKAGE_INSTALL=1 runs it)"
fi
