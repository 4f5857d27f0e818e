"""Softmax, log-softmax, log-sum-exp and entropy from scratch, numerically stable (chapter 04).

Softmax turns a row of scores (logits) into probabilities::

    softmax(x)_i = exp(x_i) / sum_j exp(x_j)

Written like that, ``exp(1000)`` overflows to ``inf`` and the result is ``inf / inf = nan``.
The fix is the **max-subtraction trick**: softmax does not change when every score is shifted
by the same number, so subtract the row's largest score first. Then every exponent is
``<= 0``, the largest term is exactly ``exp(0) = 1``, and nothing overflows::

    softmax(x) = softmax(x - max(x))
    logsumexp(x) = max(x) + log(sum_j exp(x_j - max(x)))
    log_softmax(x) = x - logsumexp(x)

A score of ``-inf`` means "this token is masked out": it gets probability exactly 0. That
works as long as a row keeps at least one finite score.

**A row that is all ``-inf``** has no probability to spread: softmax would be ``0 / 0``.
``torch.softmax`` quietly returns NaN there, and the NaN then surfaces far away (as a NaN
loss, or a crash in sampling) with no hint of where it came from. These functions raise a
``ValueError`` at the source instead, naming the row. :func:`logsumexp` is the exception:
the log of an empty sum is a well-defined ``log(0) = -inf``, so it returns ``-inf`` for such
a row, exactly as ``torch.logsumexp`` does. Scores that are NaN or ``+inf`` (the signs of an
overflow or a division by zero upstream) raise a ``ValueError`` in all three functions.

:func:`entropy` measures how spread out the resulting probabilities are (chapters 01 and 04).
"""

from __future__ import annotations

import torch


def _check_scores(x: torch.Tensor, dim: int, name: str) -> None:
    """Raise a clear error unless ``x`` is a floating-point tensor with a valid ``dim``."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} needs a torch tensor of scores, got {type(x).__name__}. "
            "Wrap it with torch.tensor(..., dtype=torch.float32)."
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{name} needs floating-point scores (e.g. torch.float32), got {x.dtype}. "
            "Convert with x.float()."
        )
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int (the dimension to normalise over), got {dim!r}.")
    ndim = max(x.dim(), 1)  # a 0-d tensor counts as one row of one score, as in torch
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"dim={dim} is out of range for {name} of a tensor of shape {tuple(x.shape)}: "
            f"use a dim from {-ndim} to {ndim - 1}."
        )
    if x.dim() > 0 and x.shape[dim] == 0:
        raise ValueError(
            f"{name} cannot normalise over dim={dim}: it has size 0 in shape {tuple(x.shape)}."
        )


def _first_index(mask: torch.Tensor) -> str:
    """The index of the first True entry of ``mask``, written like ``[1, 0]`` (for messages)."""
    return "[" + ", ".join(str(int(i)) for i in mask.nonzero()[0]) + "]"


def _row_max(x: torch.Tensor, dim: int, name: str, allow_all_masked: bool = False) -> torch.Tensor:
    """The largest score along ``dim`` (kept as a size-1 dim), after checking every row.

    Raises for rows with NaN or ``+inf`` and, unless ``allow_all_masked``, for rows that are
    all ``-inf``. The max is detached: it is a constant shift, and softmax does not depend on
    it, so no gradient needs to flow through it.
    """
    _check_scores(x, dim, name)
    row_max = x.detach().amax(dim=dim, keepdim=True)  # (..., 1, ...); NaN if the row has a NaN
    bad = torch.isnan(row_max) | torch.isposinf(row_max)
    if not allow_all_masked:
        bad = bad | torch.isneginf(row_max)
    if bool(bad.any()):
        bad_rows = bad.squeeze(dim)  # one flag per row
        where = _first_index(bad_rows)
        value = float(row_max.squeeze(dim)[bad_rows][0])  # the first bad row's max
        if value == float("-inf"):
            raise ValueError(
                f"{name}: the row at index {where} (along dim={dim}) is all -inf, so every "
                "token is masked out and there is no probability to spread (0 / 0). Keep at "
                "least one finite score per row, e.g. never mask a position's own token."
            )
        raise ValueError(
            f"{name}: the row at index {where} (along dim={dim}) holds "
            f"{'NaN' if value != value else '+inf'}. Scores must be finite or -inf (masked); "
            "look for an overflow or a division by zero where they were computed."
        )
    return row_max


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Probabilities from scores: ``exp(x)`` normalised to sum to 1 along ``dim``.

    Same shape as ``x``; equals ``torch.softmax(x, dim)``. Stable for scores of any size
    (the row's max is subtracted first); ``-inf`` scores get probability 0; a row that is
    all ``-inf`` raises ``ValueError`` (see the module docstring for why).

    >>> softmax(torch.tensor([1000.0, 1000.0, -float("inf")]))
    tensor([0.5000, 0.5000, 0.0000])
    """
    shifted = x - _row_max(x, dim, "softmax")  # every entry <= 0, the max is exactly 0
    exps = shifted.exp()  # in [0, 1], at least one 1 per row: the sum is >= 1, never 0
    return exps / exps.sum(dim=dim, keepdim=True)


def logsumexp(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``log(sum(exp(x)))`` along ``dim``, without overflow; ``dim`` is reduced away.

    Equals ``torch.logsumexp(x, dim)``. It is a smooth maximum: ``max(x) <= logsumexp(x) <=
    max(x) + log(n)`` for ``n`` scores. A row that is all ``-inf`` gives ``-inf`` (the log
    of an empty sum).

    >>> logsumexp(torch.tensor([100.0, 100.0]))  # 100 + log 2; exp(100) overflows float32
    tensor(100.6931)
    """
    row_max = _row_max(x, dim, "logsumexp", allow_all_masked=True)
    # an all -inf row: shift by 0 instead, so exp(-inf) = 0, log(0) = -inf (no -inf - -inf)
    shift = row_max.masked_fill(torch.isneginf(row_max), 0.0)
    total = (x - shift).exp().sum(dim=dim, keepdim=True)  # (..., 1, ...)
    return (shift + total.log()).squeeze(dim)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Log-probabilities from scores: ``x - logsumexp(x)`` along ``dim``.

    Same shape as ``x``; equals ``torch.log_softmax(x, dim)``. More accurate than
    ``softmax(x).log()``, which rounds tiny probabilities to 0 and then gives ``-inf``:
    cross-entropy is ``-log_softmax(logits)[target]``. ``-inf`` scores stay ``-inf``; a row
    that is all ``-inf`` raises ``ValueError``.

    >>> log_softmax(torch.tensor([0.0, -200.0]))  # softmax(...).log() would give -inf
    tensor([   0., -200.])
    """
    shifted = x - _row_max(x, dim, "log_softmax")  # every entry <= 0, the max is exactly 0
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def entropy(probs: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``-sum p ln p`` along ``dim``, in nats, with ``0 ln 0 = 0``; ``dim`` is reduced away.

    0 for a certain outcome, ``ln V`` for a uniform choice among V. ``probs`` must be a
    distribution along ``dim``: entries >= 0 that sum to 1 (within 1e-3; 1e-2 in 16-bit
    floats); anything else (logits, counts, NaN) raises a ``ValueError``.

    >>> entropy(torch.tensor([0.5, 0.5, 0.0]))  # ln 2
    tensor(0.6931)
    """
    if not isinstance(probs, torch.Tensor) or not probs.is_floating_point():
        got = probs.dtype if isinstance(probs, torch.Tensor) else type(probs).__name__
        raise TypeError(
            f"probs must be a floating-point tensor of probabilities, e.g. softmax(x), got {got}."
        )
    _check_scores(probs, dim, "entropy")
    _check_distribution(probs.detach(), dim)
    terms = probs * probs.log()  # (..., V); NaN where p = 0 (0 * -inf)
    return -torch.where(probs > 0, terms, torch.zeros_like(terms)).sum(dim=dim)


def _check_distribution(p: torch.Tensor, dim: int) -> None:
    """Raise a ``ValueError`` unless every row of ``p`` along ``dim`` is a distribution."""
    fix = "pass softmax(scores), or counts / counts.sum(dim, keepdim=True)"
    if bool(torch.isnan(p).any()):
        raise ValueError(f"probs holds {int(torch.isnan(p).sum())} NaN value(s): {fix}.")
    if bool((p < 0).any()):
        raise ValueError(
            f"probs holds negative entries (the smallest is {float(p.min()):.4g}), so it is no "
            f"distribution: were these logits or log-probabilities? {fix[0].upper()}{fix[1:]}."
        )
    tolerance = 1e-3 if p.element_size() >= 4 else 1e-2
    totals = p.sum(dim=dim) if p.dim() else p
    worst = float((totals - 1).abs().max())  # inf if an entry is inf
    if not worst <= tolerance:
        far = totals.flatten()[(totals - 1).abs().flatten().argmax()]
        raise ValueError(
            f"probs must sum to 1 along dim={dim}, but a row sums to {float(far):.6g}: {fix}."
        )
