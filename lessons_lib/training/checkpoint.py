"""Save and load a trained GPT as safetensors, its SHA-256 checked on every load (chapter 06).

The weights go to ``<stem>.safetensors``; ``<stem>.json`` beside them holds the configuration,
the vocabulary, the SHA-256 of the weights and facts about the training run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import torch

from ..models.gpt import GPT, GPTConfig
from ..tokenization.characters import CharTokenizer

CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "shakespeare_gpt"
"""Where the shipped checkpoint lives: ``.safetensors`` (weights) and ``.json`` (the rest)."""


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
            "train one with: python -m lessons_lib pretrain"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = sha256_of(weights)
    if digest != meta["sha256"]:
        raise ValueError(
            f"The checkpoint {weights.name} is damaged or was replaced: its SHA-256 is "
            f"{digest[:16]}..., expected {meta['sha256'][:16]}.... Reinstall lessons_lib or "
            "retrain with: python -m lessons_lib pretrain"
        )
    model = GPT(GPTConfig(**meta["config"]))
    state = load_file(str(weights))
    state["head.weight"] = state["tok_emb.weight"]
    model.load_state_dict(state)
    return model.to(device).eval(), CharTokenizer(meta["chars"])


def checkpoint_facts(stem: Path = CHECKPOINT) -> dict:
    """What the checkpoint's JSON says: config, validation loss, training time, ..."""
    return json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
