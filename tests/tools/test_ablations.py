"""The ablation command: each variant removes what it says, and the table is written."""

import json

import pytest
import torch

from lessons_lib.tools import ablations, bench
from lessons_lib.tools.ablations import (
    VARIANTS,
    Nothing,
    ablation_report,
    build_variant,
    load_ablations,
    run_ablation,
    write_table,
)

TINY = dict(n_layer=2, n_head=2, n_embd=16, block_size=16)


def test_every_variant_builds_and_runs():
    idx = torch.randint(0, 20, (2, 16))
    for name in VARIANTS:
        model = build_variant(name, 20, **TINY)
        logits, _ = model(idx)
        assert logits.shape == (2, 16, 20), name


def test_each_variant_removes_what_its_name_says():
    assert all(isinstance(b.attn, Nothing) for b in build_variant("no attention", 20).blocks)
    assert all(isinstance(b.ffn, Nothing) for b in build_variant("no feed-forward", 20).blocks)
    no_norms = build_variant("no layer norms", 20)
    assert not any(isinstance(m, torch.nn.LayerNorm) for m in no_norms.modules())
    assert build_variant("one head (of 4)", 20).config.n_head == 1
    assert build_variant("RoPE positions", 20).config.position == "rope"
    assert build_variant("sinusoidal positions", 20).config.position == "sinusoidal"


def test_without_residuals_the_input_is_replaced_not_added():
    torch.manual_seed(0)
    full = build_variant("full model", 20, **TINY)
    torch.manual_seed(0)
    plain = build_variant("no residual connections", 20, **TINY)
    x = torch.randn(1, 5, 16)
    block, plain_block = full.blocks[0], plain.blocks[0]
    with torch.no_grad():
        replaced = plain_block(x)
        by_hand = block.ffn(block.norm2(block.attn(block.norm1(x))))
    torch.testing.assert_close(replaced, by_hand)
    assert not torch.allclose(replaced, block(x))


def test_an_unknown_variant_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown ablation 'no heads'; choose one of: full"):
        build_variant("no heads", 20)


def test_one_row_trains_and_scores():
    ids = torch.randint(0, 20, (3000,))
    row = run_ablation("no attention", ids[:2000], ids[2000:], steps=3, **TINY)
    assert row["variant"] == "no attention" and 0 < row["val_loss"] < 10
    assert row["parameters"] < sum(
        p.numel() for p in build_variant("full model", 20, **TINY).parameters()
    )


def test_the_command_writes_a_table_on_a_tiny_run(tmp_path, monkeypatch, capsys):
    real = ablations.run_ablations
    monkeypatch.setattr(
        ablations,
        "run_ablations",
        lambda steps, seed: real(
            steps, seed, names=["full model", "no attention"], val_chars=500, **TINY
        ),
    )
    out = tmp_path / "table.json"
    assert bench.main(["ablations", "--steps", "2", "--out", str(out)]) == 0
    table = json.loads(out.read_text())
    assert [r["variant"] for r in table["rows"]] == ["full model", "no attention"]
    assert table["steps"] == 2 and table["torch"] == torch.__version__
    assert "--steps 2" in table["command"]
    assert "vs full" in capsys.readouterr().out


def test_the_report_and_the_loader(tmp_path):
    table = {
        "steps": 5,
        "seed": 0,
        "torch": "x",
        "rows": [
            {"variant": "full model", "val_loss": 2.0, "parameters": 10, "train_seconds": 1.0},
            {"variant": "no attention", "val_loss": 2.5, "parameters": 8, "train_seconds": 0.5},
        ],
    }
    text = ablation_report(table)
    assert text.index("full model") < text.index("no attention")  # best first
    assert "+0.500" in text
    write_table(table, tmp_path / "t.json")
    assert load_ablations(tmp_path / "t.json") == table
    with pytest.raises(FileNotFoundError, match="bench ablations"):
        load_ablations(tmp_path / "missing.json")
