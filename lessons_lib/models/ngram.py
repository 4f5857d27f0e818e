"""Counting n-gram models: predict the next token from the previous ``context`` tokens
(chapter 01). They show why more context helps and why counting tables cannot scale.

Chapter 04 wraps the counts as a language model, :class:`NGramLM`, to sample text from.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from .._checks import is_int, number, positive_int
from .lm import check_token_ids, language_model_loss

MAX_CODE = 2**62  # context codes must fit in int64


def _as_ids(ids, vocab_size: int, name: str) -> np.ndarray:
    ids = np.asarray(torch.as_tensor(ids).cpu(), dtype=np.int64)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {ids.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{name} holds ids outside 0..{vocab_size - 1}.")
    return ids


def _check_context(context: int, vocab_size: int) -> None:
    """Raise a clear error unless the codes of ``context`` + 1 tokens fit in 64 bits."""
    positive_int(vocab_size, "vocab_size")
    if not is_int(context):
        raise ValueError(f"context must be an int (tokens to look back), got {context!r}.")
    if context < 0 or vocab_size ** (context + 1) > MAX_CODE:
        largest = 0
        while vocab_size >= 2 and vocab_size ** (largest + 2) <= MAX_CODE:
            largest += 1
        raise ValueError(
            f"context must be between 0 and {largest} for a vocabulary of {vocab_size} "
            f"(the table's keys must fit in 64 bits), got {context}."
        )


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
    _check_context(context, vocab_size)
    if number(smoothing, "smoothing") <= 0:
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
    _check_context(context, vocab_size)
    ids = _as_ids(ids, vocab_size, "ids")
    return int(len(np.unique(context_codes(ids, context, vocab_size))))


def unseen_contexts(train_ids, eval_ids, context: int, vocab_size: int) -> np.ndarray:
    """For each prediction of ``eval_ids[t]``, t >= ``context``: True where its ``context``
    previous tokens never come before a token in ``train_ids`` (a table of that context
    length has no counts for it). Shape (len(eval_ids) - context,)."""
    _check_context(context, vocab_size)
    train = _as_ids(train_ids, vocab_size, "train_ids")
    held = _as_ids(eval_ids, vocab_size, "eval_ids")
    if len(train) <= context or len(held) <= context:
        raise ValueError(f"Both sequences need more than context={context} tokens.")
    seen = np.sort(context_codes(train, context, vocab_size))  # (N - context,) with repeats
    wanted = context_codes(held, context, vocab_size)
    where = np.minimum(np.searchsorted(seen, wanted), len(seen) - 1)
    return seen[where] != wanted


def unseen_context_share(train_ids, eval_ids, context: int, vocab_size: int) -> float:
    """The share of predictions in ``eval_ids`` whose ``context`` previous tokens never come
    before a token in ``train_ids``: for those, a table of that context length has no counts.
    """
    return float(np.mean(unseen_contexts(train_ids, eval_ids, context, vocab_size)))


# ----------------------------------------------------------------------------------------------
# The counting n-gram as a language model with the course's contract (chapter 04)


def _sorted_counts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes``, sorted, and how often each occurs."""
    ordered = np.sort(codes)
    starts = _group_starts(ordered)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def _group_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in the sorted array ``ordered``."""
    new_value = np.ones(len(ordered), dtype=bool)
    new_value[1:] = ordered[1:] != ordered[:-1]
    return np.flatnonzero(new_value)


class NGramLM(nn.Module):
    """A counting n-gram model with the contract ``forward(idx, targets) -> (logits, loss)``.

    Chapter 01 counted which token follows each context; this class turns those counts into a
    model that :func:`~lessons_lib.generate` and :func:`~lessons_lib.evaluate`
    accept, so chapter 04 has a quick, decent model to sample from. A prediction looks at up
    to ``context`` tokens (the position's own token and the ones before it) and blends the
    counts of every context length ``k = 0, 1, ..., context``, shortest first::

        P_k(next) = (count(ctx_k, next) + m * P_{k-1}(next)) / (count(ctx_k) + m)
        m = smoothing * (how many different tokens followed ctx_k in training)

    where ``ctx_k`` is the last ``k`` tokens and ``P_{-1}`` is uniform. Each longer context
    refines the shorter one's prediction by what followed it in training; the ``m`` pretend
    observations drawn from the shorter prediction keep unseen tokens possible, and they are
    many when a context was followed by many different tokens (a new one is then likely too;
    with ``smoothing=1`` this is Witten-Bell smoothing). A context never seen changes nothing:
    the prediction falls back to the longest context that was seen. The logits are
    ``log P_context``.

    ``NGramLM(vocab_size, context)`` has counted nothing and predicts uniformly; :meth:`from_ids`
    counts. The counts are the model's parameters (frozen: counting sets them, not gradient
    descent). ``block_size`` is ``context``, so :func:`generate` feeds only the tokens it uses.

    >>> model = NGramLM.from_ids([0, 1, 2, 0, 1, 2, 0, 1], context=2, vocab_size=3)
    >>> logits, _ = model(torch.tensor([[0, 1]]))  # (B, T) = (1, 2) -> (1, 2, 3)
    >>> logits.softmax(dim=-1)[0, -1]               # [4, 4, 91] / 99: (0, 1) -> 2, twice
    tensor([0.0404, 0.0404, 0.9192])
    """

    def __init__(self, vocab_size: int, context: int, smoothing: float = 1.0):
        super().__init__()
        if not isinstance(vocab_size, int) or isinstance(vocab_size, bool) or vocab_size < 1:
            raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}.")
        if not isinstance(context, int) or isinstance(context, bool):
            raise ValueError(f"context must be an int (tokens to look back), got {context!r}.")
        _check_context(context, vocab_size)
        if (
            isinstance(smoothing, bool)
            or not isinstance(smoothing, (int, float))
            or not (0 < smoothing < float("inf"))
        ):
            raise ValueError(
                f"smoothing must be a finite number > 0 (it sets how many pretend observations "
                f"come from the shorter context; with 0 a token never seen after a context "
                f"would get probability 0 and an infinite loss), got {smoothing!r}."
            )
        self.vocab_size = vocab_size
        self.context = context
        self.block_size = context  # the most tokens one prediction looks at
        self.smoothing = float(smoothing)
        self._store_counts([np.zeros(0, dtype=np.int64)] * 2 * (context + 1))  # uniform

    def _store_counts(self, tables: list[np.ndarray]) -> None:
        """Keep the counts: ``tables`` holds, for k = 0, 1, ..., ``context``, the sorted codes
        ``context * V + next`` of every (context of k tokens, next) pair seen, and their counts.

        All orders share one set of tables. A context of k tokens is keyed ``V**k + code``, so
        keys of different lengths never collide and stay sorted (``V**k + code < V**(k+1)``).
        """
        V = self.vocab_size
        keys, counts, first_pair, next_tokens, pair_counts = [], [], [], [], []
        n_pairs = 0
        for k in range(self.context + 1):
            pair_codes, pair_count = tables[2 * k], tables[2 * k + 1]
            contexts = pair_codes // V  # sorted too: the pairs of one context form a run
            starts = _group_starts(contexts)
            keys.append(V**k + contexts[starts])
            counts.append(np.add.reduceat(pair_count, starts) if len(starts) else starts)
            first_pair.append(n_pairs + starts)
            next_tokens.append(pair_codes % V)
            pair_counts.append(pair_count)
            n_pairs += len(pair_codes)
        first_pair.append(np.array([n_pairs]))
        tables = {  # n_ctx contexts of every length, n_pairs (context, next) pairs
            "context_keys": keys,  # (n_ctx,) sorted keys of the contexts seen
            "context_counts": counts,  # (n_ctx,) how often each context occurred
            "first_pair": first_pair,  # (n_ctx + 1,) where each context's pairs begin
            "next_tokens": next_tokens,  # (n_pairs,) the token that followed
            "pair_counts": pair_counts,  # (n_pairs,) how often it followed
        }
        for name, parts in tables.items():
            tensor = torch.as_tensor(np.concatenate(parts).astype(np.int64))
            self.register_parameter(name, nn.Parameter(tensor, requires_grad=False))

    @classmethod
    def from_ids(cls, train_ids, context: int, vocab_size: int, smoothing: float = 1.0) -> NGramLM:
        """Count, in the 1-D ``train_ids``, what follows every context of 0 to ``context`` ids."""
        model = cls(vocab_size, context, smoothing)
        ids = _as_ids(train_ids, vocab_size, "train_ids")
        if len(ids) <= context:
            raise ValueError(f"train_ids has {len(ids)} ids: need more than context={context}.")
        tables = []
        for k in range(context + 1):
            pair_codes = context_codes(ids, k, vocab_size) * vocab_size + ids[k:]  # (N - k,)
            tables.extend(_sorted_counts(pair_codes))
        model._store_counts(tables)
        return model

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        check_token_ids(idx, self.vocab_size)
        probs = self._next_token_probs(idx.detach().cpu().long().numpy())  # (B, T, V)
        logits = torch.from_numpy(np.log(probs)).float().to(idx.device)
        return logits, language_model_loss(logits, targets)

    def _next_token_probs(self, idx: np.ndarray) -> np.ndarray:
        """P(next | up to ``context`` tokens ending at each position) of (B, T) ids: (B, T, V).

        Counting is lookups in sorted tables, so it runs in NumPy on the CPU (one thread:
        fast for the many small steps of generation) wherever the model's tensors live.
        """
        tables = {name: p.detach().cpu().numpy() for name, p in self.named_parameters()}
        keys = tables["context_keys"]
        B, T = idx.shape
        V, K = self.vocab_size, self.context
        if len(keys) == 0:  # nothing counted: uniform
            return np.full((B, T, V), 1.0 / V)
        # the key of the k tokens ending at each position, oldest first, for k = 0..K
        code = np.zeros((B, T, K + 1), dtype=np.int64)  # (B, T, K+1)
        for k in range(1, min(K, T) + 1):
            code[:, k - 1 :, k] = code[:, k - 1 :, k - 1] + idx[:, : T - k + 1] * V ** (k - 1)
        code += np.array([V**k for k in range(K + 1)])  # key = V**k + code
        long_enough = np.arange(T)[:, None] >= np.arange(K + 1) - 1  # (T, K+1)
        row = np.minimum(np.searchsorted(keys, code), len(keys) - 1)  # (B, T, K+1)
        seen = long_enough & (keys[row] == code)  # (B, T, K+1): this context was counted
        # P_k = a_k P_{k-1} + b_k count_k with a_k = m / (n + m), b_k = 1 / (n + m)
        n = np.where(seen, tables["context_counts"][row], 0)  # (B, T, K+1) count(ctx_k)
        first = tables["first_pair"][row]  # (B, T, K+1) where its pairs begin
        n_pairs = np.where(seen, tables["first_pair"][row + 1] - first, 0)  # distinct next
        m = self.smoothing * n_pairs
        with np.errstate(divide="ignore", invalid="ignore"):  # unseen: 0 / 0, replaced
            a = np.where(seen, m / (n + m), 1.0)  # (B, T, K+1); unseen contexts: 1
            b = np.where(seen, 1.0 / (n + m), 0.0)  # (B, T, K+1); unseen contexts: 0
        # unrolled: P_K = (a_0 ... a_K) / V + sum_k b_k (a_{k+1} ... a_K) count_k
        later = np.cumprod(a[..., ::-1], axis=-1)[..., ::-1]  # (B, T, K+1): a_k ... a_K
        weight = b * np.concatenate([later[..., 1:], np.ones((B, T, 1))], axis=-1)
        # every pair of every seen context, all lengths at once
        n_pairs = n_pairs.reshape(-1)  # (B*T*(K+1),)
        owner = np.repeat(np.arange(len(n_pairs)), n_pairs)  # (pairs,) its (position, k)
        rank = np.arange(len(owner)) - (np.cumsum(n_pairs) - n_pairs)[owner]
        pair = first.reshape(-1)[owner] + rank  # (pairs,) index in the pair tables
        cell = (owner // (K + 1)) * V + tables["next_tokens"][pair]  # (pairs,) in (B*T*V,)
        counted = np.bincount(
            cell,
            weights=weight.reshape(-1)[owner] * tables["pair_counts"][pair],
            minlength=B * T * V,
        )  # (B*T*V,) sum over k of b_k (a_{k+1} ... a_K) count_k(next)
        return counted.reshape(B, T, V) + later[..., :1] / V  # (B, T, V), rows sum to 1

    def extra_repr(self) -> str:
        return f"vocab_size={self.vocab_size}, context={self.context}, smoothing={self.smoothing}"
