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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--held-out", "-3"], "argument --held-out: must be an int >= 10, got '-3'"),
        (["--held-out", "0"], "argument --held-out: must be an int >= 10, got '0'"),
        (["--steps", "0"], "argument --steps: must be an int >= 1, got '0'"),
        (["--seed", "x"], "argument --seed: must be a whole number, got 'x'"),
    ],
)
def test_bad_flags_stop_the_command_before_training(argv, message, monkeypatch, capsys):
    monkeypatch.setattr(command, "train_translator", lambda *a, **k: pytest.fail("trained"))
    with pytest.raises(SystemExit) as stop:
        command.main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.slow
def test_what_was_trained_is_saved_before_scoring(tmp_path, monkeypatch, capsys):
    def scoring_fails(*args, **kwargs):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr(command, "score", scoring_fails)
    with pytest.raises(RuntimeError, match="scoring failed"):
        command.main(["--steps", "3", "--out", str(tmp_path / "try")])
    assert "saved the trained translator" in capsys.readouterr().out
    assert isinstance(load_translator(tmp_path / "try").translate("May 1, 2020"), str)
