"""Save and load a trained GPT as safetensors, its SHA-256 checked on every load (chapter 06).

The weights go to ``<stem>.safetensors``; ``<stem>.json`` beside them holds the configuration,
the vocabulary, the SHA-256 of the weights and facts about the training run.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from ..models.gpt import GPT, GPTConfig
from ..tokenization.characters import CharTokenizer
from .checkpoint_files import read_checkpoint, read_facts, write_checkpoint

CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "shakespeare_gpt"
"""Where the shipped checkpoint lives: ``.safetensors`` (weights) and ``.json`` (the rest)."""

_FIX = "Reinstall lessons_lib, or train one with: python -m lessons_lib pretrain"


def save_checkpoint(model: GPT, tokenizer: CharTokenizer, stem: str | Path, **facts) -> str:
    """Write ``stem.safetensors`` and ``stem.json``; returns the weights' SHA-256."""
    state = dict(model.state_dict())
    state.pop("head.weight", None)  # tied to tok_emb.weight: stored once
    meta = {"config": asdict(model.config), "chars": "".join(tokenizer.chars), **facts}
    return write_checkpoint(state, stem, meta)


def load_pretrained(
    stem: str | Path = CHECKPOINT, device: str | torch.device = "cpu"
) -> tuple[GPT, CharTokenizer]:
    """The trained GPT and its tokenizer, after checking the weights' SHA-256."""
    state, meta = read_checkpoint(stem, _FIX, required=("config", "chars"))
    model = GPT(GPTConfig(**meta["config"]))
    state["head.weight"] = state["tok_emb.weight"]
    model.load_state_dict(state)
    return model.to(device).eval(), CharTokenizer(meta["chars"])


def checkpoint_facts(stem: str | Path = CHECKPOINT) -> dict:
    """What the checkpoint's JSON says: config, validation loss, training time, ..."""
    return read_facts(stem, _FIX)
