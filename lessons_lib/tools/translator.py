"""Train the date translator that ships with the course (chapter 08), and score it.

    python -m lessons_lib translator                       # the shipped checkpoint, ~3 min
    python -m lessons_lib translator --steps 100 --out /tmp/try   # a quick rehearsal

The scores go into the checkpoint's JSON: exact match per English form on held-out dates
(greedy and beam search), and sacrebleu's BLEU and chrF on Chinese characters.
``L.load_translator()`` loads the result.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from ..apps.translator import (
    Translator,
    TranslatorConfig,
    train_translator,
    translation_exact_match,
)
from ..apps.translator_checkpoint import TRANSLATOR_CHECKPOINT, save_translator
from ..data.dates import date_pairs
from .arguments import count, int_at_least, positive_int

# The shipped recipe: the default TranslatorConfig, trained three times longer than in class.
TRANSLATOR_RECIPE = dict(steps=1500, batch_size=64, lr=3e-3)
HELD_OUT = 2000  # held-out dates scored, 400 per form on average


def sacrebleu_scores(references: list[str], translations: list[str]) -> dict[str, float]:
    """sacrebleu's corpus BLEU (tokenized by characters, as Chinese needs) and chrF."""
    import sacrebleu

    bleu = sacrebleu.corpus_bleu(translations, [references], tokenize="char")
    chrf = sacrebleu.corpus_chrf(translations, [references])
    return {"bleu": round(bleu.score, 2), "chrf": round(chrf.score, 2)}


def score(model: Translator, n: int = HELD_OUT, seed: int = 1) -> dict:
    """Exact match per form (greedy and beam 4) and BLEU / chrF on ``n`` held-out dates."""
    pairs = date_pairs(n, seed=seed, split="test")
    greedy = translation_exact_match(model, pairs)
    beam = translation_exact_match(model, pairs[: n // 10], beam_size=4)  # one text at a time: slow
    translations = model.translate([english for english, _, _ in pairs])
    references = [chinese for _, chinese, _ in pairs]
    return {
        "held_out": n,
        "exact_match": {form: round(share, 4) for form, share in greedy.items()},
        "exact_match_beam4": {form: round(share, 4) for form, share in beam.items()},
        **sacrebleu_scores(references, translations),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib translator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--steps", type=positive_int, default=TRANSLATOR_RECIPE["steps"])
    parser.add_argument("--out", type=Path, default=TRANSLATOR_CHECKPOINT, help="path stem")
    parser.add_argument("--seed", type=count, default=0)
    parser.add_argument("--held-out", type=int_at_least(10), default=HELD_OUT, help="dates scored")
    args = parser.parse_args(argv)
    recipe = dict(TRANSLATOR_RECIPE, steps=args.steps)
    torch.manual_seed(args.seed)
    model = Translator(TranslatorConfig())
    start = time.perf_counter()
    losses = train_translator(model, seed=args.seed, **recipe)
    seconds = time.perf_counter() - start
    facts = dict(
        train_seconds=round(seconds),
        threads=torch.get_num_threads(),
        steps=len(losses),
        final_loss=round(sum(losses[-20:]) / len(losses[-20:]), 5),
        recipe=recipe,
        seed=args.seed,
        torch=torch.__version__,
    )
    save_translator(model, args.out, **facts)  # saved before scoring: nothing trained is lost
    print(f"saved the trained translator to {args.out}; scoring {args.held_out} held-out dates")
    scores = score(model, n=args.held_out)
    digest = save_translator(model, args.out, **facts, **scores)
    print(
        f"steps={len(losses)} seconds={seconds:.0f} exact_match={scores['exact_match']} "
        f"bleu={scores['bleu']} chrf={scores['chrf']} sha256={digest[:16]}"
    )
    return 0
