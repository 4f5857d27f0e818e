"""Train the GPT checkpoint that ships with the course (chapter 06), and the benchmark's recipe.

    python -m lessons_lib pretrain                 # the shipped checkpoint, ~28 min on 2 cores
    python -m lessons_lib pretrain --minutes 2 --out /tmp/try   # a quick rehearsal

Instructors load the result with ``L.load_pretrained()`` (see
:mod:`lessons_lib.training.checkpoint`) to skip training in class.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from ..data.shakespeare import shakespeare, train_val_split
from ..models.gpt import GPT, GPTConfig
from ..tokenization.characters import CharTokenizer
from ..training.checkpoint import CHECKPOINT, save_checkpoint
from ..training.checkpoint_files import checkpoint_paths
from ..training.evaluation import evaluate
from ..training.history import History
from ..training.trainer import train
from .arguments import count, positive_number

# The recipe of the 180-second benchmark (python -m lessons_lib bench gpt) with the "cpu" preset.
BENCH_RECIPE = dict(batch_size=32, lr=5e-3, warmup=100, weight_decay=0.0)

# The recipe of the shipped checkpoint: 27 minutes on 2 cores gave validation loss 1.387
# (L.evaluate with its sliding window; 1.417 cutting the split into separate windows).
PRETRAIN_CONFIG = dict(block_size=128, n_layer=4, n_head=4, n_embd=192, dropout=0.0)
PRETRAIN_RECIPE = dict(batch_size=32, lr=3e-3, warmup=200, weight_decay=0.1)


def shakespeare_data() -> tuple[CharTokenizer, torch.Tensor, torch.Tensor]:
    """The course's character tokenizer and the train / validation ids of the corpus."""
    text = shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    ids = torch.from_numpy(np.array(tokenizer.encode(text), dtype=np.int64))  # fast for 5M ids
    train_ids, val_ids = train_val_split(ids)
    return tokenizer, train_ids, val_ids


def train_for(
    config: GPTConfig,
    seconds: float,
    train_ids: torch.Tensor,
    val_ids: torch.Tensor,
    batch_size: int,
    lr: float,
    warmup: int,
    weight_decay: float,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> tuple[GPT, History, float]:
    """Train a fresh GPT for ``seconds`` of wall-clock time, the cosine schedule fitted to
    the budget. Returns the model, its history and the training speed in tokens per second."""
    torch.manual_seed(seed)
    model = GPT(config)
    history = train(
        model,
        train_ids,
        val_ids,
        steps=None,
        max_seconds=seconds,
        batch_size=batch_size,
        lr=lr,
        warmup=warmup,
        weight_decay=weight_decay,
        schedule="cosine",
        eval_every=500,
        eval_batches=4,
        seed=seed,
        device=device,
        progress=progress,
    )
    tokens = history.steps[-1] * batch_size * config.block_size
    return model, history, tokens / max(history.seconds[-1], 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib pretrain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--minutes", type=positive_number, default=27.0, help="training time (default 27)"
    )
    parser.add_argument("--out", type=Path, default=CHECKPOINT, help="checkpoint path stem")
    parser.add_argument("--seed", type=count, default=0)
    args = parser.parse_args(argv)
    tokenizer, train_ids, val_ids = shakespeare_data()
    config = GPTConfig(vocab_size=tokenizer.vocab_size, **PRETRAIN_CONFIG)
    start = time.perf_counter()
    model, history, speed = train_for(
        config, args.minutes * 60, train_ids, val_ids, seed=args.seed, **PRETRAIN_RECIPE
    )
    seconds = time.perf_counter() - start
    facts = dict(
        train_seconds=round(seconds),
        tokens_per_s=round(speed),
        steps=history.steps[-1],
        recipe=PRETRAIN_RECIPE,
        seed=args.seed,
        torch=torch.__version__,
    )
    save_checkpoint(model, tokenizer, args.out, **facts)  # before the long evaluation
    val_loss = evaluate(model, val_ids, block_size=config.block_size)
    digest = save_checkpoint(model, tokenizer, args.out, val_loss=round(val_loss, 4), **facts)
    size = checkpoint_paths(args.out)[0].stat().st_size / 1e6
    print(f"val_loss={val_loss:.4f} seconds={seconds:.0f} size_mb={size:.1f} sha256={digest}")
    return 0
