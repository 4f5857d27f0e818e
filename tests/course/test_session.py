"""Tests of course.session: seeding, device choice, headless flag, setup and show_source."""

from __future__ import annotations

import random

import matplotlib as mpl
import numpy as np
import pytest
import torch

from lessons_lib.course import session as env


def _draws() -> tuple[float, float, torch.Tensor]:
    return random.random(), float(np.random.rand()), torch.rand(3)


def test_set_seed_makes_python_numpy_and_torch_repeatable():
    env.set_seed(123)
    first = _draws()
    env.set_seed(123)
    second = _draws()
    assert first[:2] == second[:2]
    torch.testing.assert_close(first[2], second[2])


def test_different_seeds_give_different_numbers():
    env.set_seed(1)
    a = _draws()
    env.set_seed(2)
    b = _draws()
    assert a[0] != b[0] and a[1] != b[1]
    assert not torch.equal(a[2], b[2])


def test_set_seed_matches_torch_manual_seed():
    env.set_seed(7)
    ours = torch.rand(4)
    torch.manual_seed(7)
    torch.testing.assert_close(ours, torch.rand(4))


def test_get_device_is_cpu_without_accelerators(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert env.get_device() == torch.device("cpu")


def test_get_device_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert env.get_device() == torch.device("cuda")


def test_get_device_uses_mps_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert env.get_device() == torch.device("mps")


def test_get_device_here_is_a_usable_device():
    device = env.get_device()
    assert isinstance(device, torch.device)
    assert torch.zeros(2, device=device).sum().item() == 0.0


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True)])
def test_is_headless_reads_the_variable(monkeypatch, value, expected):
    monkeypatch.setenv(env.HEADLESS_VARIABLE, value)
    assert env.is_headless() is expected


def test_is_headless_false_when_unset(monkeypatch):
    monkeypatch.delenv(env.HEADLESS_VARIABLE, raising=False)
    assert env.is_headless() is False


def test_setup_seeds_sets_style_prints_one_line_and_returns_device(capsys):
    with mpl.rc_context():
        device = env.setup(seed=5)
        seeded = torch.rand(3)
        for key, value in env.PLOT_STYLE.items():
            got = mpl.rcParams[key]
            assert (tuple(got) if isinstance(got, list) else got) == value, key
    assert device == env.get_device()
    torch.manual_seed(5)
    torch.testing.assert_close(seeded, torch.rand(3))
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("lessons_lib ready")
    assert f"torch {torch.__version__}" in out and "seed 5" in out and f"device {device}" in out


def test_show_source_prints_source_outside_ipython(capsys):
    assert env.show_source(env.set_seed) is None
    out = capsys.readouterr().out
    assert out.startswith("def set_seed(seed: int = 0) -> None:")
    assert "torch.manual_seed(seed)" in out


def test_show_source_returns_code_object_in_ipython(monkeypatch, capsys):
    import IPython
    from IPython.display import Code

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    shown = env.show_source(env.get_device)
    assert isinstance(shown, Code)
    assert "def get_device()" in shown.data
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("obj", [len, 42, torch.zeros(1)])
def test_show_source_rejects_builtins_and_instances(obj):
    with pytest.raises(TypeError, match="Cannot show the source of .*pass a function, class"):
        env.show_source(obj)


@pytest.mark.parametrize("seed", ["42", 1.5, -1, True])
def test_set_seed_names_a_seed_that_is_not_a_whole_number(seed):
    with pytest.raises(ValueError, match=r"seed \(e.g. 0\) must be an int >= 0, got"):
        env.set_seed(seed)


def test_set_seed_names_numpys_limit():
    with pytest.raises(ValueError, match=r"seed must be below 2\*\*32"):
        env.set_seed(2**32)


def test_quiet_transformers_silences_logs_and_bars_and_restores_both():
    import transformers

    from lessons_lib.course.session import quiet_transformers

    logging = transformers.utils.logging
    logging.set_verbosity_warning()
    logging.enable_progress_bar()
    with quiet_transformers():
        assert logging.get_verbosity() == logging.ERROR  # the load report is a warning
        assert not logging.is_progress_bar_enabled()
    assert logging.get_verbosity() == logging.WARNING
    assert logging.is_progress_bar_enabled()
