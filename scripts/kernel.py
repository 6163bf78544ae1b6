#!/usr/bin/env python3
"""The `rust` kernel's command (the kernel spec scripts/setup.sh writes runs it):

    python scripts/kernel.py EVCXR_JUPYTER_BINARY --control_file CONNECTION_FILE

Starts evcxr_jupyter in a build folder kept between sessions, target/evcxr/slot-N, instead of
the fresh temporary folder evcxr makes by default (EVCXR_TMPDIR). Every cell is a crate that
cargo builds in that folder; kept, its dependencies stay built:
  - restarting a kernel does not rebuild jacobian-core, gemm, plotters... (seconds, not a minute);
  - each cell is checked against fresh dependencies. evcxr's own cache (`:cache`) restores
    compiled crates into a new folder, but crates whose build scripts generate code (pulp, under
    gemm; serde_core, under serde_json) then point at the folder they were first built in, and
    cargo rebuilds them and everything above them on every cell.

A kernel holds its folder locked while it runs (an flock on slot-N/.lock, inherited by evcxr and
every process it starts), so two kernels open at once (two notebooks) get two folders. If no
folder can be had (all taken, or target/ not writable), evcxr's default is kept. The choice is
printed to the Jupyter server's log.
"""
import fcntl
import os
import sys
from pathlib import Path

SLOTS = 8


def main() -> None:
    evcxr, args = sys.argv[1], sys.argv[1:]
    root = Path(__file__).resolve().parent.parent / "target" / "evcxr"
    for slot in range(SLOTS):
        folder = root / f"slot-{slot}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / ".lock", os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as e:
            print(f"[kernel] {folder}: {e}; using a temporary folder", file=sys.stderr)
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        os.set_inheritable(fd, True)  # held until evcxr and all it started have exited
        os.environ["EVCXR_TMPDIR"] = str(folder)
        print(f"[kernel] building cells in {folder}", file=sys.stderr)
        break
    else:
        print(f"[kernel] all {SLOTS} folders of {root} are in use; using a temporary folder",
              file=sys.stderr)
    os.execv(evcxr, args)


if __name__ == "__main__":
    main()
