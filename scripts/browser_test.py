#!/usr/bin/env python3
"""Run the notebooks in JupyterLab in a real (headless) browser and fail loudly on any problem.

Usage:
    scripts/browser_test.py [--timeout SECONDS] [--keep-going] [notebooks/X.ipynb ...]

Without notebook arguments every notebooks/*.ipynb is run. What it does:

  * starts JupyterLab through scripts/lab.sh itself (the venv's Jupyter dirs and `rust` kernel,
    token on, a free port on 127.0.0.1, --no-browser), with a throw-away user-settings and
    workspaces dir for this run only: notebook windowing off (every cell is in the page, so every
    output is checked), autosave off and checkpoints in that dir (nothing is written to
    notebooks/), no restored tabs;
  * drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through Playwright, headless:
    opens each notebook, makes sure its kernel is the Rust one, clears the committed outputs, and
    clicks Run > Run All Cells in the menu bar;
  * waits until no cell is queued or running, the kernel is idle and the page is quiet;
  * then checks every code cell, as scripts/run_notebooks.py does, on the outputs JupyterLab
    received (error outputs, stderr, `panicked at`, `Err(`, the expect-* tags; see
    notebooks/README.md), plus what only a browser shows: every code cell has an execution count,
    no red error/stderr block on the page, every SVG chart rendered (an image that decoded to a
    non-zero size, or an inline <svg> with a non-zero box and child elements);
  * saves a full-length screenshot of each notebook, after the run or at a failure, to
    target/browser-test/<notebook>.png, and JupyterLab's log to target/browser-test/jupyterlab.log.

Exit status 1 when any notebook fails (the message names notebook and cell), 2 when the set-up
(JupyterLab, Chromium, Playwright) is missing or broken. Needs scripts/setup.sh to have run
(it installs Playwright into .venv/ and Chromium with apt).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
NOTEBOOK_DIR = ROOT / "notebooks"
OUT_DIR = ROOT / "target" / "browser-test"
KERNEL_NAME = "rust"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _reexec_in_venv() -> None:
    """Run under .venv/bin/python if started with another interpreter."""
    venv_py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve() and venv_py.exists():
        os.execv(str(venv_py), [str(venv_py), __file__, *sys.argv[1:]])


_reexec_in_venv()
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import nbformat
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    # The same per-cell rules as the headless runner (errors, stderr, panics, Err(, tags).
    from run_notebooks import check_cell
except ImportError as exc:  # pragma: no cover
    sys.exit(f"browser_test: {exc}. Run scripts/setup.sh first (installs Playwright into .venv/).")


def log(msg: str) -> None:
    print(msg, flush=True)


class SetupError(Exception):
    pass


# --- JupyterLab ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """JupyterLab started by scripts/lab.sh, for this run only."""

    def __init__(self, startup_timeout: float):
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix="browser-test-"))
        settings = self.tmp / "user-settings" / "@jupyterlab"
        # Settings for this run only (lab.sh's overrides.json still applies underneath).
        for plugin, values in {
            # every cell attached to the page, so every output is rendered and checked
            "notebook-extension/tracker": {"windowingMode": "none"},
            # never write the notebook back: the run's outputs stay in the browser
            "docmanager-extension/plugin": {"autosave": False},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update(
            JUPYTER_TOKEN=self.token,
            JUPYTERLAB_SETTINGS_DIR=str(self.tmp / "user-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
        )
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT_DIR / "jupyterlab.log"
        self.log_file = open(self.log_path, "w")
        cmd = [
            str(ROOT / "scripts" / "lab.sh"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            # window.jupyterapp: the notebook model (outputs as received, kernel name)
            "--LabApp.expose_app_in_browser=True",
            # JupyterLab makes a checkpoint of each notebook it opens: not in notebooks/
            f"--FileCheckpoints.checkpoint_dir={self.tmp / 'checkpoints'}",
        ]
        log(f"starting JupyterLab: scripts/lab.sh on 127.0.0.1:{self.port} (log: {rel(self.log_path)})")
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready(startup_timeout)

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(
            f"{self.base}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            return json.loads(body) if body else None

    def shut_down(self, path: str) -> None:
        """End the notebook's session and kernel (the next notebook gets the machine to itself)."""
        try:
            for s in self.api("/api/sessions"):
                if s.get("path") == path:
                    self.api(f"/api/sessions/{s['id']}", method="DELETE")
        except OSError as exc:
            log(f"  could not shut down the kernel of {path}: {exc}")

    def _wait_ready(self, timeout: float) -> None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SetupError(f"JupyterLab exited with status {self.proc.returncode}; see {rel(self.log_path)}")
            try:
                self.api("/api/status")
                log(f"  JupyterLab up in {time.monotonic() - t0:.1f}s")
                return
            except OSError:
                time.sleep(0.5)
        raise SetupError(f"JupyterLab did not answer within {timeout:.0f}s; see {rel(self.log_path)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            # lab.sh execs jupyter, so this is JupyterLab's own process group (it shuts down its kernels).
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def rel(p: Path) -> str:
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


# --- the page ------------------------------------------------------------------------------------

# JavaScript run in the page. `panel` is the notebook's NotebookPanel (window.jupyterapp is exposed
# by --LabApp.expose_app_in_browser).
JS_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
}
"""

JS_READY = f"""
(path) => {{
  const panel = ({JS_PANEL})(path);
  if (!panel || !panel.context.isReady || !panel.sessionContext.isReady) return null;
  const sc = panel.sessionContext;
  return {{
    kernel: sc.session && sc.session.kernel ? sc.session.kernel.name : null,
    status: sc.kernelDisplayStatus,
    cells: panel.content.widgets.length,
  }};
}}
"""

JS_STATE = f"""
(path) => {{
  const panel = ({JS_PANEL})(path);
  if (!panel) return null;
  let queued = 0, counted = 0, code = 0;
  for (const cell of panel.content.widgets) {{
    if (cell.model.type !== 'code') continue;
    code++;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    const text = prompt ? prompt.textContent : '';
    if (text.includes('*')) queued++;
    else if (cell.model.executionCount != null) counted++;
  }}
  return {{ queued, counted, code, status: panel.sessionContext.kernelDisplayStatus }};
}}
"""

# Everything about each cell the checks need: the model's source, tags and outputs (nbformat
# JSON, as the kernel sent them) and what the page shows.
JS_CELLS = f"""
async (path) => {{
  const panel = ({JS_PANEL})(path);
  const cells = [];
  for (const cell of panel.content.widgets) {{
    const m = cell.model;
    const item = {{
      type: m.type,
      source: m.sharedModel.getSource(),
      tags: m.getMetadata ? (m.getMetadata('tags') || []) : [],
    }};
    if (m.type === 'code') {{
      item.execution_count = m.executionCount;
      item.outputs = m.outputs.toJSON();
      const node = cell.node;
      item.red = Array.from(node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
        .map(e => e.textContent.slice(0, 300));
      item.untrusted = node.querySelector('.jp-OutputArea')?.textContent
        .includes('Cannot display an untrusted') || false;
      const charts = [];
      for (const img of node.querySelectorAll('.jp-OutputArea-output img')) {{
        const src = img.getAttribute('src') || '';
        if (!src.startsWith('data:image/svg+xml')) continue;
        try {{ await img.decode(); }} catch (e) {{}}
        const r = img.getBoundingClientRect();
        const svg = decodeURIComponent(src.slice(src.indexOf(',') + 1));
        const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
        const root = doc.documentElement;
        charts.push({{
          kind: 'img', natural: [img.naturalWidth, img.naturalHeight], box: [r.width, r.height],
          parse_error: doc.getElementsByTagName('parsererror').length > 0 || root.nodeName !== 'svg',
          children: root.childElementCount,
        }});
      }}
      for (const svg of node.querySelectorAll('.jp-OutputArea-output svg')) {{
        if (svg.parentElement && svg.parentElement.closest('svg')) continue;  // nested
        const r = svg.getBoundingClientRect();
        charts.push({{ kind: 'svg', box: [r.width, r.height], children: svg.childElementCount }});
      }}
      item.charts = charts;
    }}
    cells.push(item);
  }}
  return cells;
}}
"""


def exactly(label: str) -> re.Pattern:
    """A whole menu label: "Run All Cells", not "Restart Kernel and Run All Cells…"."""
    return re.compile(rf"^\s*{re.escape(label)}\s*$")


def menu(page, top: str, item: str) -> None:
    """Click a JupyterLab menu-bar menu and one of its items."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=exactly(top)).first.click()
    entry = page.locator(".lm-Menu-content .lm-Menu-itemLabel").filter(has_text=exactly(item)).first
    entry.wait_for(state="visible", timeout=10_000)
    entry.click()


def dismiss_dialogs(page, problems: list[str]) -> None:
    """A kernel chooser gets the Rust kernel; any other dialog is reported and dismissed."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() == 0:
        return
    text = dialog.first.inner_text()
    select = dialog.first.locator("select")
    if select.count():
        labels = select.first.locator("option").all_inner_texts()
        rust = next((lab for lab in labels if lab.strip() == "Rust"), None)
        if rust is None:
            raise SetupError(f"kernel chooser has no 'Rust' kernel (options: {labels}); run scripts/setup.sh")
        select.first.select_option(label=rust)
        dialog.first.locator("button.jp-mod-accept").click()
        log("  chose the Rust kernel in JupyterLab's kernel dialog")
        return
    problems.append(f"unexpected dialog: {' '.join(text.split())[:200]}")
    page.keyboard.press("Escape")


def screenshot(page, path: str, out: Path) -> None:
    """The whole notebook in one image: grow the viewport to the notebook's full height."""
    try:
        page.evaluate(
            """() => { const app = window.jupyterapp;
                       if (app && !app.shell.leftCollapsed) app.shell.collapseLeft(); }"""
        )
        page.wait_for_timeout(300)
        inner = page.evaluate(
            f"""(path) => {{
                const panel = ({JS_PANEL})(path);
                if (!panel) return [0, 0];
                // the notebook's scroller (windowed panel), scrolled to the top
                const el = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
                el.scrollTop = 0;
                // down to the last cell's bottom edge (not the blank scroll-past-end space)
                const cells = panel.content.widgets;
                const last = cells.length ? cells[cells.length - 1].node : null;
                const bottom = last ? last.getBoundingClientRect().bottom - el.getBoundingClientRect().top + 24
                                    : el.scrollHeight;
                return [Math.min(el.scrollHeight, Math.ceil(bottom)), el.clientHeight];
            }}""",
            path,
        )
        vp = page.viewport_size
        height = min(max(vp["height"], vp["height"] - inner[1] + inner[0] + 20), 32000)
        page.set_viewport_size({"width": vp["width"], "height": height})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out), full_page=True, timeout=120_000)
        page.set_viewport_size(vp)
        log(f"  screenshot: {rel(out)} ({vp['width']}x{height})")
    except PlaywrightError as exc:
        log(f"  screenshot failed: {exc}")


def cell_label(index: int, source: str) -> str:
    first = next((ln for ln in source.splitlines() if ln.strip()), "")
    if len(first) > 60:
        first = first[:57] + "..."
    return f"cell {index} [{first}]"


def check_cells(cells: list[dict]) -> list[str]:
    failures = []
    for index, c in enumerate(cells):
        if c["type"] != "code" or not c["source"].strip():
            continue
        label = cell_label(index, c["source"])
        problems: list[str] = []
        if c["execution_count"] is None:
            problems.append("not executed (no execution count): Run All stopped before it")
        else:
            node = nbformat.from_dict(
                {"cell_type": "code", "source": c["source"], "metadata": {"tags": c["tags"]}, "outputs": c["outputs"]}
            )
            problems += check_cell(node, None)
            if c["red"] and "allow-stderr" not in c["tags"] and not any(
                p.startswith(("error output", "stderr output", "panic")) for p in problems
            ):
                problems.append(f"red error/stderr block on the page: {c['red'][0].strip()[:300]}")
            if c["untrusted"]:
                problems.append("an output was not displayed (untrusted)")
            for n, chart in enumerate(c["charts"], 1):
                w, h = chart["box"]
                bad = []
                if w < 1 or h < 1:
                    bad.append(f"{w:.0f}x{h:.0f} px on the page")
                if chart["kind"] == "img":
                    if chart["natural"][0] < 1 or chart["natural"][1] < 1:
                        bad.append("the image did not decode")
                    if chart["parse_error"]:
                        bad.append("not well-formed SVG")
                if chart["children"] == 0:
                    bad.append("no child elements")
                if bad:
                    problems.append(f"SVG chart {n} does not render: " + ", ".join(bad))
            svg_expected = "expect-svg" in c["tags"] or "expect-mime:image/svg+xml" in c["tags"]
            if svg_expected and not c["charts"]:
                problems.append("tag expect-svg but no SVG chart on the page")
        if problems:
            if len(problems) > 6:
                problems = problems[:6] + [f"... and {len(problems) - 6} more"]
            problems = [p if len(p) <= 800 else p[:800] + " ..." for p in problems]
            failures.append(f"{label}:\n    " + "\n    ".join(p.replace("\n", "\n      ") for p in problems))
    return failures


# --- one notebook --------------------------------------------------------------------------------


def run_notebook(lab: Lab, browser, nb_path: Path, timeout: float) -> bool:
    name = nb_path.relative_to(NOTEBOOK_DIR).as_posix()
    shot = OUT_DIR / f"{nb_path.stem}.png"
    log(f"=== {rel(nb_path)}")
    t0 = time.monotonic()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    failures: list[str] = []
    try:
        # ?reset: an empty workspace, so only this notebook is open
        page.goto(f"{lab.base}/lab/tree/{name}?reset&token={lab.token}", timeout=120_000)
        # Wait for the notebook and its kernel session.
        info = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            dismiss_dialogs(page, failures)
            info = page.evaluate(JS_READY, name)
            if info and info["kernel"] and info["status"] == "idle":
                break
            page.wait_for_timeout(1000)
        else:
            raise SetupError(f"notebook or kernel not ready after 300s (state: {info})")
        if info["kernel"] != KERNEL_NAME:
            log(f"  kernel is {info['kernel']!r}: switching to {KERNEL_NAME!r}")
            page.evaluate(
                f"(path) => ({JS_PANEL})(path).sessionContext.changeKernel({{name: '{KERNEL_NAME}'}})", name
            )
            page.wait_for_function(
                f"""(path) => {{ const p = ({JS_PANEL})(path);
                    return p.sessionContext.session?.kernel?.name === '{KERNEL_NAME}'
                        && p.sessionContext.kernelDisplayStatus === 'idle'; }}""",
                arg=name,
                timeout=120_000,
            )
        sessions = [s for s in lab.api("/api/sessions") if s.get("path") == name]
        kernel = sessions[0]["kernel"]["name"] if sessions else None
        if kernel != KERNEL_NAME:
            raise SetupError(f"the server's session for {name} runs kernel {kernel!r}, not {KERNEL_NAME!r}")
        log(f"  kernel {KERNEL_NAME!r} idle after {time.monotonic() - t0:.1f}s; {info['cells']} cells")
        # The committed outputs and counts must not pass for this run's: clear them (in the page
        # only; autosave is off).
        menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(
            f"""(path) => ({JS_PANEL})(path).content.widgets.every(
                    c => c.model.type !== 'code' || (c.model.executionCount == null && c.model.outputs.length === 0))""",
            arg=name,
            timeout=30_000,
        )
        t_run = time.monotonic()
        menu(page, "Run", "Run All Cells")
        log("  Run > Run All Cells")
        # Done when nothing is queued or running and the kernel is idle, three polls in a row.
        quiet, last, state = 0, None, None
        while True:
            page.wait_for_timeout(2000)
            dismiss_dialogs(page, failures)
            state = page.evaluate(JS_STATE, name)
            if state is None:
                raise SetupError("the notebook was closed during the run")
            if state["counted"] != last:
                last = state["counted"]
                log(f"  {time.monotonic() - t_run:7.1f}s  {state['counted']}/{state['code']} cells done")
            if state["status"] == "dead":
                raise SetupError(f"the kernel died ({state['counted']}/{state['code']} cells done)")
            busy = state["queued"] > 0 or state["status"] not in ("idle", "unknown")
            quiet = 0 if busy else quiet + 1
            if quiet >= 3:
                break
            if time.monotonic() - t_run > timeout:
                raise SetupError(
                    f"Run All not finished after {timeout:.0f}s ({state['counted']}/{state['code']} cells done, "
                    f"kernel {state['status']})"
                )
        log(f"  ran in {time.monotonic() - t_run:.1f}s (kernel {state['status']})")
        failures += check_cells(page.evaluate(JS_CELLS, name))
        # Anything left on top of the notebook (a toast, a dialog) spoils the screenshot: report it.
        toasts = page.locator(".Toastify__toast")
        if toasts.count():
            log(f"  note: {toasts.count()} notification(s) on screen: {' '.join(toasts.first.inner_text().split())[:160]}")
    except (SetupError, PlaywrightError) as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        screenshot(page, name, shot)
        page.close()
        lab.shut_down(name)
    total = time.monotonic() - t0
    if failures:
        log(f"FAILED {rel(nb_path)} ({total:.1f}s)\n  " + "\n  ".join(failures))
        return False
    log(f"  passed {rel(nb_path)} in {total:.1f}s")
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    ap.add_argument("--timeout", type=float, default=1800, help="Run All timeout per notebook, seconds (default 1800)")
    ap.add_argument("--startup-timeout", type=float, default=300, help="JupyterLab start timeout, seconds")
    args = ap.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    if not paths:
        print("browser_test: no notebooks found", file=sys.stderr)
        return 1
    for p in paths:
        if not p.is_relative_to(NOTEBOOK_DIR.resolve()) or not p.exists():
            print(f"browser_test: {p} is not a notebook in {rel(NOTEBOOK_DIR)}/", file=sys.stderr)
            return 1
    if not os.access(CHROMIUM, os.X_OK):
        print(f"browser_test: no Chromium at {CHROMIUM}; run scripts/setup.sh (apt-get install chromium)", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    lab = None
    results: dict[Path, bool] = {}
    try:
        lab = Lab(args.startup_timeout)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for p in paths:
                    results[p] = run_notebook(lab, browser, p, args.timeout)
            finally:
                browser.close()
    except SetupError as exc:
        print(f"browser_test: {exc}", file=sys.stderr)
        return 2
    finally:
        if lab is not None:
            lab.stop()
    failed = [p for p, ok in results.items() if not ok]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    print(f"browser test total time {time.monotonic() - t0:.1f}s; screenshots in {rel(OUT_DIR)}/")
    for p in failed:
        print(f"  FAILED: {rel(p)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
