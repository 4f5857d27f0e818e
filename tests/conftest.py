"""Test settings and helpers shared by the unit tests and the notebooks run under nbval.

The settings are made before any kernel starts, so the notebooks inherit them: widget demos
draw once statically and tqdm writes no progress bars.
"""

import os

import pytest

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
