"""Where a token stands: sinusoidal encodings and rotary embeddings (RoPE), from scratch
(chapter 05).

Attention alone treats its input as a set, so a model must be told each token's position.
Three ways, all selectable in ``GPTConfig(position=...)``:

* **learned** (chapter 06's default): a trained table, one vector per position, added to the
  token's vector. It knows nothing about positions it never trained on.
* **sinusoidal** (the original Transformer): a fixed table of sines and cosines, added the
  same way. Channel pair ``i`` turns at its own frequency, from one turn every 2π positions
  down to one every nearly ``2π · base`` positions::

      PE[t, 2i] = sin(t / base^(2i / C)),   PE[t, 2i + 1] = cos(t / base^(2i / C))

* **rotary (RoPE)**: nothing is added. Instead every query and key, in every head, is
  *rotated*: its channel pair ``(2i, 2i + 1)`` turns by the angle ``t · θ_i`` with
  ``θ_i = base^(-2i / head_size)``. A dot product of two rotated vectors depends only on the
  difference of their angles, so the score of query ``m`` and key ``n`` depends on ``m - n``,
  the distance, not on where the two stand.
"""

from __future__ import annotations

import torch

from .._checks import number, positive_int, tensor


def _check_even(size: int, name: str) -> int:
    positive_int(size, name)
    if size % 2:
        raise ValueError(f"{name} must be even (channels go in pairs), got {size}.")
    return size


def _check_base(base: object) -> float:
    """``base`` if it is a number > 1. Pair ``i`` turns at ``base^(-2i/C)`` per position: with
    base <= 0 that is NaN, with base 1 every pair turns alike, and below 1 the slowest pairs
    turn fastest."""
    return number(base, "base (the wavelength scale, e.g. 10000.0)", above=1)


def sinusoidal_positions(T: int, n_embd: int, base: float = 10_000.0) -> torch.Tensor:
    """The (T, n_embd) table of sinusoidal position encodings.

    >>> sinusoidal_positions(2, 4)[1]       # position 1: sin 1, cos 1, sin 0.01, cos 0.01
    tensor([0.8415, 0.5403, 0.0100, 0.9999])
    """
    positive_int(T, "T (the number of positions)")
    _check_even(n_embd, "n_embd")
    base = _check_base(base)
    t = torch.arange(T, dtype=torch.float32)[:, None]  # (T, 1)
    frequencies = base ** (-torch.arange(0, n_embd, 2, dtype=torch.float32) / n_embd)  # (C/2,)
    angles = t * frequencies  # (T, C/2): position t, channel pair i
    table = torch.empty(T, n_embd)
    table[:, 0::2] = torch.sin(angles)  # even channels
    table[:, 1::2] = torch.cos(angles)  # odd channels
    return table


def rope_angles(T: int, head_size: int, base: float = 10_000.0) -> torch.Tensor:
    """The rotation angle of every (position, channel pair): (T, head_size / 2) radians."""
    positive_int(T, "T (the number of positions)")
    _check_even(head_size, "head_size")
    base = _check_base(base)
    theta = base ** (-torch.arange(0, head_size, 2, dtype=torch.float32) / head_size)  # (hs/2,)
    return torch.arange(T, dtype=torch.float32)[:, None] * theta  # (T, hs/2)


def apply_rope(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Rotate every channel pair of ``x`` (..., T, head_size) by ``angles`` (T, head_size/2).

    Pair ``(x[2i], x[2i+1])`` becomes ``(x[2i] cos a - x[2i+1] sin a, x[2i] sin a +
    x[2i+1] cos a)``: a 2-D rotation, so lengths do not change.

    >>> x = torch.tensor([[1.0, 0.0]])            # one position, one pair: the vector (1, 0)
    >>> apply_rope(x, torch.tensor([[torch.pi / 2]])).round(decimals=4).abs()  # a quarter turn
    tensor([[0., 1.]])
    """
    if tensor(angles, "angles").dim() != 2:
        raise ValueError(
            f"angles must be (T, head_size / 2), as rope_angles(T, head_size) gives, got "
            f"{tuple(angles.shape)}."
        )
    if tensor(x, "x").dim() < 2 or x.shape[-2:] != (angles.shape[0], 2 * angles.shape[1]):
        raise ValueError(
            f"x must be (..., T, head_size) with T = {angles.shape[0]} and head_size = "
            f"{2 * angles.shape[1]} to match the angles {tuple(angles.shape)}; got "
            f"{tuple(x.shape)}."
        )
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)  # (T, hs/2)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, hs/2): the two halves of every pair
    rotated = torch.empty_like(x)
    rotated[..., 0::2] = even * cos - odd * sin
    rotated[..., 1::2] = even * sin + odd * cos
    return rotated
