"""Tests of tools.translator: the command that trains, scores and ships the date translator."""

from __future__ import annotations

import pytest

from lessons_lib.apps.translator_checkpoint import TRANSLATOR_CHECKPOINT, load_translator
from lessons_lib.tools import translator as command


def test_sacrebleu_scores_chinese_by_characters():
    references = ["2021年3月5日", "1999年12月31日"]
    perfect = command.sacrebleu_scores(references, references)
    assert perfect == {"bleu": 100.0, "chrf": 100.0}
    wrong_day = command.sacrebleu_scores(references, ["2021年3月6日", "1999年12月31日"])
    assert 50 < wrong_day["bleu"] < 100 and 50 < wrong_day["chrf"] < 100


def test_the_command_writes_to_the_shipped_checkpoint_by_default(capsys):
    with pytest.raises(SystemExit) as stop:
        command.main(["--help"])
    assert stop.value.code == 0
    assert "python -m lessons_lib translator" in capsys.readouterr().out
    assert TRANSLATOR_CHECKPOINT.name == "date_translator"


@pytest.mark.slow
def test_a_short_run_saves_scores_that_load(tmp_path, capsys):
    assert command.main(["--steps", "5", "--held-out", "40", "--out", str(tmp_path / "try")]) == 0
    assert "steps=5" in capsys.readouterr().out
    model = load_translator(tmp_path / "try")
    assert isinstance(model.translate("May 1, 2020"), str)
