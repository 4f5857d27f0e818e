"""Test settings and helpers shared by the unit tests and the notebooks run under nbval.

The settings are made before any kernel starts, so the notebooks inherit them: widget demos
draw once statically and tqdm writes no progress bars.
"""

import os

import pytest
import torch

from lessons_lib.tools.notebooks import TEST_ENVIRONMENT

os.environ.update(TEST_ENVIRONMENT)
os.environ.setdefault("MPLBACKEND", "Agg")


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
