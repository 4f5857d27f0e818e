"""Random training windows: the text labels itself (chapter 01 onwards).

A window of ``block_size`` tokens is the input; the same window shifted by one token is the
target, so every position learns to predict the token that follows it.
"""

from __future__ import annotations

import torch

from .._checks import positive_int, tensor


def _check_token_ids(data: torch.Tensor, name: str) -> torch.Tensor:
    """``data`` if it is 1-D with an integer dtype; else a ``ValueError`` naming ``name``."""
    kind = data.dtype
    if data.dim() != 1 or kind.is_floating_point or kind.is_complex or kind == torch.bool:
        raise ValueError(
            f"{name} must be a 1-D sequence of integer token ids (e.g. "
            f"torch.tensor(tokenizer.encode(text))), got dtype {data.dtype} and shape "
            f"{tuple(data.shape)}."
        )
    return data


def as_token_tensor(data, name: str) -> torch.Tensor:
    """A 1-D long tensor from a list or tensor of token ids, with a clear error otherwise."""
    try:
        if isinstance(data, str | bytes):
            raise TypeError
        data = torch.as_tensor(data)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"{name} must be token ids (a list or 1-D tensor of ints), got {data!r:.40}. "
            "Fix: encode the text first: torch.tensor(tokenizer.encode(text))."
        ) from None
    return _check_token_ids(data, name).long()


def get_batch(
    data: torch.Tensor,
    block_size: int,
    batch_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``block_size`` tokens and the same windows shifted by one.

    x[b, t] is a token and y[b, t] the token that follows it: the text labels itself.
    ``data`` is a 1-D tensor of token ids (``torch.tensor(ids)`` for a list).
    """
    _check_token_ids(tensor(data, "data"), "data")
    positive_int(block_size, "block_size")
    positive_int(batch_size, "batch_size")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {generator!r}. For a seed, "
            f"pass torch.Generator().manual_seed({generator!r})."
        )
    if len(data) < block_size + 1:
        raise ValueError(
            f"The data has {len(data)} tokens, too few for windows of block_size={block_size} "
            "(need block_size + 1). Use more data or a smaller block_size."
        )
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)  # (B,)
    offsets = torch.arange(block_size)  # (T,)
    x = data[starts[:, None] + offsets]  # (B, T)
    y = data[starts[:, None] + offsets + 1]  # (B, T)
    return x, y
