"""Counting n-gram models: predict the next token from the previous ``context`` tokens
(chapter 01). They show why more context helps and why counting tables cannot scale.
"""

from __future__ import annotations

import numpy as np
import torch

MAX_CODE = 2**62  # context codes must fit in int64


def _as_ids(ids, vocab_size: int, name: str) -> np.ndarray:
    ids = np.asarray(torch.as_tensor(ids).cpu(), dtype=np.int64)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {ids.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{name} holds ids outside 0..{vocab_size - 1}.")
    return ids


def context_codes(ids: np.ndarray, context: int, vocab_size: int) -> np.ndarray:
    """One integer per position t >= context naming the ``context`` tokens before it.

    The code is the previous tokens read as a number in base ``vocab_size``, so equal
    contexts get equal codes and different contexts different ones.
    """
    n = len(ids) - context
    codes = np.zeros(n, dtype=np.int64)
    for j in range(context):
        codes = codes * vocab_size + ids[j : j + n]
    return codes


def ngram_loss(
    train_ids,
    eval_ids,
    context: int,
    vocab_size: int,
    smoothing: float = 0.01,
) -> float:
    """Mean negative log-likelihood (nats per token) of a counting model on ``eval_ids``.

    The model is counted on ``train_ids``: P(next | previous ``context`` tokens) is
    (count of context+next + smoothing) / (count of context + smoothing * vocab_size).
    ``context=0`` is the unigram model, ``1`` the bigram, ``2`` the trigram, and so on.
    A context never seen in training gets the uniform distribution.
    """
    if context < 0 or vocab_size ** (context + 1) > MAX_CODE:
        largest = 0
        while vocab_size >= 2 and vocab_size ** (largest + 2) <= MAX_CODE:
            largest += 1
        raise ValueError(
            f"context must be between 0 and {largest} for a vocabulary of {vocab_size} "
            f"(the table's keys must fit in 64 bits), got {context}."
        )
    if smoothing <= 0:
        raise ValueError(
            f"smoothing must be > 0 (an unseen pair would cost infinity), got {smoothing}."
        )
    train = _as_ids(train_ids, vocab_size, "train_ids")
    held = _as_ids(eval_ids, vocab_size, "eval_ids")
    if len(train) <= context or len(held) <= context:
        raise ValueError(f"Both sequences need more than context={context} tokens.")

    def counts_of(keys_seen: np.ndarray, keys_wanted: np.ndarray) -> np.ndarray:
        unique, counts = np.unique(keys_seen, return_counts=True)
        where = np.clip(np.searchsorted(unique, keys_wanted), 0, len(unique) - 1)
        return np.where(unique[where] == keys_wanted, counts[where], 0)

    train_ctx = context_codes(train, context, vocab_size)
    held_ctx = context_codes(held, context, vocab_size)
    pair_count = counts_of(
        train_ctx * vocab_size + train[context:], held_ctx * vocab_size + held[context:]
    )
    ctx_count = counts_of(train_ctx, held_ctx)
    probs = (pair_count + smoothing) / (ctx_count + smoothing * vocab_size)
    return float(-np.log(probs).mean())


def contexts_seen(ids, context: int, vocab_size: int) -> int:
    """How many distinct contexts of length ``context`` occur in ``ids``."""
    ids = _as_ids(ids, vocab_size, "ids")
    return int(len(np.unique(context_codes(ids, context, vocab_size))))
