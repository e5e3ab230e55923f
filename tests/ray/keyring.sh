#!/usr/bin/env bash
# Cluster tokens in a real Secret Service: gnome-keyring on a private D-Bus session, unlocked with a
# throwaway password in a temporary home. `cairn cluster add` must put the token there (not in a file),
# and `cairn cluster test` must read it back and be let in by the Ray head. Needs RAY_ADDRESS, RAY_TOKEN.
set -euo pipefail
BIN="${CAIRN_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/cairn/target}/release/cairn}"
home=$(mktemp -d /tmp/cairn-keyring.XXXXXX)
trap 'rm -rf "$home"' EXIT
export BIN HOME="$home" XDG_DATA_HOME="$home/share" CAIRN_CONFIG_DIR="$home/config"
unset CAIRN_KEYRING
dbus-run-session -- bash -euo pipefail -c '
  echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  fail() { echo "keyring test FAILED: $*" >&2; exit 1; }
  out=$(printf "%s\n" "$RAY_TOKEN" | "$BIN" cluster add lab --address "$RAY_ADDRESS" --token-stdin 2>&1)
  echo "$out"
  grep -q "token: in the system keyring" <<<"$out" || fail "the token did not go to the keyring"
  grep -q "token accepted" <<<"$out" || fail "the token read back from the keyring was not accepted"
  grep -qF "$RAY_TOKEN" "$CAIRN_CONFIG_DIR/clusters.toml" && fail "the token is in clusters.toml"
  [[ ! -e "$CAIRN_CONFIG_DIR/secrets.enc" ]] || fail "a token file was written although the keyring works"
  "$BIN" cluster test lab
  out=$("$BIN" cluster add wrong --address "$RAY_ADDRESS" --token not-the-token 2>&1)
  grep -q "refused the token" <<<"$out" || fail "a wrong token was not named: $out"
  if "$BIN" cluster test wrong 2>/dev/null; then fail "cluster test passed with a wrong token"; fi
  "$BIN" cluster remove lab
  "$BIN" cluster remove wrong
' 2> >(grep -v "Failed to set fd limit" >&2)
echo "keyring: ok"
