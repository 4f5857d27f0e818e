"""Choosing the next token from logits: greedy, temperature, top-k and top-p (chapter 04).

:func:`sample` runs the whole recipe; each step is also a small function of its own, so a
notebook can show what it does to one row of logits::

    scores = apply_temperature(logits, 0.8)   # sharpen (T < 1) or flatten (T > 1)
    scores = top_k_filter(scores, 50)         # keep the 50 highest scores
    scores = top_p_filter(scores, 0.9)        # keep the most probable tokens up to 90 % mass
    probs = softmax(scores)                   # -inf (filtered out) -> probability 0
    next_id = torch.multinomial(probs, 1)

The filters return logits with ``-inf`` outside the kept set, never renormalised
probabilities: softmax renormalises over the kept tokens by itself.

``L.sample`` is the function :func:`sample`; the filters are ``L.top_k_filter`` and
``L.top_p_filter``.
"""

from __future__ import annotations

import math
import numbers

import torch

from .softmax import _row_max, softmax


def _check_logits(logits: torch.Tensor, name: str = "logits") -> None:
    """Raise a clear error unless ``logits`` is a float tensor of shape (..., vocab)."""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch tensor of shape (..., vocab), got {type(logits).__name__}."
        )
    if not logits.is_floating_point():
        raise TypeError(
            f"{name} must hold floating-point scores, got {logits.dtype}. Convert with .float()."
        )
    if logits.dim() == 0 or logits.shape[-1] == 0:
        raise ValueError(
            f"{name} must have shape (..., vocab) with vocab >= 1, got {tuple(logits.shape)}. "
            "For a single score use logits[None]."
        )


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_temperature(temperature: float | torch.Tensor, allow_zero: bool = True) -> None:
    if isinstance(temperature, torch.Tensor):
        if (
            not temperature.is_floating_point()
            or not bool(torch.isfinite(temperature).all())
            or bool((temperature < 0).any())
        ):
            raise ValueError(
                "temperature must be a finite number >= 0 (0 = greedy, 1 = the model's own "
                "probabilities, > 1 = flatter), or a float tensor of them with one per row, "
                f"got {temperature!r}."
            )
        if not allow_zero and bool((temperature == 0).any()):
            raise ValueError(
                "apply_temperature needs every temperature > 0: dividing by 0 is undefined. "
                "Temperature 0 means greedy decoding: use sample(logits, temperature=...)."
            )
        return
    if not _is_real(temperature) or math.isnan(temperature) or math.isinf(temperature):
        raise ValueError(
            f"temperature must be a finite number >= 0 (0 = greedy, 1 = the model's own "
            f"probabilities, > 1 = flatter), got {temperature!r}."
        )
    if temperature < 0:
        raise ValueError(
            f"temperature must be >= 0 (0 = greedy, 1 = the model's own probabilities, "
            f"> 1 = flatter), got {temperature!r}."
        )
    if temperature == 0 and not allow_zero:
        raise ValueError(
            "apply_temperature needs temperature > 0: dividing by 0 is undefined. "
            "Temperature 0 means greedy decoding: use sample(logits, temperature=0) "
            "or logits.argmax(dim=-1)."
        )


def _check_top_k(top_k: int) -> None:
    if not isinstance(top_k, numbers.Integral) or isinstance(top_k, bool) or top_k < 1:
        raise ValueError(
            f"top_k must be an int >= 1 (keep the k highest-scoring tokens) or None, got {top_k!r}."
        )


def _check_top_p(top_p: float) -> None:
    if not _is_real(top_p) or not 0 < top_p <= 1:  # `not 0 < nan <= 1` is True: NaN fails
        raise ValueError(
            f"top_p must be a number in (0, 1] (the probability mass to keep; 1 keeps every "
            f"token) or None, got {top_p!r}."
        )


def check_sampling_options(
    temperature: float | torch.Tensor = 1.0, top_k: int | None = None, top_p: float | None = None
) -> None:
    """Raise a clear ``ValueError`` unless the options are valid for :func:`sample`."""
    _check_temperature(temperature)
    if top_k is not None:
        _check_top_k(top_k)
    if top_p is not None:
        _check_top_p(top_p)


def _per_row(temperature: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """A tensor of temperatures, one per row of (..., V) ``logits``, as a (..., 1) column."""
    if temperature.shape != logits.shape[:-1]:
        raise ValueError(
            f"A tensor temperature needs one value per row: shape {tuple(logits.shape[:-1])} "
            f"for logits of shape {tuple(logits.shape)}, got {tuple(temperature.shape)}."
        )
    return temperature.to(device=logits.device, dtype=logits.dtype)[..., None]  # (..., 1)


def apply_temperature(logits: torch.Tensor, temperature: float | torch.Tensor) -> torch.Tensor:
    """``logits / temperature``: T < 1 sharpens the distribution, T > 1 flattens it.

    Needs ``temperature > 0`` (temperature 0 is greedy decoding, handled by :func:`sample`).
    As T -> 0+ all the probability goes to the highest score; as T -> inf it spreads evenly.
    ``temperature`` may be a tensor with one value per row (shape ``logits.shape[:-1]``).
    """
    _check_logits(logits)
    _check_temperature(temperature, allow_zero=False)
    if isinstance(temperature, torch.Tensor):
        return logits / _per_row(temperature, logits)  # (..., V) / (..., 1)
    if temperature == 1:
        return logits  # dividing by 1 changes nothing: skip the copy
    return logits / temperature


def top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the ``top_k`` highest scores of each row (..., vocab); set the rest to ``-inf``.

    ``top_k`` larger than the vocabulary keeps everything. Tokens tied with the k-th highest
    score are all kept (so a tie can keep more than k), which makes the result independent of
    how ties happen to be ordered.

    >>> top_k_filter(torch.tensor([1.0, 3.0, 2.0, 0.5]), 2)
    tensor([-inf, 3., 2., -inf])
    """
    _check_logits(logits)
    _check_top_k(top_k)
    k = min(int(top_k), logits.shape[-1])  # clamp to the vocabulary size
    kth_highest = torch.topk(logits, k, dim=-1).values[..., -1:]  # (..., 1)
    return logits.masked_fill(logits < kth_highest, float("-inf"))


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus filtering: keep the fewest most probable tokens whose probability sums to
    at least ``top_p``; set the rest to ``-inf``. Works row by row on (..., vocab).

    The most probable token is always kept (even if its probability alone exceeds
    ``top_p``), and ``top_p = 1`` keeps every token. Tokens tied in probability with the
    least probable kept token are kept too, as in :func:`top_k_filter`.

    >>> probs = torch.tensor([0.1, 0.5, 0.15, 0.25])  # sorted: 0.5, 0.25 | 0.15, 0.1
    >>> top_p_filter(probs.log(), 0.6).exp()           # 0.5 < 0.6 <= 0.5 + 0.25
    tensor([0.0000, 0.5000, 0.0000, 0.2500])
    """
    _check_logits(logits)
    _check_top_p(top_p)
    if top_p == 1:
        return logits  # every token is needed to reach a mass of 1 (avoids rounding trouble)
    probs = softmax(logits.to(torch.promote_types(logits.dtype, torch.float32)), dim=-1)
    sorted_probs = probs.sort(dim=-1, descending=True).values  # (..., V), largest first
    mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # (..., V), mass of the ones above
    # keep a token while the tokens above it have not yet reached top_p; the first always is
    n_kept = (mass_before < top_p).sum(dim=-1, keepdim=True).clamp(min=1)  # (..., 1)
    smallest_kept = sorted_probs.gather(-1, n_kept - 1)  # (..., 1)
    return logits.masked_fill(probs < smallest_kept, float("-inf"))


@torch.no_grad()
def sample(
    logits: torch.Tensor,
    temperature: float | torch.Tensor = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw one token id per row of ``logits``: (..., vocab) -> (..., 1) long.

    Steps, in this order (the order Hugging Face uses too): divide by ``temperature``, keep
    the ``top_k`` highest scores, keep the nucleus of mass ``top_p`` (of the distribution
    after the temperature and the top-k cut), softmax, draw. ``temperature=0`` is greedy:
    the highest score wins (the first one on a tie), no randomness and no generator used;
    top-k and top-p cannot change that choice. ``temperature`` may also be a tensor with one
    value per row (shape ``logits.shape[:-1]``), to sample many settings in one batch; its
    rows with temperature 0 are greedy. Pass a seeded ``torch.Generator`` (on the logits'
    device) to make draws repeatable.

    >>> sample(torch.tensor([[2.0, 5.0, 1.0]]), temperature=0)
    tensor([[1]])
    """
    _check_logits(logits)
    check_sampling_options(temperature, top_k, top_p)
    _row_max(logits, -1, "sample")  # a clear error for a row that is all -inf, NaN or +inf
    greedy = None
    if isinstance(temperature, torch.Tensor):
        column = _per_row(temperature, logits)  # (..., 1)
        greedy = column == 0  # (..., 1) rows that take the argmax
        scores = logits / torch.where(greedy, 1.0, column)  # (..., V)
    elif temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)  # (..., 1)
    else:
        scores = apply_temperature(logits, temperature)  # (..., V)
    if top_k is not None:
        scores = top_k_filter(scores, top_k)
    if top_p is not None:
        scores = top_p_filter(scores, top_p)
    probs = softmax(scores, dim=-1)  # (..., V), 0 outside the kept set
    vocab_size = probs.shape[-1]
    flat_ids = torch.multinomial(probs.reshape(-1, vocab_size), 1, generator=generator)  # (N, 1)
    ids = flat_ids.reshape(*logits.shape[:-1], 1)  # (N, 1) -> (..., 1)
    if greedy is not None:
        ids = torch.where(greedy, logits.argmax(dim=-1, keepdim=True), ids)  # (..., 1)
    return ids
