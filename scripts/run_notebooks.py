#!/usr/bin/env python3
"""Execute the Rust (evcxr) notebooks headlessly and fail loudly on any problem.

Usage:
    scripts/run_notebooks.py [--write] [--timeout SECONDS] [notebooks/X.ipynb ...]

Without notebook arguments every notebooks/*.ipynb is run. Each notebook gets a
fresh `rust` kernel (the one scripts/setup.sh writes into .venv/), started in
the notebook's folder so `:dep x = { path = "../crates/..." }` resolves.

Before the first cell, the runner sends the kernel `:preserve_vars_on_panic 0`
(KERNEL_SETUP below; not a cell, so nothing of it is saved into the notebook):
a panic then ends the cell with an error instead of being caught, as evcxr's
default does for a student who wants to keep their variables. The notebooks
themselves keep evcxr's default.

A notebook FAILS (exit status 1, with a message naming notebook and cell) when a
code cell:
  * produces an `error` output or an execute_reply whose status is not "ok"
    (compile errors, `:dep` failures, a panic, a failed `assert!` ...), or the
    kernel dies/times out;
  * prints `panicked at` anywhere (stdout, stderr, results);
  * shows `Err(` in stdout or in its displayed result (tag `allow-err` to permit);
  * writes anything to stderr (evcxr reports a `?` error in a cell only there)
    (tag `allow-stderr` to permit);
  * lacks an output its tags declare (see notebooks/README.md):
      expect-stdout:TEXT   stdout contains TEXT
      expect-text:TEXT     stdout or a text/plain result contains TEXT
      expect-svg           an image/svg+xml output
      expect-html          a text/html output
      expect-png           an image/png output
      expect-mime:TYPE     an output of MIME type TYPE
    TEXT may be %-escaped (e.g. %2C for a comma, which tags cannot contain).

With --write, each notebook that passed is saved back in place with its new
outputs (no timing metadata, streams coalesced); without it no file changes.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL_NAME = "rust"

# Only the venv's Jupyter dirs: never the user's kernels/config. Set before any
# jupyter import so jupyter_core picks them up.
_JUPYTER_ENV = {
    "JUPYTER_PATH": str(VENV / "share" / "jupyter"),
    "JUPYTER_DATA_DIR": str(VENV / "share" / "jupyter"),
    "JUPYTER_CONFIG_DIR": str(VENV / "etc" / "jupyter"),
    "JUPYTER_RUNTIME_DIR": str(VENV / "share" / "jupyter" / "runtime"),
}


def _reexec_in_venv() -> None:
    """Run under .venv/bin/python if started with another interpreter."""
    venv_py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve() and venv_py.exists():
        os.execv(str(venv_py), [str(venv_py), __file__, *sys.argv[1:]])


_reexec_in_venv()
os.environ.update(_JUPYTER_ENV)
os.environ["PATH"] = (
    str(Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "bin")
    + os.pathsep
    + os.environ.get("PATH", "")
)

try:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
except ImportError as exc:  # pragma: no cover
    sys.exit(f"run_notebooks: {exc}. Run scripts/setup.sh first (creates .venv/).")

# Sent to every fresh kernel before the notebook's cells: a panic fails the cell.
KERNEL_SETUP = ":preserve_vars_on_panic 0"

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PANIC = re.compile(r"panicked at")
ERR_VALUE = re.compile(r"\bErr\(")
MIME_TAGS = {
    "expect-svg": "image/svg+xml",
    "expect-html": "text/html",
    "expect-png": "image/png",
}


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def fmt_secs(s: float) -> str:
    return f"{s:7.1f}s"


class CellFailure(Exception):
    pass


def cell_label(index: int, cell) -> str:
    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
    if len(first) > 60:
        first = first[:57] + "..."
    return f"cell {index} [{first}]"


def check_cell(cell, reply: dict | None) -> list[str]:
    """Return the list of problems found in an executed code cell."""
    tags = list(cell.metadata.get("tags", []))
    problems: list[str] = []
    stdout, stderr, texts, mimes = [], [], [], set()
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            (stdout if out.get("name") == "stdout" else stderr).append(out.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            mimes.update(data)
            if "text/plain" in data:
                t = data["text/plain"]
                texts.append(t if isinstance(t, str) else "".join(t))
        elif kind == "error":
            tb = strip_ansi("\n".join(out.get("traceback", [])))
            msg = strip_ansi(f"{out.get('ename', '')}: {out.get('evalue', '')}")
            detail = tb if tb.strip() and tb.strip() not in msg else ""
            problems.append(f"error output: {msg}" + (f"\n{detail}" if detail else ""))
    if reply is not None:
        status = reply.get("content", {}).get("status")
        if status != "ok" and not any(p.startswith("error output") for p in problems):
            problems.append(f"execute_reply status {status!r}")
    out_text = strip_ansi("".join(stdout))
    err_text = strip_ansi("".join(stderr))
    res_text = strip_ansi("\n".join(texts))
    for where, text in (("stdout", out_text), ("stderr", err_text), ("result", res_text)):
        m = PANIC.search(text)
        if m:
            problems.append(f"panic in {where}: {excerpt(text, m.start())}")
    if "allow-err" not in tags:
        for where, text in (("stdout", out_text), ("result", res_text)):
            m = ERR_VALUE.search(text)
            if m:
                problems.append(f"Err value in {where}: {excerpt(text, m.start())}")
    if err_text.strip() and "allow-stderr" not in tags and not PANIC.search(err_text):
        problems.append(f"stderr output (tag allow-stderr to permit): {err_text.strip()[:400]}")
    for tag in tags:
        if tag.startswith("expect-stdout:"):
            want = unquote(tag.split(":", 1)[1])
            if want not in out_text:
                problems.append(f"missing expected stdout {want!r} (tag {tag!r})")
        elif tag.startswith("expect-text:"):
            want = unquote(tag.split(":", 1)[1])
            if want not in out_text and want not in res_text:
                problems.append(f"missing expected text {want!r} (tag {tag!r})")
        elif tag.startswith("expect-mime:"):
            mime = unquote(tag.split(":", 1)[1])
            if mime not in mimes:
                problems.append(f"missing expected {mime} output (tag {tag!r})")
        elif tag in MIME_TAGS and MIME_TAGS[tag] not in mimes:
            problems.append(f"missing expected {MIME_TAGS[tag]} output (tag {tag!r})")
        elif tag.startswith("expect") and not (
            tag in MIME_TAGS or tag.split(":", 1)[0] in ("expect-stdout", "expect-text", "expect-mime")
        ):
            problems.append(f"unknown expectation tag {tag!r}")
    return problems


def excerpt(text: str, pos: int, width: int = 300) -> str:
    start = text.rfind("\n", 0, max(0, pos - 80)) + 1
    return text[start : start + width].strip()


def kernel_spec_dir() -> Path:
    try:
        spec_dir = Path(KernelSpecManager().find_kernel_specs()[KERNEL_NAME])
    except KeyError:
        raise NoSuchKernel(KERNEL_NAME)
    if not spec_dir.resolve().is_relative_to(VENV.resolve()):
        sys.exit(f"run_notebooks: kernel '{KERNEL_NAME}' resolves to {spec_dir}, not the venv; run scripts/setup.sh")
    return spec_dir


def strip_volatile(nb) -> None:
    """Drop timing metadata; number executed cells 1, 2, ... (evcxr starts at 2)."""
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = count
    nb.metadata.pop("widgets", None)


def run_notebook(path: Path, timeout: int, startup_timeout: int, write: bool) -> bool:
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"=== {rel}", flush=True)
    nb = nbformat.read(path, as_version=4)
    replies: dict[int, dict] = {}
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        startup_timeout=startup_timeout,
        allow_errors=True,  # we judge outputs ourselves, cell by cell
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply),
    )
    t_nb = time.monotonic()
    failure: str | None = None
    try:
        with client.setup_kernel():
            print(f"  kernel started in {time.monotonic() - t_nb:.1f}s", flush=True)
            info = client.wait_for_reply(client.kc.kernel_info())
            if info and "language_info" in info.get("content", {}):
                nb.metadata["language_info"] = info["content"]["language_info"]
            setup = client.wait_for_reply(client.kc.execute(KERNEL_SETUP, store_history=False))
            if not setup or setup.get("content", {}).get("status") != "ok":
                raise RuntimeError(f"the kernel refused {KERNEL_SETUP!r}: {setup}")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                t0 = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    failure = f"{cell_label(index, cell)}: timed out after {timeout}s"
                except DeadKernelError:
                    failure = f"{cell_label(index, cell)}: kernel died"
                took = time.monotonic() - t0
                problems = [] if failure else check_cell(cell, replies.get(index))
                status = "FAIL" if failure or problems else "ok"
                print(f"  {fmt_secs(took)}  {status:4}  {cell_label(index, cell)}", flush=True)
                if problems:
                    failure = f"{cell_label(index, cell)}:\n    " + "\n    ".join(
                        p.replace("\n", "\n      ") for p in problems
                    )
                if failure:
                    break
    except Exception as exc:  # kernel start-up problems and the like
        failure = failure or f"kernel: {type(exc).__name__}: {exc}"
    total = time.monotonic() - t_nb
    if failure:
        print(f"FAILED {rel} ({total:.1f}s)\n  {failure}", flush=True)
        return False
    print(f"  passed {rel} in {total:.1f}s", flush=True)
    if write:
        strip_volatile(nb)
        nbformat.write(nb, path)
        print(f"  wrote {rel}", flush=True)
    return True


def check_env_list() -> None:
    """environment.yml must take its pip packages from the one list file."""
    env_yml = ROOT / "environment.yml"
    if env_yml.exists() and "-r requirements-notebooks.txt" not in env_yml.read_text():
        sys.exit("run_notebooks: environment.yml must include '-r requirements-notebooks.txt'")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    ap.add_argument("--write", action="store_true", help="save executed notebooks in place")
    ap.add_argument("--timeout", type=int, default=1800, help="per-cell timeout, seconds (default 1800)")
    ap.add_argument("--startup-timeout", type=int, default=120, help="kernel start timeout, seconds")
    args = ap.parse_args()
    check_env_list()
    kernel_spec_dir()
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    if not paths:
        print("run_notebooks: no notebooks found", file=sys.stderr)
        return 1
    t0 = time.monotonic()
    results = {p: run_notebook(p, args.timeout, args.startup_timeout, args.write) for p in paths}
    failed = [p for p, ok in results.items() if not ok]
    passed = len(results) - len(failed)
    print(f"\n{passed} passed, {len(failed)} failed")
    print(f"notebooks total time {time.monotonic() - t0:.1f}s")
    for p in failed:
        print(f"  FAILED: {p}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
