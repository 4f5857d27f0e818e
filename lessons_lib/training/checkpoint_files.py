"""Weights on disk, safely: safetensors beside a JSON of facts that holds their SHA-256
(chapters 06 and 08).

A checkpoint is two files with one stem: ``<stem>.safetensors`` (the tensors) and
``<stem>.json`` (the configuration, the weights' SHA-256 and facts about the run). Both are
written atomically (a temporary file, then a rename), so an interrupted save never leaves half a
file where a good one was. Reading checks everything a damaged or foreign file can get wrong and
names the file and the way to a good one in the error::

    digest = write_checkpoint(state, stem, {"config": {...}})
    state, meta = read_checkpoint(stem, fix="train it again with: python -m lessons_lib ...")
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import torch

from .._checks import path_like


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename: a
    reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(raw)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def checkpoint_paths(stem: object, name: str = "stem") -> tuple[Path, Path]:
    """``(<stem>.safetensors, <stem>.json)`` for a str or path-like ``stem``; a stem given with
    either suffix (``runs/try.safetensors``) means the same checkpoint."""
    stem = path_like(stem, name)
    if stem.suffix in (".safetensors", ".json"):
        stem = stem.with_suffix("")
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def write_checkpoint(state: dict[str, torch.Tensor], stem: object, meta: dict) -> str:
    """Write the tensors of ``state`` (float32, on the CPU) and ``meta`` plus their SHA-256;
    returns the SHA-256. The weights are written first, the JSON that vouches for them last."""
    from safetensors.torch import save as safetensors_bytes

    weights, facts = checkpoint_paths(stem)
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in state.items()}
    raw = safetensors_bytes(tensors)
    digest = hashlib.sha256(raw).hexdigest()
    atomic_write(weights, raw)
    text = json.dumps({**meta, "sha256": digest}, indent=2, ensure_ascii=False) + "\n"
    atomic_write(facts, text)
    return digest


def read_facts(stem: object, fix: str, required: tuple[str, ...] = ("sha256",)) -> dict:
    """The JSON beside the weights, with each of ``required`` present; a missing, truncated or
    incomplete file is an error that names it and says ``fix``."""
    _, facts = checkpoint_paths(stem)
    if not facts.is_file():
        raise FileNotFoundError(f"No checkpoint facts at {facts}. {fix}")
    try:
        meta = json.loads(facts.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{facts} is damaged (not valid JSON: {err}). {fix}") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{facts} is damaged: it holds a {type(meta).__name__}, not an object.")
    missing = [key for key in required if key not in meta]
    if missing:
        raise ValueError(f"{facts} is damaged or not a checkpoint: it lacks {missing}. {fix}")
    return meta


def load_safetensors(path: Path, fix: str) -> dict[str, torch.Tensor]:
    """The tensors of one safetensors file; a truncated or damaged file is an error that names
    the file and says ``fix`` (safetensors alone says only "Error while deserializing")."""
    from safetensors.torch import load_file

    if not Path(path).is_file():
        raise FileNotFoundError(f"No weights at {path}. {fix}")
    try:
        return load_file(str(path))
    except Exception as err:  # safetensors raises its own SafetensorError, or OSError
        raise ValueError(f"{path} is damaged: safetensors cannot read it ({err}). {fix}") from None


def read_checkpoint(stem: object, fix: str, required: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """``(state, meta)`` of the checkpoint at ``stem``, after checking the weights' SHA-256
    against the JSON's. ``required`` names keys the JSON must have besides ``sha256``."""
    weights, _ = checkpoint_paths(stem)
    meta = read_facts(stem, fix, ("sha256", *required))
    if not weights.is_file():
        raise FileNotFoundError(f"No weights at {weights}. {fix}")
    digest = sha256_of(weights)
    if digest != meta["sha256"]:
        raise ValueError(
            f"The checkpoint {weights.name} is damaged or was replaced: its SHA-256 is "
            f"{digest[:16]}..., expected {str(meta['sha256'])[:16]}.... {fix}"
        )
    return load_safetensors(weights, fix), meta
