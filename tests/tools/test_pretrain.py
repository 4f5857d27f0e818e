"""Tests of tools.pretrain: the data, recipe and command that made the shipped checkpoint."""

from __future__ import annotations

import pytest

from lessons_lib.tools import pretrain
from lessons_lib.training.checkpoint import CHECKPOINT


def test_the_data_is_the_course_split_of_shakespeare():
    tokenizer, train_ids, val_ids = pretrain.shakespeare_data()
    assert tokenizer.vocab_size == 76
    total = len(train_ids) + len(val_ids)
    assert abs(len(train_ids) / total - 0.9) < 1e-3  # the 90 / 10 split of every chapter
    assert int(train_ids.max()) < 76 and int(val_ids.min()) >= 0


def test_the_recipe_fits_a_gpt_config():
    config = pretrain.GPTConfig(vocab_size=76, **pretrain.PRETRAIN_CONFIG)
    assert config.n_embd % config.n_head == 0
    assert set(pretrain.PRETRAIN_RECIPE) <= {"batch_size", "lr", "warmup", "weight_decay"}


def test_the_command_writes_to_the_shipped_checkpoint_by_default(capsys):
    with pytest.raises(SystemExit) as stop:
        pretrain.main(["--help"])
    assert stop.value.code == 0
    assert "python -m lessons_lib pretrain" in capsys.readouterr().out
    assert CHECKPOINT.name == "shakespeare_gpt"


@pytest.mark.slow
def test_a_short_run_saves_a_checkpoint_that_loads(tmp_path, monkeypatch, capsys):
    from lessons_lib.training.checkpoint import load_pretrained

    def tiny(**config):  # the shipped recipe's shape at a size that trains in a second
        return dict(config, n_layer=1, n_embd=32, n_head=2, block_size=32)

    monkeypatch.setattr(pretrain, "PRETRAIN_CONFIG", tiny(**pretrain.PRETRAIN_CONFIG))
    assert pretrain.main(["--minutes", "0.02", "--out", str(tmp_path / "run")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("val_loss=")
    model, tokenizer = load_pretrained(tmp_path / "run")
    assert model.config.n_layer == 1 and tokenizer.vocab_size == 76


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--minutes", "-1"], "argument --minutes: must be a number > 0, got '-1'"),
        (["--minutes", "nan"], "argument --minutes: must be a number > 0, got 'nan'"),
        (["--seed", "-1"], "argument --seed: must be an int >= 0, got '-1'"),
    ],
)
def test_bad_flags_stop_the_command_before_loading_data(argv, message, monkeypatch, capsys):
    monkeypatch.setattr(pretrain, "shakespeare_data", lambda: pytest.fail("loaded the data"))
    with pytest.raises(SystemExit) as stop:
        pretrain.main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err
