"""Keep the course notebooks in order: badges and clean, in-order stored outputs.

    python -m lessons_lib badges            # rewrite every badge (and README link)
    python -m lessons_lib refresh [NB ...]  # run each notebook in a fresh kernel

Stored outputs come only from ``refresh``: it runs every notebook top to bottom in a fresh
kernel, in chapter order, headless (as the tests do), prints how long each took, its slowest
cell and the kernel's peak memory, and saves the outputs without per-run metadata. The run
time and the peak memory are recorded in the notebook's metadata (``RECORD_KEY``) and in the
README's chapter table, so Binder's 1-2 GB limit is checked by the tests.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

REPOSITORY = "llm-lessons/llm-lessons"  # owner/name on GitHub: the one place it is written
BRANCH = "main"
NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
TEST_ENVIRONMENT = {"LESSONS_HEADLESS": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}

_BADGE_LINE = re.compile(r"^\[!\[Open In Colab\].*$", re.M)
_INSTALL_URL = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+")
_README_URL = re.compile(
    r"(colab\.research\.google\.com/github/|mybinder\.org/v2/gh/)[\w.-]+/[\w.-]+"
)
README = NOTEBOOK_DIR.parent / "README.md"
RECORD_KEY = "lessons"
"""Notebook metadata written by ``refresh``: ``{"seconds": ..., "peak_memory_mb": ...}``."""


def colab_url(path: str) -> str:
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{path}"


def binder_url(path: str) -> str:
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={path.replace('/', '%2F')}"


def install_url() -> str:
    return f"git+https://github.com/{REPOSITORY}"


def badge_line(path: str) -> str:
    """The Colab and Binder badges for the notebook at ``path`` (relative to the repo root)."""
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(path)}) "
        f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(path)})"
    )


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def rewrite_badges(nb, path: str) -> None:
    """Point the title cell's badges and the setup cell's install URL at REPOSITORY."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _BADGE_LINE.sub(badge_line(path), cell.source)
        elif cell.cell_type == "code":
            cell.source = _INSTALL_URL.sub(install_url(), cell.source)


def rewrite_readme_links(text: str) -> str:
    """Point every Colab and Binder link of the README at REPOSITORY."""
    return _README_URL.sub(lambda m: m.group(1) + REPOSITORY, text)


def clean(nb) -> None:
    """Drop per-run and editor metadata so a refresh changes only what really changed."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("colab", None)
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "colab", "outputId", "id"):
            cell.metadata.pop(key, None)


def peak_memory_mb(pid: int | None) -> int | None:
    """The peak resident memory of process ``pid`` so far, in MB (Linux); None elsewhere."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except (OSError, TypeError):
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return round(int(found.group(1)) / 1024) if found else None


def refresh(path: Path, timeout: int = 600) -> tuple[float, float, int, int | None]:
    """Run one notebook in a fresh kernel and save it; returns (seconds, slowest cell s, its
    index, the kernel's peak memory in MB or None where it cannot be read)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    rewrite_badges(nb, f"notebooks/{path.name}")
    for key, value in TEST_ENVIRONMENT.items():
        os.environ[key] = value
    peaks: list[int | None] = []  # the kernel's high-water mark after each cell

    def after_cell(**_) -> None:
        peaks.append(peak_memory_mb(getattr(client.km.provisioner, "pid", None)))

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_executed=after_cell,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    slowest, slowest_index = 0.0, -1
    for index, cell in enumerate(nb.cells):
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            from datetime import datetime

            began = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            ended = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            if (ended - began).total_seconds() > slowest:
                slowest, slowest_index = (ended - began).total_seconds(), index
    peak = max((p for p in peaks if p is not None), default=None)
    clean(nb)
    nb.metadata[RECORD_KEY] = {"seconds": round(seconds), "peak_memory_mb": peak}
    nbformat.write(nb, path)
    return seconds, slowest, slowest_index, peak


def recorded(path: Path) -> dict:
    """What the last refresh recorded for the notebook at ``path`` (empty if never)."""
    import json

    return json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(RECORD_KEY, {})


def readme_with_records(text: str, path: Path, record: dict) -> str:
    """The README with the chapter row of ``path`` showing its recorded time and memory: the
    row's last two cells are ``"<seconds> s"`` and ``"<MB> MB"``."""
    row = re.compile(
        rf"^(\| \d\d \| \[[^\]]+\]\(notebooks/{re.escape(path.name)}\).*?)"
        r"\| [^|]* \| [^|]* \|$",
        re.M,
    )
    memory = f"{record['peak_memory_mb']:,} MB" if record.get("peak_memory_mb") else "n/a"
    return row.sub(lambda m: f"{m.group(1)}| {record['seconds']} s | {memory} |", text)


def refresh_command(argv: list[str] | None = None) -> int:
    """``python -m lessons_lib refresh [NOTEBOOK ...]``: run and store, in chapter order."""
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib refresh",
        description="Run each notebook top to bottom in a fresh kernel, headless, and store "
        "its outputs; print its run time and slowest cell.",
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    args = parser.parse_args(argv)
    for path in [p.resolve() for p in args.notebooks] or notebook_paths():
        seconds, slowest, index, peak = refresh(path)
        memory = f"{peak:,} MB" if peak else "not measured here"
        print(
            f"{path.name}: {seconds:.1f} s in all, slowest cell #{index} {slowest:.1f} s, "
            f"kernel peak memory {memory}"
        )
        README.write_text(
            readme_with_records(README.read_text(encoding="utf-8"), path, recorded(path)),
            encoding="utf-8",
        )
    return 0


def badges_command(argv: list[str] | None = None) -> int:
    """``python -m lessons_lib badges``: point every badge and README link at REPOSITORY."""
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib badges",
        description=f"Rewrite every notebook's Colab and Binder badges, the Colab install line "
        f"and the README's links for the repository {REPOSITORY} (edit REPOSITORY in "
        "lessons_lib/tools/notebooks.py to move the course).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    args = parser.parse_args(argv)
    import nbformat

    for path in [p.resolve() for p in args.notebooks] or notebook_paths():
        nb = nbformat.read(path, as_version=4)
        rewrite_badges(nb, f"notebooks/{path.name}")
        nbformat.write(nb, path)
        print(f"badges rewritten: {path.name}")
    if README.exists():
        README.write_text(
            rewrite_readme_links(README.read_text(encoding="utf-8")), encoding="utf-8"
        )
        print("badges rewritten: README.md")
    return 0
