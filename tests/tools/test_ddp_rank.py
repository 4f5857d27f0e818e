"""The program torchrun starts per rank: outside torchrun it says how to start a run."""

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_started_by_hand_it_names_the_command_to_use():
    done = subprocess.run(
        [sys.executable, "-m", "lessons_lib.tools.ddp_rank", "--steps", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert done.returncode != 0
    assert "needs torchrun's environment" in done.stderr
    assert "python -m lessons_lib ddp --nproc 2" in done.stderr
