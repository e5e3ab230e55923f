#!/usr/bin/env bash
# The venv the flow export tests run scripts in: Python polars at the pinned version (made once, from
# PyPI). Prints the venv's python. Used by `make flow-venv` and by the cairn-flow tests themselves.
set -euo pipefail
VENV="${CAIRN_FLOW_VENV:-$HOME/.cache/cairn/venv-flow}"
PIN="polars==1.44.2"
mkdir -p "$(dirname "$VENV")"
# Tests running at once wait for one another instead of building the venv together.
exec 9>"$VENV.lock"
flock 9
if ! "$VENV/bin/python" -c "import polars; assert polars.__version__ == '${PIN#polars==}'" 2>/dev/null; then
  echo "==> creating the flow test venv in $VENV" >&2
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check "$PIN" >&2
fi
echo "$VENV/bin/python"
