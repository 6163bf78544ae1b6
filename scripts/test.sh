#!/usr/bin/env bash
# The project's test command (README, and CI through .ci/run). On a fresh machine with Rust and
# Python it installs what it needs first (scripts/setup.sh: rust-src, evcxr_jupyter 0.22.0,
# .venv/ with the notebook executor; each step skipped when present), then runs
#   1. every Rust test of the workspace (unit, integration, doc tests, JAX fixtures),
#   2. every notebook in notebooks/, headless, from a clean kernel (scripts/run_notebooks.py).
#   3. the same notebooks in JupyterLab in headless Chromium, Run All, checked and screenshotted
#      (scripts/browser_test.py; SKIP_BROWSER=1 skips it).
# Set SKIP_NOTEBOOKS=1 to run the Rust tests alone (no set-up needed beyond Rust).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "== cargo test --workspace"
cargo test --workspace --locked

if [ "${SKIP_NOTEBOOKS:-0}" = 1 ]; then
  echo "== notebooks skipped (SKIP_NOTEBOOKS=1)"
  exit 0
fi
echo "== set-up for the notebooks (idempotent)"
scripts/setup.sh
echo "== notebooks"
.venv/bin/python scripts/run_notebooks.py
if [ "${SKIP_BROWSER:-0}" = 1 ]; then
  echo "== browser test skipped (SKIP_BROWSER=1)"
else
  echo "== notebooks in JupyterLab in headless Chromium (screenshots: target/browser-test/)"
  .venv/bin/python scripts/browser_test.py
fi
