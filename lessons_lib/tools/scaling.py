"""What improves a model, measured: chapter 09's sweep of GPT sizes, data amounts and data noise.

    python -m lessons_lib bench scaling                    # the shipped table, 15-25 minutes
    python -m lessons_lib bench scaling --steps 40 --widths 16 32 --out /tmp/scaling.json

Every run is chapter 06's GPT with 2 layers, 4 heads and a 64-character window, trained with
one recipe (batch 32, AdamW at a *constant* learning rate 5e-3 after 50 warm-up steps, so a
short run is the start of a long one) and the same seed. Three sweeps:

* **size**: widths 16 to 128 on the whole training split; the learning curve of each gives
  the loss against parameters, against tokens seen and against compute (6·N·D);
* **data**: the width-64 model on the first 20,000 to 600,000 characters of the split (the
  whole split is the size sweep's width-64 run), the same number of steps;
* **noise**: the width-64 model on the whole split with the characters of a share of its
  lines shuffled (``L.noisy_copy``), scored on the clean validation text.

Each run records its curve (train and validation loss on fixed windows every ``eval_every``
steps) and its final loss on the first 100,000 characters of the validation split
(``L.evaluate``). The JSON also names the command, seed and torch version that made it; the
shipped one is ``checkpoints/scaling.json``. ``run_curve`` is also chapter 09's overfitting
runs (``tools/overfitting.py``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from ..data.corruption import noisy_copy
from ..data.shakespeare import shakespeare, train_val_split
from ..models.gpt import GPT, GPTConfig, parameter_counts
from ..models.lm import count_parameters
from ..training.evaluation import evaluate
from ..training.trainer import train

SCALING_FILE = Path(__file__).resolve().parent.parent / "checkpoints" / "scaling.json"
MODEL = dict(n_layer=2, n_head=4, block_size=64)  # every run's shape, but for its width
RECIPE = dict(batch_size=32, lr=5e-3, warmup=50, schedule="constant")
WIDTHS = (16, 32, 48, 64, 96, 128)
DATA_CHARS = (20_000, 60_000, 200_000, 600_000)
NOISE_SHARES = (0.25, 0.5)
BASE_WIDTH = 64  # the data and noise sweeps' model
STEPS = 1500
EVAL_EVERY = 100
EVAL_BATCHES = 8
VAL_CHARS = 100_000
CHECK = dict(n_embd=16, steps=300)  # the point chapter 09 re-runs live, in a few seconds


def non_embedding_parameters(model: GPT) -> int:
    """Parameters outside the token and position tables (what Kaplan et al. count as N)."""
    return count_parameters(model) - parameter_counts(model)["embeddings"]


def run_curve(
    train_ids: torch.Tensor,
    val_ids: torch.Tensor,
    steps: int,
    *,
    seed: int = 0,
    eval_every: int = EVAL_EVERY,
    eval_batches: int = EVAL_BATCHES,
    weight_decay: float = 0.0,
    vocab_size: int | None = None,
    **config,
) -> dict:
    """Train one GPT (``MODEL`` updated by ``config``) and return its learning curve."""
    sizes = {**MODEL, **config}
    vocab = vocab_size or int(max(train_ids.max(), val_ids.max())) + 1
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=vocab, **sizes))
    start = time.perf_counter()
    history = train(
        model,
        train_ids,
        val_ids,
        steps=steps,
        eval_every=eval_every,
        eval_batches=eval_batches,
        weight_decay=weight_decay,
        seed=seed,
        device="cpu",
        progress=False,
        **RECIPE,
    )
    seconds = time.perf_counter() - start
    tokens_per_step = RECIPE["batch_size"] * sizes["block_size"]
    return {
        "config": sizes,
        "weight_decay": weight_decay,
        "parameters": count_parameters(model),
        "non_embedding": non_embedding_parameters(model),
        "train_chars": len(train_ids),
        "steps": history.steps,
        "tokens": [s * tokens_per_step for s in history.steps],
        "train_loss": [round(x, 4) for x in history.train_loss],
        "val_loss": [round(x, 4) for x in history.val_loss],
        "final_val_loss": round(evaluate(model, val_ids, block_size=sizes["block_size"]), 4),
        "train_seconds": round(seconds, 1),
    }


def run_scaling(
    steps: int = STEPS,
    seed: int = 0,
    widths=WIDTHS,
    data_chars=DATA_CHARS,
    noise_shares=NOISE_SHARES,
    eval_every: int = EVAL_EVERY,
) -> dict:
    """The three sweeps on the Shakespeare characters; the table as a dict."""
    from .pretrain import shakespeare_data

    tokenizer, train_ids, val_ids = shakespeare_data()
    val_ids = val_ids[:VAL_CHARS]
    vocab = tokenizer.vocab_size
    common = dict(seed=seed, eval_every=eval_every, vocab_size=vocab)
    rows = []
    for width in widths:
        run = run_curve(train_ids, val_ids, steps, n_embd=width, **common)
        rows.append({"sweep": "size", **run})
    for chars in data_chars:
        run = run_curve(train_ids[:chars], val_ids, steps, n_embd=BASE_WIDTH, **common)
        rows.append({"sweep": "data", **run})
    if noise_shares:
        text, _ = train_val_split(shakespeare())
        for share in noise_shares:
            noisy = torch.tensor(tokenizer.encode(noisy_copy(text, share, seed=seed)))  # (chars,)
            run = run_curve(noisy, val_ids, steps, n_embd=BASE_WIDTH, **common)
            rows.append({"sweep": "noise", "noise": share, **run})
    check_steps = min(CHECK["steps"], steps)
    check = run_curve(train_ids, val_ids, check_steps, n_embd=CHECK["n_embd"], **common)
    return {
        "command": f"python -m lessons_lib bench scaling --steps {steps} --seed {seed}",
        "steps": steps,
        "seed": seed,
        "val_chars": VAL_CHARS,
        "recipe": RECIPE,
        "model": MODEL,
        "torch": torch.__version__,
        "rows": rows,
        "check": check,  # a short run a notebook can repeat
    }


def write_table(table: dict, path: Path) -> None:
    path.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")


def load_table(path: Path | None, default: Path, command: str) -> dict:
    """A JSON table the project's commands wrote, with a fix-it error when it is missing."""
    path = default if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No table at {path}. Make one: python -m lessons_lib {command}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_scaling(path: Path | None = None) -> dict:
    """The shipped scaling sweep (``checkpoints/scaling.json``), or another one."""
    return load_table(path, SCALING_FILE, "bench scaling")
