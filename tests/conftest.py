"""Test settings and helpers shared by the unit tests and the notebooks run under nbval.

The settings are made before any kernel starts, so the notebooks inherit them: widget demos
draw once statically and tqdm writes no progress bars.
"""

import collections
import os

import pytest
import torch

from lessons_lib.pretrained.minilm import load_minilm
from lessons_lib.tools.notebooks import TEST_ENVIRONMENT

os.environ.update(TEST_ENVIRONMENT)
os.environ.setdefault("MPLBACKEND", "Agg")

# The stages of a test run, each with its seconds in the summary (CI's log shows a slow one).
STAGES = ("unit tests", "notebooks", "browser")
_stage_seconds: dict[str, float] = collections.defaultdict(float)
_stage_tests: dict[str, int] = collections.defaultdict(int)


def stage_of(nodeid: str) -> str:
    if nodeid.startswith("notebooks/"):
        return "notebooks"
    if nodeid.startswith("tests/browser/"):
        return "browser"
    return "unit tests"


class StageClock:
    """Adds up each stage's seconds and prints them at the end of the run. Registered as a
    plugin: a conftest's own hooks would see only the tests below it, not the notebooks."""

    def pytest_runtest_logreport(self, report):
        stage = stage_of(report.nodeid)
        _stage_seconds[stage] += report.duration  # setup, call and teardown
        _stage_tests[stage] += report.when == "call"

    def pytest_terminal_summary(self, terminalreporter):
        for stage in STAGES:
            if _stage_tests[stage]:
                terminalreporter.write_line(
                    f"stage {stage}: {_stage_seconds[stage]:.0f} s ({_stage_tests[stage]} tests)"
                )


def pytest_configure(config):
    config.pluginmanager.register(StageClock(), "lessons-stage-clock")


@pytest.fixture
def assert_specific_hint():
    """``assert_specific_hint(name, answer, hint)``: a wrong ``answer`` fails the check of
    exercise ``name`` with ``hint`` in its message, followed by the pointer to the solution."""
    from lessons_lib import exercises as ex

    def check(name: str, answer, hint: str) -> None:
        passed, message = ex.run_check(name, answer)
        assert not passed
        assert hint in message, message
        assert message.endswith(f'(Hint: ex.solution("{name}") shows one answer.)')

    return check


@pytest.fixture
def random_bigram():
    """``random_bigram(V, seed=0)``: a BigramLM over V tokens with random, seeded scores, so
    that its loss is not the ln V of a fresh model."""
    from lessons_lib import BigramLM

    def make(vocab_size: int, seed: int = 0) -> BigramLM:
        model = BigramLM(vocab_size)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            model.logits_table.weight.copy_(torch.randn(vocab_size, vocab_size, generator=g))
        return model

    return make


# all-MiniLM-L6-v2, loaded once, for test_bert.py (models) and test_minilm.py (pretrained)
@pytest.fixture(scope="session")
def minilm():
    """(model, tokenizer) of all-MiniLM-L6-v2 in the course's BertEncoder; a test that changes
    the model (e.g. ``.double()``) puts it back."""
    return load_minilm()


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    """Sentences of every kind: long, short, accented, Chinese, padded against each other."""
    return [
        "To be, or not to be, that is the question.",
        "A cat sat on the mat.",
        "Attention is all you need, they said; then came the long nights of debugging.",
        "Café naïve résumé",
        "我爱自然语言处理",
        "Hi",
    ]
