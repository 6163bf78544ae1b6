#!/usr/bin/env bash
# Set up everything the Rust notebooks need; safe to re-run (skips what is there).
#
#   1. rustup component rust-src          (evcxr's completions need it)
#   2. evcxr_jupyter 0.22.0 via cargo     (the longest step the first time; --locked is required)
#   3. .venv/ with requirements-notebooks.txt (JupyterLab + nbclient executor)
#   4. the `rust` kernel spec INSIDE the venv: .venv/share/jupyter/kernels/rust/
#      (never ~/.local/share/jupyter: we do not run `evcxr_jupyter --install`
#      against the user's dirs). Its kernel.json sets cargo profile env vars so
#      notebook builds (dependencies included) get opt-level 3 with
#      debug-assertions and overflow-checks OFF, and GLIBC_TUNABLES so that the
#      kernel's allocator keeps freed memory as the benchmark programs' does.
#   4b. the notebooks' dependencies, compiled once into the kernel's build folder
#   5. Chromium (Debian's `chromium`, /usr/bin/chromium) for scripts/browser_test.py, with apt
#      when missing; SETUP_SKIP_CHROMIUM=1 skips it (scripts/lab.sh sets it: JupyterLab alone
#      does not need it).
#
# Environment knobs: PYTHON (interpreter for the venv, default python3),
# SETUP_SKIP_EVCXR=1 (don't build evcxr_jupyter; for Python-only checks).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/requirements-notebooks.txt"
EVCXR_VERSION="0.22.0"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- 1. rust-src -------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found (install Rust with rustup first)"; exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    log "rust-src: present"
  else
    log "rust-src: installing"; rustup component add rust-src
  fi
fi

# --- 2. evcxr_jupyter ----------------------------------------------------------
# Note: evcxr_jupyter has no --version flag; ask cargo what it installed.
evcxr_ok() {
  [ -x "$CARGO_BIN/evcxr_jupyter" ] &&
    cargo install --list 2>/dev/null | grep -q "^evcxr_jupyter v${EVCXR_VERSION}:"
}
if evcxr_ok; then
  log "evcxr_jupyter $EVCXR_VERSION: present"
elif [ "${SETUP_SKIP_EVCXR:-0}" = 1 ]; then
  log "evcxr_jupyter: missing, skipped (SETUP_SKIP_EVCXR=1)"
else
  log "evcxr_jupyter $EVCXR_VERSION: installing (once; the longest step of the set-up)"
  # cargo's release profile, as published. A debug build costs far less CPU but makes every
  # cell and the kernel's start slower (rust-analyzer runs inside evcxr); opt-level 1 saves
  # little build time and slows the first cells of each kernel.
  cargo install --locked evcxr_jupyter --version "$EVCXR_VERSION"
fi
EVCXR_BIN="$CARGO_BIN/evcxr_jupyter"

# --- 3. venv -------------------------------------------------------------------
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $($PY --version 2>&1)"
  "$PY" -m venv "$VENV"
fi
# Re-install only when the list changed (stamp = copy of the list installed).
STAMP="$VENV/.requirements-notebooks.installed"
if [ -f "$STAMP" ] && cmp -s "$STAMP" "$REQ"; then
  log "python packages: up to date"
else
  log "python packages: installing from $(basename "$REQ")"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$REQ"
  cp "$REQ" "$STAMP"
fi

# --- 4. kernel spec inside the venv ----------------------------------------------
KDIR="$VENV/share/jupyter/kernels/rust"
mkdir -p "$KDIR"
if [ -x "$EVCXR_BIN" ] && { [ ! -f "$KDIR/version.txt" ] || [ "$EVCXR_BIN" -nt "$KDIR/version.txt" ]; }; then
  # Get evcxr's logos/kernel.js/version.txt by installing into a throwaway dir
  # (evcxr_jupyter --install honours JUPYTER_PATH). version.txt matters: at
  # start-up evcxr rewrites kernel.json (dropping our env) if the kernel dir it
  # finds via JUPYTER_PATH lacks a matching version.txt.
  tmp="$(mktemp -d)"
  JUPYTER_PATH="$tmp" "$EVCXR_BIN" --install >/dev/null
  cp "$tmp/kernels/rust/"* "$KDIR/"
  touch "$KDIR/version.txt"
  rm -rf "$tmp"
fi
# The kernel builds its cells in target/evcxr (scripts/kernel.py); evcxr's cache, used before, is
# not needed any more.
rm -rf "$ROOT/target/notebook-cache"
"$VENV/bin/python" - "$KDIR/kernel.json" "$EVCXR_BIN" "$VENV" "$CARGO_BIN" "$ROOT/scripts/kernel.py" <<'EOF'
import json, sys
path, evcxr, venv, cargo_bin, launcher = sys.argv[1:]
spec = {
    # evcxr in a build folder kept between sessions (see scripts/kernel.py).
    "argv": [venv + "/bin/python", launcher, evcxr, "--control_file", "{connection_file}"],
    "display_name": "Rust",
    "language": "rust",
    "interrupt_mode": "message",
    "env": {
        # Cargo config/env overrides the [profile.dev] that evcxr writes into
        # its generated Cargo.toml (opt-level 2, debug-assertions and
        # overflow-checks on), for every crate in the build graph.
        "CARGO_PROFILE_DEV_OPT_LEVEL": "3",
        "CARGO_PROFILE_DEV_DEBUG_ASSERTIONS": "false",
        "CARGO_PROFILE_DEV_OVERFLOW_CHECKS": "false",
        # Each cell is a new crate, which incremental compilation cannot reuse; without it the
        # dependencies also build faster, the first time.
        "CARGO_PROFILE_DEV_INCREMENTAL": "false",
        # glibc keeps freed memory, as `bench::tune_process` makes it do in the benchmark
        # programs: blocks up to 32 MiB come back from the heap instead of as fresh pages from
        # the kernel (a page fault each) on every call, and the heap is never trimmed. Here,
        # every notebook gets it from the kernel's start, with no line in its setup cell.
        "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647",
        # evcxr's self-update check looks at $JUPYTER_PATH/kernels/rust: point
        # it at this spec (whose version.txt matches) so it never rewrites
        # this file or anything in the user's Jupyter dirs.
        "JUPYTER_PATH": venv + "/share/jupyter",
        # cargo/rustc for the kernel even if Jupyter was started without them.
        "PATH": cargo_bin + ":${PATH}",
        # Ignore the user's ~/.config/evcxr (init.evcxr, prelude.rs, evcxr.toml):
        # notebooks must say everything they need in their setup cell.
        "EVCXR_CONFIG_DIR": venv + "/etc/evcxr",
    },
}
new = json.dumps(spec, indent=2) + "\n"
try:
    old = open(path).read()
except FileNotFoundError:
    old = None
if old != new:
    open(path, "w").write(new)
    print(f"[setup] wrote {path}", file=sys.stderr)
else:
    print(f"[setup] kernel spec: up to date ({path})", file=sys.stderr)
EOF

# --- 4b. the notebooks' dependencies, built once for the kernel ---------------------
# A notebook's first cell compiles jacobian-core, lesson and their dependencies into the kernel's
# kept folder (scripts/kernel.py) the first time: about a minute. Done here once instead, by
# running the `:build_env`/`:dep` lines of jacobians.ipynb's set-up cell in a kernel, so that a
# new user's first cell takes seconds. Skipped when target/evcxr/slot-0 is built already.
if [ -x "$EVCXR_BIN" ] && [ ! -d "$ROOT/target/evcxr/slot-0/target" ]; then
  log "notebook dependencies: building them for the kernel (about a minute, once)"
  if ! (cd "$ROOT/notebooks" && JUPYTER_PATH="$VENV/share/jupyter" "$VENV/bin/python" - <<'EOF'
import json, time
from jupyter_client.manager import start_new_kernel
cell = next(c for c in json.load(open("jacobians.ipynb"))["cells"] if c["cell_type"] == "code")
lines = [l for l in "".join(cell["source"]).splitlines() if l.startswith(":")]
started = time.time()
km, kc = start_new_kernel(kernel_name="rust")
try:
    reply = kc.execute_interactive("\n".join(lines), timeout=1800, output_hook=lambda m: None)
    assert reply["content"]["status"] == "ok", reply["content"]
finally:
    km.shutdown_kernel()
print(f"[setup] notebook dependencies: built in {time.time() - started:.0f} s")
EOF
  ); then
    log "notebook dependencies: not built (a notebook's first cell will build them)"
  fi
else
  log "notebook dependencies: built already, or no evcxr"
fi

# --- 5. Chromium for the browser test (scripts/browser_test.py) ---------------------
# Debian's package; Playwright (in the venv) drives it. Playwright's own browser download is not
# used. Not needed to open the notebooks, so a machine that cannot install it only gets a message.
if [ -x /usr/bin/chromium ]; then
  log "chromium: present"
elif [ "${SETUP_SKIP_CHROMIUM:-0}" = 1 ]; then
  log "chromium: missing, skipped (SETUP_SKIP_CHROMIUM=1)"
elif ! command -v apt-get >/dev/null 2>&1; then
  log "chromium: missing and no apt-get here; install a Chromium yourself and point CHROMIUM=/path/to/it at it for scripts/browser_test.py"
else
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
  fi
  if [ "${as_root[*]}" = none ]; then
    log "chromium: missing; install it as root: apt-get update && apt-get install -y chromium"
  else
    log "chromium: installing Debian's package with apt-get (once)"
    if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      log "chromium: apt-get failed; scripts/browser_test.py will not run until /usr/bin/chromium exists"
    fi
  fi
fi

log "done. Open the notebooks with scripts/lab.sh; run them headless with .venv/bin/python scripts/run_notebooks.py"
