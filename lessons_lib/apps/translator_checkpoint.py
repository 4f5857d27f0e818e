"""The date translator that ships with the course, trained longer than class allows (chapter 08).

``python -m lessons_lib translator`` trains it (a few minutes on 2 cores), scores it on
held-out dates and writes ``checkpoints/date_translator.safetensors`` (the weights) and
``.json`` (the configuration, the weights' SHA-256 and the measured scores).
:func:`load_translator` checks the SHA-256 and returns the trained :class:`Translator`::

    model = L.load_translator()
    model.translate("the 5th of March, 2021")  # '2021年3月5日'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import torch

from .translator import SOURCE, TARGET, Translator, TranslatorConfig

TRANSLATOR_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "date_translator"
"""Where the shipped translator lives: ``.safetensors`` (weights) and ``.json`` (the rest)."""

_RETRAIN = "Reinstall lessons_lib, or train it again with: python -m lessons_lib translator"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_translator(model: Translator, stem: Path = TRANSLATOR_CHECKPOINT, **facts) -> str:
    """Write ``stem.safetensors`` and ``stem.json``; returns the weights' SHA-256."""
    from safetensors.torch import save_file

    stem.parent.mkdir(parents=True, exist_ok=True)
    weights = stem.with_suffix(".safetensors")
    state = {
        k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()
    }
    save_file(state, str(weights))
    digest = _sha256(weights)
    meta = {
        "config": asdict(model.config),
        "source_vocab": SOURCE.itos,
        "target_vocab": TARGET.itos,
        "sha256": digest,
        **facts,
    }
    text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    stem.with_suffix(".json").write_text(text, encoding="utf-8")
    return digest


def translator_facts(stem: Path = TRANSLATOR_CHECKPOINT) -> dict:
    """What the checkpoint's JSON says: configuration, training time, scores per form, ..."""
    path = stem.with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"No translator checkpoint at {path}. {_RETRAIN}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_translator(stem: Path = TRANSLATOR_CHECKPOINT) -> Translator:
    """The trained date translator, after checking its weights' SHA-256 and vocabularies."""
    from safetensors.torch import load_file

    meta = translator_facts(stem)
    weights = stem.with_suffix(".safetensors")
    if not weights.exists():
        raise FileNotFoundError(f"No translator weights at {weights}. {_RETRAIN}")
    digest = _sha256(weights)
    if digest != meta["sha256"]:
        raise ValueError(
            f"The translator checkpoint {weights.name} is damaged or was replaced: its SHA-256 "
            f"is {digest[:16]}..., expected {meta['sha256'][:16]}.... {_RETRAIN}"
        )
    if meta["source_vocab"] != SOURCE.itos or meta["target_vocab"] != TARGET.itos:
        raise ValueError(
            f"The translator checkpoint was trained with other vocabularies than "
            f"lessons_lib.apps.translator defines now. {_RETRAIN}"
        )
    model = Translator(TranslatorConfig(**meta["config"]))
    model.load_state_dict(load_file(str(weights)))
    return model.eval()
