#!/usr/bin/env bash
# Open the Rust notebooks in JupyterLab from the project venv.
#   scripts/lab.sh [extra jupyter-lab args, e.g. --no-browser --port 8899]
# Jupyter only sees the venv's kernels and config (the `rust` kernel written by
# setup.sh); nothing is read from or written to ~/.local/share/jupyter or ~/.jupyter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"

VENV="$ROOT/.venv"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$VENV/bin:$PATH"
export JUPYTER_PATH="$VENV/share/jupyter"
export JUPYTER_DATA_DIR="$VENV/share/jupyter"
export JUPYTER_CONFIG_DIR="$VENV/etc/jupyter"
export JUPYTER_RUNTIME_DIR="$VENV/share/jupyter/runtime"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)   # jupyter refuses root without it
exec "$VENV/bin/jupyter" lab --notebook-dir="$ROOT/notebooks" "${extra[@]}" "$@"
