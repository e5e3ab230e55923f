#!/usr/bin/env bash
# The desktop app as a Debian package, made by Tauri's bundler (the pinned @tauri-apps/cli in ui/) from the
# release binaries `make app` built: `tauri bundle` packs what is there and compiles nothing, so the package
# costs no second build and holds exactly the binaries `make run` and the tests run. The deb bundler needs
# no downloaded tools. Contents: /usr/bin/cairn-desktop (the app), /usr/bin/cairn (the command line), the
# icons under /usr/share/icons/hicolor, a desktop entry, and Depends filled in by the bundler (WebKitGTK,
# GTK). Run by `make package` after `make app`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cairn/target}"
bin="$CARGO_TARGET_DIR/release"
for b in cairn cairn-desktop; do
  if [[ ! -x "$bin/$b" ]]; then
    echo "error: $bin/$b is missing: build it first (make app)" >&2
    exit 1
  fi
done
tauri="$root/ui/node_modules/.bin/tauri"
if [[ ! -x "$tauri" ]]; then
  echo "error: $tauri is missing: install the UI's npm packages first (scripts/setup-node.sh)" >&2
  exit 1
fi

# The CLI's path depends on the target folder, so it joins the configuration here (merged into
# src-tauri/tauri.conf.json, which holds the rest).
extra=$(node -e 'console.log(JSON.stringify({bundle: {linux: {deb: {files: {"/usr/bin/cairn": process.argv[1]}}}}}))' "$bin/cairn")

out="$bin/bundle/deb"
rm -f "$out"/*.deb
echo "==> packaging $bin/cairn-desktop and $bin/cairn (tauri bundle --bundles deb)"
# --no-binary-patching: the bundler would otherwise rewrite the app binary in the target folder in place
# (a marker for its updater, which Cairn does not use), so the packaged binary stays the one cargo built.
# CI=true: never prompt.
(cd src-tauri && CI=true "$tauri" bundle --bundles deb --no-binary-patching --no-sign --config "$extra")

shopt -s nullglob
debs=("$out"/*.deb)
if (( ${#debs[@]} != 1 )); then
  echo "error: expected one .deb in $out, found ${#debs[@]}" >&2
  exit 1
fi
deb=${debs[0]}
size=$(stat -c %s "$deb")
echo "==> $deb ($(numfmt --to=iec --suffix=B "$size"), $size bytes)"
