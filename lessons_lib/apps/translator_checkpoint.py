"""The date translator that ships with the course, trained longer than class allows (chapter 08).

``python -m lessons_lib translator`` trains it (a few minutes on 2 cores), scores it on
held-out dates and writes ``checkpoints/date_translator.safetensors`` (the weights) and
``.json`` (the configuration, the weights' SHA-256 and the measured scores).
:func:`load_translator` checks the SHA-256 and returns the trained :class:`Translator`::

    model = L.load_translator()
    model.translate("the 5th of March, 2021")  # '2021年3月5日'
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from ..training.checkpoint_files import read_checkpoint, read_facts, write_checkpoint
from .translator import SOURCE, TARGET, Translator, TranslatorConfig

TRANSLATOR_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "date_translator"
"""Where the shipped translator lives: ``.safetensors`` (weights) and ``.json`` (the rest)."""

_RETRAIN = "Reinstall lessons_lib, or train it again with: python -m lessons_lib translator"


def save_translator(model: Translator, stem: str | Path = TRANSLATOR_CHECKPOINT, **facts) -> str:
    """Write ``stem.safetensors`` and ``stem.json``; returns the weights' SHA-256."""
    meta = {
        "config": asdict(model.config),
        "source_vocab": SOURCE.itos,
        "target_vocab": TARGET.itos,
        **facts,
    }
    return write_checkpoint(model.state_dict(), stem, meta)


def translator_facts(stem: str | Path = TRANSLATOR_CHECKPOINT) -> dict:
    """What the checkpoint's JSON says: configuration, training time, scores per form, ..."""
    return read_facts(stem, _RETRAIN)


def load_translator(stem: str | Path = TRANSLATOR_CHECKPOINT) -> Translator:
    """The trained date translator, after checking its weights' SHA-256 and vocabularies."""
    required = ("config", "source_vocab", "target_vocab")
    state, meta = read_checkpoint(stem, _RETRAIN, required=required)
    if meta["source_vocab"] != SOURCE.itos or meta["target_vocab"] != TARGET.itos:
        raise ValueError(
            f"The translator checkpoint was trained with other vocabularies than "
            f"lessons_lib.apps.translator defines now. {_RETRAIN}"
        )
    model = Translator(TranslatorConfig(**meta["config"]))
    model.load_state_dict(state)
    return model.eval()
