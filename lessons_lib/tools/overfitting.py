"""Overfitting on the GPT, and each remedy as a measured curve (chapter 09).

    python -m lessons_lib bench overfitting                # the shipped table, 8-10 minutes
    python -m lessons_lib bench overfitting --steps 40 --out /tmp/overfitting.json

The baseline is the sweep's width-64 GPT (``tools/scaling.py``: 2 layers, 4 heads, window 64,
constant learning rate) trained on only the first 50,000 characters of the training split,
long enough (1,200 steps, about 50 passes over the slice) for its validation loss to turn
up. Each remedy changes one thing: four times the data, dropout 0.2, weight decay 0.1 or 1.0,
a model a quarter the size (width 32). Early stopping needs no run of its own: it keeps the
baseline at its best validation step. Curves are measured every 50 steps on fixed windows of
the slice and of the validation split. The shipped table is ``checkpoints/overfitting.json``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .scaling import BASE_WIDTH, load_table, run_curve

OVERFITTING_FILE = Path(__file__).resolve().parent.parent / "checkpoints" / "overfitting.json"
SLICE_CHARS = 50_000
STEPS = 1200
EVAL_EVERY = 50
# name -> what changes from the baseline (keys of run_curve: train_chars, weight_decay, config)
REMEDIES: dict[str, dict] = {
    "baseline (50k characters)": {},
    "more data (200k characters)": {"train_chars": 200_000},
    "dropout 0.2": {"dropout": 0.2},
    "weight decay 0.1": {"weight_decay": 0.1},
    "weight decay 1.0": {"weight_decay": 1.0},
    "smaller model (width 32)": {"n_embd": 32},
}
CHECK = dict(remedy="baseline (50k characters)", steps=200)  # chapter 09 re-runs it live


def run_remedy(
    name: str,
    train_ids: torch.Tensor,
    val_ids: torch.Tensor,
    steps: int,
    seed: int = 0,
    eval_every: int = EVAL_EVERY,
    slice_chars: int = SLICE_CHARS,
    **common,
) -> dict:
    """One remedy's learning curve (see ``REMEDIES``)."""
    if name not in REMEDIES:
        raise ValueError(f"Unknown remedy {name!r}; choose one of: {', '.join(REMEDIES)}.")
    change = dict(REMEDIES[name])
    chars = change.pop("train_chars", slice_chars)
    settings = {"n_embd": BASE_WIDTH, **change}
    run = run_curve(
        train_ids[:chars], val_ids, steps, seed=seed, eval_every=eval_every, **common, **settings
    )
    return {"remedy": name, **run}


def best_step(run: dict) -> dict:
    """Early stopping: the evaluation with the lowest validation loss, and the gap there."""
    i = min(range(len(run["val_loss"])), key=run["val_loss"].__getitem__)
    train_loss, val_loss = run["train_loss"][i], run["val_loss"][i]
    return {
        "step": run["steps"][i],
        "train": train_loss,
        "val": val_loss,
        "gap": val_loss - train_loss,
    }


def run_overfitting(steps: int = STEPS, seed: int = 0, names=None, eval_every: int = EVAL_EVERY):
    """Every remedy (or ``names``) on the Shakespeare characters; the table as a dict."""
    from .pretrain import shakespeare_data
    from .scaling import VAL_CHARS

    tokenizer, train_ids, val_ids = shakespeare_data()
    val_ids = val_ids[:VAL_CHARS]
    common = dict(seed=seed, eval_every=eval_every, vocab_size=tokenizer.vocab_size)
    rows = [run_remedy(name, train_ids, val_ids, steps, **common) for name in names or REMEDIES]
    check_steps = min(CHECK["steps"], steps)
    check = run_remedy(CHECK["remedy"], train_ids, val_ids, check_steps, **common)
    return {
        "command": f"python -m lessons_lib bench overfitting --steps {steps} --seed {seed}",
        "steps": steps,
        "seed": seed,
        "slice_chars": SLICE_CHARS,
        "val_chars": VAL_CHARS,
        "torch": torch.__version__,
        "rows": rows,
        "check": check,
    }


def load_overfitting(path: Path | None = None) -> dict:
    """The shipped overfitting runs (``checkpoints/overfitting.json``), or another table."""
    return load_table(path, OVERFITTING_FILE, "bench overfitting")
