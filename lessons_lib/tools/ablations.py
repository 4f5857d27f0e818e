"""What each part of the GPT buys: train the same model with one part removed (chapter 06).

    python -m lessons_lib bench ablations                 # every variant, 800 steps each
    python -m lessons_lib bench ablations --steps 50 --out /tmp/ablations.json   # quick

Every variant is chapter 06's model (2 layers, 64 wide, 4 heads, window 128) trained with the
chapter's recipe (batch 32, lr 1e-2, warm-up 50, cosine), the same seed and the same number
of steps, then scored with ``L.evaluate`` on the first 100,000 characters of the validation
split. The variants remove one thing at a time: attention, all heads but one, the
feed-forward networks, the residual connections, the layer norms; or swap the learned
positions for sinusoidal ones or RoPE. The table is written as JSON with the command, seed,
steps and torch version that made it; the shipped one is ``checkpoints/ablations.json``. It
also holds one short run (``CHECK``) that chapter 06 repeats live to show the table is real.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn as nn

from ..models.gpt import GPT, Block, GPTConfig
from ..models.lm import count_parameters
from ..training.evaluation import evaluate
from ..training.trainer import train

ABLATIONS_FILE = Path(__file__).resolve().parent.parent / "checkpoints" / "ablations.json"
CHAPTER_06 = dict(n_layer=2, n_head=4, n_embd=64, block_size=128)  # the chapter's model
RECIPE = dict(batch_size=32, lr=1e-2, warmup=50, schedule="cosine")  # the chapter's recipe
VAL_CHARS = 100_000
CHECK = dict(variant="no attention", steps=60)  # the row chapter 06 re-runs live, in seconds


class Nothing(nn.Module):
    """A branch that adds nothing: ``x + Nothing()(x) == x``."""

    def forward(self, x: torch.Tensor, cache=None) -> torch.Tensor:
        return torch.zeros_like(x)


def _replace_not_add(block: Block) -> Callable:
    """The block's forward without its residual connections: each part replaces x."""

    def forward(x: torch.Tensor, cache=None) -> torch.Tensor:
        x = block.attn(block.norm1(x), cache)
        return block.ffn(block.norm2(x))

    return forward


def _without(part: str) -> Callable[[GPT], None]:
    def remove(model: GPT) -> None:
        for block in model.blocks:
            if part == "attention":
                block.attn = Nothing()
            elif part == "feed-forward":
                block.ffn = Nothing()
            elif part == "residuals":
                block.forward = _replace_not_add(block)
            elif part == "layer norms":
                block.norm1, block.norm2 = nn.Identity(), nn.Identity()
        if part == "layer norms":
            model.norm = nn.Identity()

    return remove


# name -> (config overrides, surgery on the fresh model)
VARIANTS: dict[str, tuple[dict, Callable[[GPT], None] | None]] = {
    "full model": ({}, None),
    "no attention": ({}, _without("attention")),
    "one head (of 4)": ({"n_head": 1}, None),
    "no feed-forward": ({}, _without("feed-forward")),
    "no residual connections": ({}, _without("residuals")),
    "no layer norms": ({}, _without("layer norms")),
    "sinusoidal positions": ({"position": "sinusoidal"}, None),
    "RoPE positions": ({"position": "rope"}, None),
}


def build_variant(name: str, vocab_size: int, **sizes) -> GPT:
    """A fresh chapter-06 GPT with ``name``'s change (see ``VARIANTS``)."""
    if name not in VARIANTS:
        raise ValueError(f"Unknown ablation {name!r}; choose one of: {', '.join(VARIANTS)}.")
    overrides, surgery = VARIANTS[name]
    model = GPT(GPTConfig(vocab_size=vocab_size, **{**CHAPTER_06, **sizes, **overrides}))
    if surgery is not None:
        surgery(model)
    return model


def run_ablation(
    name: str, train_ids, val_ids, steps: int, seed: int = 0, **sizes
) -> dict[str, float | int | str]:
    """Train one variant for ``steps`` and score it; returns one row of the table."""
    torch.manual_seed(seed)
    model = build_variant(name, int(max(train_ids.max(), val_ids.max())) + 1, **sizes)
    start = time.perf_counter()
    train(
        model,
        train_ids,
        val_ids,
        steps=steps,
        eval_every=steps,
        eval_batches=1,
        seed=seed,
        device="cpu",
        progress=False,
        **RECIPE,
    )
    seconds = time.perf_counter() - start
    block = min(model.config.block_size, len(val_ids) - 1)
    return {
        "variant": name,
        "val_loss": round(evaluate(model, val_ids, block_size=block), 4),
        "parameters": count_parameters(model),
        "train_seconds": round(seconds, 1),
    }


def run_ablations(
    steps: int, seed: int = 0, names=None, val_chars: int = VAL_CHARS, **sizes
) -> dict:
    """Every variant (or ``names``) on the Shakespeare characters; the table as a dict."""
    from .pretrain import shakespeare_data

    _, train_ids, val_ids = shakespeare_data()
    rows = [
        run_ablation(name, train_ids, val_ids[:val_chars], steps, seed, **sizes)
        for name in (names or VARIANTS)
    ]
    check = run_ablation(
        CHECK["variant"], train_ids, val_ids[:val_chars], CHECK["steps"], seed, **sizes
    )
    return {
        "command": f"python -m lessons_lib bench ablations --steps {steps} --seed {seed}",
        "steps": steps,
        "seed": seed,
        "val_chars": val_chars,
        "recipe": RECIPE,
        "model": {**CHAPTER_06, **sizes},
        "torch": torch.__version__,
        "rows": rows,
        "check": {**check, "steps": CHECK["steps"]},  # a short run a notebook can repeat
    }


def write_table(table: dict, path: Path) -> None:
    path.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")


def load_ablations(path: Path | None = None) -> dict:
    """The shipped ablation table (``checkpoints/ablations.json``), or another one."""
    path = ABLATIONS_FILE if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No ablation table at {path}. Make one: python -m lessons_lib bench ablations"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def ablation_report(table: dict) -> str:
    """The table as aligned text, best first, with each row's gap to the full model."""
    full = next(r["val_loss"] for r in table["rows"] if r["variant"] == "full model")
    lines = [
        f"{table['steps']} steps each, seed {table['seed']}, torch {table['torch']}",
        f"{'variant':26} {'val nats/char':>13} {'vs full':>8} {'params':>9} {'seconds':>8}",
    ]
    for row in sorted(table["rows"], key=lambda r: r["val_loss"]):
        lines.append(
            f"{row['variant']:26} {row['val_loss']:13.3f} {row['val_loss'] - full:+8.3f} "
            f"{row['parameters']:9,} {row['train_seconds']:8.1f}"
        )
    return "\n".join(lines)
