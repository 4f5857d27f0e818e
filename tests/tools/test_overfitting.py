"""The overfitting command: each remedy changes what it says, early stopping reads the curve."""

import pytest
import torch

from lessons_lib.tools import bench, overfitting
from lessons_lib.tools.overfitting import REMEDIES, best_step, load_overfitting, run_remedy


@pytest.fixture(scope="module")
def ids():
    torch.manual_seed(0)
    return torch.randint(0, 12, (3000,)), torch.randint(0, 12, (400,))


def test_each_remedy_changes_one_thing(ids):
    tiny = dict(steps=2, eval_every=2, eval_batches=1, slice_chars=1000, n_head=2, block_size=8)
    runs = {name: run_remedy(name, *ids, **tiny) for name in REMEDIES}
    base = runs["baseline (50k characters)"]
    assert base["train_chars"] == 1000 and base["config"]["n_embd"] == 64
    assert runs["more data (200k characters)"]["train_chars"] == 3000  # all there is
    assert runs["dropout 0.2"]["config"]["dropout"] == 0.2
    assert runs["weight decay 1.0"]["weight_decay"] == 1.0
    assert runs["smaller model (width 32)"]["parameters"] < base["parameters"] / 3


def test_an_unknown_remedy_lists_the_known_ones(ids):
    with pytest.raises(ValueError, match="Unknown remedy 'luck'; choose one of: baseline"):
        run_remedy("luck", *ids, steps=1)


def test_early_stopping_picks_the_lowest_validation_loss():
    run = {
        "steps": [0, 10, 20, 30],
        "train_loss": [3.0, 2.0, 1.5, 1.0],
        "val_loss": [3.0, 2.2, 2.1, 2.4],
    }
    assert best_step(run) == {"step": 20, "train": 1.5, "val": 2.1, "gap": pytest.approx(0.6)}


def test_the_command_runs_on_a_tiny_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(overfitting, "REMEDIES", {"baseline (50k characters)": {}})
    out = tmp_path / "overfitting.json"
    assert bench.main(["overfitting", "--steps", "2", "--out", str(out)]) == 0
    table = load_overfitting(out)
    assert [row["remedy"] for row in table["rows"]] == ["baseline (50k characters)"]
    assert table["check"]["steps"][-1] == 2


def test_the_shipped_baseline_overfits_and_every_remedy_narrows_the_gap():
    table = load_overfitting()
    rows = {row["remedy"]: row for row in table["rows"]}
    assert set(rows) == set(REMEDIES)
    base = rows["baseline (50k characters)"]
    assert base["val_loss"][-1] > best_step(base)["val"] + 0.05  # validation turned up
    assert base["train_loss"][-1] < base["val_loss"][-1] - 0.3  # and train kept falling
