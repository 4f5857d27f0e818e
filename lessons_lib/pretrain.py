"""Train, save and load the GPT checkpoint that ships with the course (chapter 06).

    python -m lessons_lib.pretrain                 # the shipped checkpoint, ~25 min on 2 cores
    python -m lessons_lib.pretrain --minutes 2 --out /tmp/try   # a quick rehearsal

Instructors load the result with :func:`load_pretrained` to skip training in class. The
weights are stored as safetensors; a JSON file beside them holds the configuration, the
vocabulary, the measured validation loss and the SHA-256 of the weights, which is checked on
every load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from .char_tokenizer import CharTokenizer
from .data import shakespeare, train_val_split
from .gpt import GPT, GPTConfig
from .training import History, evaluate, train

CHECKPOINT = Path(__file__).resolve().parent / "checkpoints" / "shakespeare_gpt"
"""Where the shipped checkpoint lives: ``.safetensors`` (weights) and ``.json`` (the rest)."""

# The recipe of the 180-second benchmark (python -m lessons_lib.bench gpt) with the "cpu" preset.
BENCH_RECIPE = dict(batch_size=32, lr=5e-3, warmup=100, weight_decay=0.0)

# The recipe of the shipped checkpoint (see the closing note of the chapter-06 issue).
PRETRAIN_CONFIG = dict(block_size=128, n_layer=4, n_head=4, n_embd=192, dropout=0.0)
PRETRAIN_RECIPE = dict(batch_size=32, lr=2e-3, warmup=200, weight_decay=0.1)


def shakespeare_data() -> tuple[CharTokenizer, torch.Tensor, torch.Tensor]:
    """The course's character tokenizer and the train / validation ids of the corpus."""
    text = shakespeare()
    tokenizer = CharTokenizer.from_text(text)
    ids = torch.tensor(tokenizer.encode(text))
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


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_checkpoint(model: GPT, tokenizer: CharTokenizer, stem: Path, **facts) -> str:
    """Write ``stem.safetensors`` and ``stem.json``; returns the weights' SHA-256."""
    from safetensors.torch import save_file

    stem.parent.mkdir(parents=True, exist_ok=True)
    weights = stem.with_suffix(".safetensors")
    state = {
        k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()
    }
    state.pop("head.weight", None)  # tied to tok_emb.weight: stored once
    save_file(state, str(weights))
    digest = sha256_of(weights)
    meta = {
        "config": asdict(model.config),
        "chars": "".join(tokenizer.chars),
        "sha256": digest,
        **facts,
    }
    stem.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return digest


def load_pretrained(
    stem: Path = CHECKPOINT, device: str | torch.device = "cpu"
) -> tuple[GPT, CharTokenizer]:
    """The trained GPT and its tokenizer, after checking the weights' SHA-256."""
    from safetensors.torch import load_file

    weights, meta_path = stem.with_suffix(".safetensors"), stem.with_suffix(".json")
    if not weights.exists() or not meta_path.exists():
        raise FileNotFoundError(
            f"No checkpoint at {weights} (and {meta_path.name}). Reinstall lessons_lib, or "
            "train one with: python -m lessons_lib.pretrain"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = sha256_of(weights)
    if digest != meta["sha256"]:
        raise ValueError(
            f"The checkpoint {weights.name} is damaged or was replaced: its SHA-256 is "
            f"{digest[:16]}..., expected {meta['sha256'][:16]}.... Reinstall lessons_lib or "
            "retrain with: python -m lessons_lib.pretrain"
        )
    model = GPT(GPTConfig(**meta["config"]))
    state = load_file(str(weights))
    state["head.weight"] = state["tok_emb.weight"]
    model.load_state_dict(state)
    return model.to(device).eval(), CharTokenizer(meta["chars"])


def checkpoint_facts(stem: Path = CHECKPOINT) -> dict:
    """What the checkpoint's JSON says: config, validation loss, training time, ..."""
    return json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib.pretrain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--minutes", type=float, default=25.0, help="training time (default 25)")
    parser.add_argument("--out", type=Path, default=CHECKPOINT, help="checkpoint path stem")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tokenizer, train_ids, val_ids = shakespeare_data()
    config = GPTConfig(vocab_size=tokenizer.vocab_size, **PRETRAIN_CONFIG)
    start = time.perf_counter()
    model, history, speed = train_for(
        config, args.minutes * 60, train_ids, val_ids, seed=args.seed, **PRETRAIN_RECIPE
    )
    seconds = time.perf_counter() - start
    val_loss = evaluate(model, val_ids, block_size=config.block_size)
    digest = save_checkpoint(
        model,
        tokenizer,
        args.out,
        val_loss=round(val_loss, 4),
        train_seconds=round(seconds),
        tokens_per_s=round(speed),
        steps=history.steps[-1],
        recipe=PRETRAIN_RECIPE,
        seed=args.seed,
        torch=torch.__version__,
    )
    size = args.out.with_suffix(".safetensors").stat().st_size / 1e6
    print(f"val_loss={val_loss:.4f} seconds={seconds:.0f} size_mb={size:.1f} sha256={digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
