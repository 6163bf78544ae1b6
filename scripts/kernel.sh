#!/usr/bin/env bash
# The `rust` kernel's command (the kernel spec scripts/setup.sh writes runs it):
#   scripts/kernel.sh EVCXR_JUPYTER_BINARY --control_file CONNECTION_FILE
#
# Starts evcxr_jupyter in a build folder kept between sessions, target/evcxr/slot-N, instead of
# the fresh temporary folder evcxr makes by default (EVCXR_TMPDIR). Every cell is a crate that
# cargo builds in that folder; kept, its dependencies stay built:
#   - restarting a kernel does not rebuild jacobian-core, gemm, plotters... (seconds, not a minute);
#   - each cell is checked against fresh dependencies. evcxr's own cache (`:cache`) restores
#     compiled crates into a new folder, but crates whose build scripts generate code (pulp, under
#     gemm; serde_core, under serde_json) then point at the folder they were first built in, and
#     cargo rebuilds them and everything above them on every cell: a second per cell.
# A kernel holds its folder locked (flock) while it runs, so two kernels open at once (two
# notebooks) get two folders. Without flock (not Linux), evcxr's default is kept.
set -euo pipefail
evcxr="$1"
shift
if command -v flock >/dev/null; then
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for slot in 0 1 2 3 4 5 6 7; do
    dir="$root/target/evcxr/slot-$slot"
    mkdir -p "$dir"
    exec 9>"$dir/.lock"
    # The lock is on file descriptor 9, which evcxr and every process it starts inherit: it is
    # released when the last of them exits.
    if flock --nonblock 9; then
      export EVCXR_TMPDIR="$dir"
      exec "$evcxr" "$@"
    fi
    exec 9>&-
  done
fi
exec "$evcxr" "$@"
