#!/usr/bin/env bash
# Checks the Debian package scripts/package.sh made: its control data (Depends), its files (both binaries,
# the desktop entry, the icons), then installs it into a scratch root (dpkg -x: nothing touches the
# system's dpkg database) and starts the INSTALLED app with no project under Xvfb, through tauri-driver,
# and checks its window shows the welcome page. The app gets a fresh config folder, so the user's recent
# projects are untouched; the scratch root is removed at the end. Screenshot: ui/test-results/package-welcome.png.
# Run by `make package-test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin="${CARGO_TARGET_DIR:-$HOME/.cache/cairn/target}/release"
shopt -s nullglob
debs=("$bin"/bundle/deb/*.deb)
if (( ${#debs[@]} != 1 )); then
  echo "package test FAILED: expected one .deb in $bin/bundle/deb (make package), found ${#debs[@]}" >&2
  exit 1
fi
deb=${debs[0]}
fail() { echo "package test FAILED: $*" >&2; exit 1; }
echo "==> $deb ($(du -h "$deb" | cut -f1))"

# Control data: what apt needs to install it on a desktop.
info=$(dpkg-deb -I "$deb")
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == cairn ]] || fail "Package is '$(field Package)', not cairn"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
for d in libwebkit2gtk-4.1-0 libgtk-3-0; do
  [[ ",$depends," == *", $d,"* || ",$depends," == *",$d,"* ]] || fail "Depends ($depends) lacks $d"
done
echo "    Package $(field Package) $(field Version) ($(field Architecture)), Depends: $depends"
grep -q '^ Description: ' <<<"$info" || fail "no Description"

# Files.
list=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||')
desktop_file=usr/share/applications/Cairn.desktop
for f in usr/bin/cairn-desktop usr/bin/cairn "$desktop_file" \
  usr/share/icons/hicolor/32x32/apps/cairn-desktop.png usr/share/icons/hicolor/128x128/apps/cairn-desktop.png \
  usr/share/icons/hicolor/256x256/apps/cairn-desktop.png usr/share/icons/hicolor/512x512/apps/cairn-desktop.png; do
  grep -qx "$f" <<<"$list" || fail "the package lacks /$f; it holds: $(tr '\n' ' ' <<<"$list")"
done
echo "    files: /usr/bin/cairn-desktop, /usr/bin/cairn, /$desktop_file, icons 32/128/256/512"

# Installed into a scratch root.
scratch=$(mktemp -d /tmp/cairn-package-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
dpkg -x "$deb" "$scratch"
for b in cairn-desktop cairn; do
  [[ -x "$scratch/usr/bin/$b" ]] || fail "/usr/bin/$b is not executable once installed"
  # The package holds the very binaries `make app` built (tauri bundle compiles nothing and patches nothing).
  cmp -s "$scratch/usr/bin/$b" "$bin/$b" || fail "/usr/bin/$b differs from $bin/$b"
done
"$scratch/usr/bin/cairn" --version | grep -q '^cairn ' || fail "the installed cairn does not run"
echo "    installed into $scratch: both binaries are the release build's; $("$scratch/usr/bin/cairn" --version)"

# The desktop entry starts the installed app.
entry="$scratch/$desktop_file"
get() { sed -n "s/^$1=//p" "$entry" | head -1; }
command -v desktop-file-validate >/dev/null && { desktop-file-validate "$entry" || fail "desktop-file-validate rejects $desktop_file"; }
[[ $(get Type) == Application ]] || fail "Type is not Application"
exec_cmd=$(get Exec | awk '{print $1}')
[[ -n $exec_cmd ]] || fail "the desktop entry has no Exec"
case $exec_cmd in
  /*) exec_path=$scratch$exec_cmd ;;
  *) exec_path=$scratch/usr/bin/$exec_cmd ;;
esac
[[ $exec_path == "$scratch/usr/bin/cairn-desktop" ]] || fail "Exec=$(get Exec) does not start /usr/bin/cairn-desktop"
[[ -n $(get Categories) && -n $(get Comment) ]] || fail "the desktop entry lacks Categories or Comment"
icon=$(get Icon)
[[ -f $scratch/usr/share/icons/hicolor/128x128/apps/$icon.png ]] || fail "Icon=$icon names no installed icon"
echo "    $desktop_file: Name=$(get Name), Exec=$(get Exec), Icon=$icon, Categories=$(get Categories), Comment=$(get Comment)"

# The installed app, started as its desktop entry starts it (no project): the welcome page.
shot="$root/ui/test-results/package-welcome.png"
CAIRN_DESKTOP_BIN="$exec_path" SHOT="$shot" \
  xvfb-run -a -s "-screen 0 1360x860x24" node tests/desktop/welcome.mjs
echo "package test passed"
