"""The scaling command: one curve is the start of a longer one, the table is written whole."""

import json

import pytest
import torch

from lessons_lib.tools import bench, scaling
from lessons_lib.tools.scaling import load_scaling, non_embedding_parameters, run_curve

TINY = dict(n_embd=8, n_head=2, block_size=8)


@pytest.fixture(scope="module")
def ids():
    periodic = torch.arange(2400) % 12  # a sequence there is something to learn about
    return periodic[:2000], periodic[2000:]


def test_a_curve_records_every_evaluation_and_the_tokens_seen(ids):
    run = run_curve(*ids, steps=20, eval_every=5, eval_batches=2, **TINY)
    assert run["steps"] == [0, 5, 10, 15, 20]
    assert run["tokens"] == [s * scaling.RECIPE["batch_size"] * 8 for s in run["steps"]]
    assert len(run["train_loss"]) == len(run["val_loss"]) == 5
    assert run["parameters"] > run["non_embedding"] > 0
    assert run["final_val_loss"] < run["val_loss"][0]  # it learned the cycle a little


def test_a_short_run_is_the_start_of_a_long_one(ids):
    # constant learning rate and one seed: what chapter 09 relies on to re-run a point live
    short = run_curve(*ids, steps=10, eval_every=5, eval_batches=2, **TINY)
    long = run_curve(*ids, steps=20, eval_every=5, eval_batches=2, **TINY)
    assert long["val_loss"][: len(short["val_loss"])] == pytest.approx(short["val_loss"])


def test_non_embedding_parameters_leave_out_both_tables():
    from lessons_lib.models.gpt import GPT, GPTConfig

    model = GPT(GPTConfig(vocab_size=10, n_layer=1, n_head=2, n_embd=8, block_size=4))
    total = sum(p.numel() for p in model.parameters())
    assert non_embedding_parameters(model) == total - 10 * 8 - 4 * 8


def test_the_command_writes_a_table_the_loader_reads(tmp_path, capsys):
    out = tmp_path / "scaling.json"
    argv = ["scaling", "--steps", "4", "--widths", "8", "--quick", "--out", str(out)]
    assert bench.main(argv) == 0
    table = load_scaling(out)
    assert table["command"].startswith("python -m lessons_lib bench scaling --steps 4")
    assert [row["sweep"] for row in table["rows"]] == ["size"]
    assert table["check"]["steps"][-1] == 4  # the check run is never longer than the sweep
    assert json.loads(out.read_text())["torch"] == torch.__version__
    assert "wrote" in capsys.readouterr().out


def test_a_missing_table_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m lessons_lib bench scaling"):
        load_scaling(tmp_path / "none.json")


def test_the_shipped_table_holds_every_sweep():
    table = load_scaling()
    sweeps = [row["sweep"] for row in table["rows"]]
    assert sweeps.count("size") == len(scaling.WIDTHS)
    assert sweeps.count("data") == len(scaling.DATA_CHARS)
    assert sweeps.count("noise") == len(scaling.NOISE_SHARES)
    sizes = sorted(
        (r for r in table["rows"] if r["sweep"] == "size"), key=lambda r: r["parameters"]
    )
    assert sizes[-1]["final_val_loss"] < sizes[0]["final_val_loss"]  # bigger is better here
