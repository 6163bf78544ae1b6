#!/usr/bin/env bash
# Open the Rust notebooks in JupyterLab from the project venv.
#   scripts/lab.sh [extra jupyter-lab args, e.g. --no-browser --port 8899]
# Jupyter only sees the venv's kernels and config (the `rust` kernel written by
# setup.sh); nothing is read from or written to ~/.local/share/jupyter or ~/.jupyter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SETUP_SKIP_CHROMIUM="${SETUP_SKIP_CHROMIUM:-1}" "$ROOT/scripts/setup.sh"   # Chromium: only for the browser test

VENV="$ROOT/.venv"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$VENV/bin:$PATH"
export JUPYTER_PATH="$VENV/share/jupyter"
export JUPYTER_DATA_DIR="$VENV/share/jupyter"
export JUPYTER_CONFIG_DIR="$VENV/etc/jupyter"
export JUPYTER_RUNTIME_DIR="$VENV/share/jupyter/runtime"
# No first-run pop-ups: JupyterLab's "get notified about official Jupyter news?" toast (and its
# update check) is answered "never" by default settings in the venv's app settings dir
# (overrides.json holds defaults only: a user can still opt in under Settings → Notifications).
"$VENV/bin/python" - "$VENV/share/jupyter/lab/settings/overrides.json" <<'PY'
import json, os, sys
path = sys.argv[1]
try:
    with open(path) as f:
        old = json.load(f)
except (FileNotFoundError, ValueError):
    old = {}
want = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
new = {**old, **{k: {**old.get(k, {}), **v} for k, v in want.items()}}
if new != old:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(new, indent=2) + "\n")
PY
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)   # jupyter refuses root without it
exec "$VENV/bin/jupyter" lab --notebook-dir="$ROOT/notebooks" "${extra[@]}" "$@"
