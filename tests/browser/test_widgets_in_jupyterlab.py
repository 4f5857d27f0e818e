"""The widget demos, live in a real browser: JupyterLab 4 driven by headless Chromium.

nbval runs every cell but never renders a widget. Here a real JupyterLab (started on
127.0.0.1 with a token, a fresh workspace and copies of the notebooks) runs each chapter with
a widget demo top to bottom; then every demo must show its controls, and changing one control
(a dropdown option, a slider's value) must redraw its output. Screenshots of each demo before
and after the change are saved under the test's ``tmp_path``.

Needs Debian's ``chromium`` and the PyPI ``playwright`` package (``.ci/run`` installs both);
elsewhere the test is skipped with a one-line reason, except in CI (``LESSONS_CI=1``), where a
missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these, Chromium floods the closed network
    "--disable-component-update",
    "--disable-sync",
]
# The chapters with widget demos and how many each has.
DEMOS = {
    "02_tokenization.ipynb": 1,
    "03_feed_forward_networks.ipynb": 2,
    "04_softmax_and_sampling.ipynb": 2,
    "05_self_attention.ipynb": 1,
    "06_gpt_from_scratch.ipynb": 1,
}
# JupyterLab's settings for the test: no news pop-up over the page.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _missing_browser() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the PyPI package playwright is not installed (pip install playwright)"
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over copies of the widget chapters: (url, token, folder)."""
    why = _missing_browser()
    if why:
        if os.environ.get("LESSONS_CI"):
            pytest.fail(f"CI must run the browser test, but {why}")
        pytest.skip(f"no real browser here: {why}")
    folder = tmp_path_factory.mktemp("lab")
    for name in DEMOS:  # without their stored outputs: every output below is this run's
        notebook = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (folder / name).write_text(json.dumps(notebook), encoding="utf-8")
    settings = folder / ".settings"
    for relative, values in SETTINGS.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    token, port = secrets.token_hex(16), _free_port()
    # the kernels must see a browser (no LESSONS_HEADLESS); progress bars are widgets too but
    # not demos: off, as in the nbval run
    env = {k: v for k, v in os.environ.items() if k != "LESSONS_HEADLESS"}
    env["TQDM_DISABLE"] = "1"
    log = (folder / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={folder}",
            f"--LabApp.workspaces_dir={folder / '.workspaces'}",
            f"--LabApp.user_settings_dir={settings}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: scroll to a cell
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start: {(folder / 'jupyterlab.log').read_text()}")
        yield url, token, folder
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _run_all(page, url: str, token: str, folder: Path, name: str, shots: Path) -> dict:
    """Open ``name``, Run All, wait until every code cell has run and the kernel is idle; return
    the notebook as saved from the browser (its outputs are what the learner saw)."""
    # a workspace of its own, reset: only this notebook is open (not the last test's too)
    page.goto(f"{url}/lab/workspaces/{name[:2]}/tree/{name}?token={token}&reset")
    # Run All before the kernel is connected is lost (seen once in CI on a fresh machine)
    page.wait_for_function(_KERNEL_READY, timeout=120_000)
    deadline = time.monotonic() + int(os.environ.get("LESSONS_BROWSER_TIMEOUT", 600))
    clicked = 0
    while time.monotonic() < deadline:
        progress = page.evaluate(_PROGRESS)
        if progress["ran"] == progress["total"] and progress["idle"]:
            page.keyboard.press("Control+s")
            return _saved(folder, name)
        if not (progress["ran"] or progress["running"]) and progress["idle"] and clicked < 3:
            # nothing ran, nothing runs, the kernel waits: Run All (again), as a learner would
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            clicked += 1
        time.sleep(10 if clicked else 1)
    page.screenshot(path=str(shots / f"{name[:2]}_timeout.png"))
    log = (folder / "jupyterlab.log").read_text(encoding="utf-8")[-3000:]
    pytest.fail(
        f"{name}: Run All (clicked {clicked} times) did not finish in time: "
        f"{page.evaluate(_PROGRESS)}; JupyterLab's log ends:\n{log}"
    )


def _saved(folder: Path, name: str) -> dict:
    """The notebook as the browser saved it (Ctrl+S), once the file shows every cell run."""
    for _ in range(30):
        time.sleep(1)
        saved = json.loads((folder / name).read_text(encoding="utf-8"))
        code = [c for c in saved["cells"] if c["cell_type"] == "code" and "".join(c["source"])]
        if all(c["execution_count"] for c in code):
            return saved
    pytest.fail(f"{name}: Ctrl+S did not save the run notebook within 30 s")


# The open notebook's kernel is connected and idle.
_KERNEL_READY = """() => {
    const panel = window.jupyterapp?.shell?.currentWidget;
    const kernel = panel?.sessionContext?.session?.kernel;
    return Boolean(panel?.context?.isReady && kernel && kernel.status === "idle"
                   && kernel.connectionStatus === "connected");
}"""
# How far Run All has come: code cells that ran, that run or wait now, in all; kernel idle.
_PROGRESS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const code = panel.content.widgets.filter(
        cell => cell.model.type === "code" && cell.model.sharedModel.getSource().trim());
    return {
        ran: code.filter(cell => cell.model.executionCount).length,
        running: code.filter(cell => cell.model.executionState === "running").length,
        total: code.length,
        idle: panel.sessionContext.session?.kernel?.status === "idle",
        dialogs: [...document.querySelectorAll(".jp-Dialog")].map(d => d.innerText),
    };
}"""


def _errors(saved: dict) -> list[str]:
    """Each error shown in the saved notebook, as 'cell N: ErrorName: message'."""
    return [
        f"cell {index}: {out['ename']}: {out['evalue'][:200]}"
        for index, cell in enumerate(saved["cells"])
        for out in cell.get("outputs", [])
        if out["output_type"] == "error"
    ]


def _demo_cells(saved: dict) -> list[int]:
    """The indices of the cells whose output is a widget."""
    return [
        index
        for index, cell in enumerate(saved["cells"])
        if any(WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))
    ]


def _show_cell(page, index: int):
    """Scroll cell ``index`` into view (JupyterLab draws only the cells in view) and return it."""
    page.evaluate(
        """async (index) => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            notebook.activeCellIndex = index;
            await notebook.scrollToItem(index, "start");
        }""",
        index,
    )
    cell = page.locator(f'.jp-Cell[data-windowed-list-index="{index}"]')
    cell.locator(".jupyter-widgets").first.wait_for(timeout=30_000)
    return cell


def _output_of(demo):
    """What a demo draws: the picture of an interactive figure, or an explorer's HTML view."""
    return demo.locator(".widget-output img, .widget-html-content").first


def _change_one_control(demo) -> str:
    """Move the demo's first control to another value, as a learner would; say what changed."""
    dropdowns = demo.locator("select")
    if dropdowns.count():
        select = dropdowns.first
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("element => element.selectedIndex")
        choice = (current + 1) % len(options)
        select.select_option(index=choice)
        return f"dropdown {options[current]!r} -> {options[choice]!r}"
    handle = demo.locator(".noUi-handle").first  # a slider: step it with the keyboard
    now, top = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
    handle.focus()
    handle.press("ArrowLeft" if now >= top else "ArrowRight")
    return f"slider {now:g} -> {handle.get_attribute('aria-valuenow')}"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEMOS))
def test_every_widget_demo_renders_and_redraws_when_a_control_changes(name, lab, browser, tmp_path):
    url, token, folder = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1800})  # tall demos fit
    try:
        saved = _run_all(page, url, token, folder, name, tmp_path)
        assert not _errors(saved), f"{name}: cells with errors: {_errors(saved)}"
        cells = _demo_cells(saved)
        assert len(cells) == DEMOS[name], f"{name}: widget demos in cells {cells}"
        for index in cells:
            demo = _show_cell(page, index).locator(".jp-OutputArea-output").first
            controls = demo.locator("select, .widget-slider")
            assert controls.count() >= 1, f"{name}, cell {index}: no controls rendered"
            output = _output_of(demo)
            output.wait_for(timeout=30_000)
            before = output.evaluate("element => element.outerHTML")
            demo.screenshot(path=str(tmp_path / f"{name[:2]}_cell{index}_before.png"))
            changed = _change_one_control(demo)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                after = _output_of(demo).evaluate("element => element.outerHTML")
                if after != before:
                    break
                time.sleep(0.25)
            time.sleep(0.5)  # let the new picture finish drawing before the screenshot
            demo.screenshot(path=str(tmp_path / f"{name[:2]}_cell{index}_after.png"))
            assert after != before, f"{name}, cell {index}: {changed} did not redraw the output"
    finally:
        page.close()
