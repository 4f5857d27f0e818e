"""Extractive summarization: pick the sentences that carry a text's meaning (chapter 08).

An *extractive* summary copies whole sentences from the text, in the text's order, instead of
writing new ones. Which sentences? Chapter 07's MiniLM gives every sentence a unit vector; the
text's meaning is their average, the **centroid**. Greedily take the sentence with the best
**maximal marginal relevance** (MMR, Carbonell & Goldstein 1998)::

    score(s) = λ · cos(s, centroid) − (1 − λ) · max over chosen c of cos(s, c)

The first term rewards a sentence close to what the whole text says, the second punishes one
that repeats a sentence already taken. Two baselines to beat: the first ``k`` sentences
(:func:`lead_k`, hard to beat on news, whose first lines summarize) and ``k`` random ones.

Sentences come from :func:`lessons_lib.apps.sentences.split_sentences` (also importable
from here), which reads plain text or markdown. :func:`evaluate_summaries` scores all three
against the summaries the course's authors wrote at the end of each chapter.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable, Sequence

import torch

from .._checks import number
from ..data.chapter_summaries import chapter_summaries
from ..pretrained.minilm import embed_sentences
from .rouge import rouge
from .sentences import split_sentences

__all__ = ["evaluate_summaries", "lead_k", "mmr", "random_k", "split_sentences", "summarize"]

# --- choosing sentences -------------------------------------------------------------------


def _check_relevance(relevance: float) -> None:
    number(relevance, "relevance (λ)")  # a TypeError for "0.7"
    if not 0.0 <= relevance <= 1.0:
        raise ValueError(f"relevance (λ) must lie in [0, 1], got {relevance}. Try 0.7.")


def _check_k(k: int, name: str) -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{name} must be a whole number of sentences, got {k!r}.")
    if k < 1:
        raise ValueError(f"{name} must be at least 1, got {k}. A summary needs a sentence.")


def mmr(
    vectors: torch.Tensor, k: int, relevance: float = 0.7, query: torch.Tensor | None = None
) -> list[int]:
    """The rows of ``vectors`` (N, C) that maximal marginal relevance picks, in picking order.

    Rows are compared by cosine. ``query`` (C,) is what to be relevant to, by default the
    centroid: the mean of the unit rows, made unit length. ``relevance`` is λ: 1 takes the
    ``k`` rows nearest the query whatever they repeat, 0 only avoids repeating. Ties go to the
    earlier row.

    >>> mmr(torch.tensor([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0]]), 2, relevance=0.5)
    [1, 2]
    """
    if not isinstance(vectors, torch.Tensor) or vectors.ndim != 2 or len(vectors) == 0:
        got = tuple(vectors.shape) if isinstance(vectors, torch.Tensor) else type(vectors).__name__
        raise ValueError(
            f"vectors must be a tensor (N, C) with N >= 1, got {got}. "
            "Make one with L.embed_sentences(sentences)."
        )
    if query is not None and getattr(query, "shape", None) != vectors.shape[1:]:
        got = tuple(query.shape) if isinstance(query, torch.Tensor) else type(query).__name__
        raise ValueError(f"query must be a tensor ({vectors.shape[1]},), got {got}.")
    _check_k(k, "k")
    _check_relevance(relevance)
    units = torch.nn.functional.normalize(vectors.double(), dim=-1)  # (N, C)
    query = units.mean(dim=0) if query is None else query.double()  # (C,)
    relevant = units @ torch.nn.functional.normalize(query, dim=0)  # (N,): cos to the query
    similar = units @ units.T  # (N, N): cos between rows
    repeats = torch.zeros(len(units), dtype=units.dtype)  # (N,): cos to the nearest chosen
    chosen: list[int] = []
    for _ in range(min(k, len(units))):
        score = relevance * relevant - (1 - relevance) * repeats  # (N,)
        score[chosen] = float("-inf")
        best = int(torch.argmax(score))  # the first of equal maxima
        repeats = similar[:, best] if not chosen else torch.maximum(repeats, similar[:, best])
        chosen.append(best)
    return chosen


def _sentences(text: str, k: int, name: str) -> list[str]:
    _check_k(k, name)
    return split_sentences(text)


def summarize(
    text: str,
    n_sentences: int = 3,
    relevance: float = 0.7,
    model=None,
    tokenizer=None,
) -> list[str]:
    """``n_sentences`` sentences of ``text``, verbatim and in the text's order, chosen by MMR
    (λ = ``relevance``) around the centroid of their MiniLM embeddings.

    A sentence that occurs twice is a candidate once (its first time). A text of at most
    ``n_sentences`` sentences is returned whole, without loading a model. ``model`` and
    ``tokenizer`` go to :func:`lessons_lib.pretrained.minilm.embed_sentences` (default: MiniLM).
    """
    sentences = _sentences(text, n_sentences, "n_sentences")
    _check_relevance(relevance)
    places = _distinct(sentences)
    if len(places) <= n_sentences:
        return [sentences[i] for i in places]
    order = _mmr_order(sentences, places, n_sentences, relevance, model, tokenizer)
    return [sentences[i] for i in sorted(order)]


def _distinct(sentences: list[str]) -> list[int]:
    """The first place of each distinct sentence (case and spacing ignored)."""
    seen: set[str] = set()
    places = []
    for i, sentence in enumerate(sentences):
        if (key := " ".join(sentence.lower().split())) not in seen:
            seen.add(key)
            places.append(i)
    return places


def _mmr_order(sentences, places: list[int], k: int, relevance: float, model, tokenizer):
    """``k`` of ``places`` (indices into ``sentences``) in MMR's picking order."""
    vectors = embed_sentences([sentences[i] for i in places], model, tokenizer)  # (N, C)
    return [places[j] for j in mmr(vectors, k, relevance)]


def lead_k(text: str, k: int = 3) -> list[str]:
    """The first ``k`` sentences: the baseline every summarizer must beat.

    >>> lead_k("One. Two. Three.", 2)
    ['One.', 'Two.']
    """
    return _sentences(text, k, "k")[:k]


def random_k(text: str, k: int = 3, seed: int = 0) -> list[str]:
    """``k`` sentences drawn at random (seeded), in the text's order: the floor.

    >>> random_k("One. Two. Three. Four.", 2, seed=1)
    ['Two.', 'Three.']
    """
    sentences = _sentences(text, k, "k")
    return [sentences[i] for i in sorted(_shuffled(len(sentences), seed)[:k])]


def _shuffled(n: int, seed: int) -> list[int]:
    return random.Random(seed).sample(range(n), n)  # 0 .. n-1 in a seeded random order


# --- scoring against the chapters' own summaries --------------------------------------------


def _take(sentences: list[str], order, k: int | None, words: int | None) -> tuple[str, int]:
    """Sentences taken in ``order`` until there are ``k`` of them or ``words`` words, put in
    the text's order (and cut at ``words`` words); and how many sentences that took."""
    taken: list[int] = []
    count = 0
    for i in order:
        if len(taken) == k or (words is not None and count >= words):
            break
        taken.append(i)
        count += len(sentences[i].split())
    text = " ".join(sentences[i] for i in sorted(taken))
    return (text if words is None else " ".join(text.split()[:words])), len(taken)


def evaluate_summaries(
    chapters: list[dict] | None = None,
    budget: str = "words",
    k: int | None = None,
    seeds: Sequence[int] = range(10),
    relevance: float = 0.7,
    model=None,
    tokenizer=None,
) -> list[dict]:
    """ROUGE F of MMR, lead-k and random-k summaries of each chapter's ``body`` against its
    ``summary`` (default: :func:`lessons_lib.data.chapter_summaries.chapter_summaries`).

    Every method gets the same budget. ``budget="words"`` (the fair one, as in the DUC
    evaluations): each takes sentences in its own order (MMR's picks, the text's order, a
    shuffle) until it has as many words as the reference, cut there. ``budget="sentences"``:
    ``k`` sentences each (default: as many as the reference has); a method that picks long
    sentences then writes more, and ROUGE's recall rewards it. Random-k is averaged over
    ``seeds``. One row per chapter and method (``chapter``, ``method``, ``k`` sentences,
    ``words``, ``rouge1``, ``rouge2``, ``rougeL``), then a ``"mean"`` row per method.
    """
    if budget not in ("words", "sentences"):
        raise ValueError(f"budget must be 'words' or 'sentences', got {budget!r}.")
    if not isinstance(seeds, Iterable) or not (seeds := list(seeds)):
        raise ValueError(
            f"seeds must hold at least one seed for random-k, e.g. range(10); got {seeds!r}."
        )
    if k is not None:
        _check_k(k, "k")
    _check_relevance(relevance)
    chapters = chapter_summaries() if chapters is None else chapters
    for i, chapter in enumerate(chapters):
        if not isinstance(chapter, dict) or not {"chapter", "body", "summary"} <= chapter.keys():
            raise TypeError(
                f"chapters[{i}] must be a dict with 'chapter', 'body' and 'summary' (texts), as "
                f"L.chapter_summaries() gives them; got {chapter!r:.60}."
            )
    names = ("rouge1", "rouge2", "rougeL")
    rows = []
    for chapter in chapters:
        sentences, reference = split_sentences(chapter["body"]), chapter["summary"]
        n = len(split_sentences(reference)) if k is None else k
        limit = len(reference.split()) if budget == "words" else None
        places = _distinct(sentences)
        many = len(places) if limit else n  # MMR ranks them all when words decide
        orders = {
            "MMR": [_mmr_order(sentences, places, many, relevance, model, tokenizer)],
            "lead-k": [range(len(sentences))],
            "random-k": [_shuffled(len(sentences), seed) for seed in seeds],
        }
        for method, tries in orders.items():
            picked = [_take(sentences, order, None if limit else n, limit) for order in tries]
            scores = [rouge(reference, text) for text, _ in picked]
            rows.append(
                {"chapter": chapter["chapter"], "method": method}
                | {"k": statistics.mean(used for _, used in picked)}
                | {"words": statistics.mean(len(text.split()) for text, _ in picked)}
                | {name: statistics.mean(score[name] for score in scores) for name in names}
            )
    for method in ("MMR", "lead-k", "random-k"):
        mine = [row for row in rows if row["method"] == method]
        rows.append(
            {"chapter": "mean", "method": method}
            | {key: statistics.mean(r[key] for r in mine) for key in ("k", "words", *names)}
        )
    return rows
