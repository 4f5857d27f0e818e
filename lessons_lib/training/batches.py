"""Random training windows: the text labels itself (chapter 01 onwards).

A window of ``block_size`` tokens is the input; the same window shifted by one token is the
target, so every position learns to predict the token that follows it.
"""

from __future__ import annotations

import torch


def as_token_tensor(data, name: str) -> torch.Tensor:
    """A 1-D long tensor from a list or tensor of token ids, with a clear error otherwise."""
    data = torch.as_tensor(data)
    if data.dim() != 1 or data.dtype.is_floating_point or data.dtype == torch.bool:
        raise ValueError(
            f"{name} must be a 1-D sequence of integer token ids (e.g. "
            f"torch.tensor(tokenizer.encode(text))), got dtype {data.dtype} and shape "
            f"{tuple(data.shape)}."
        )
    return data.long()


def get_batch(
    data: torch.Tensor,
    block_size: int,
    batch_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``block_size`` tokens and the same windows shifted by one.

    x[b, t] is a token and y[b, t] the token that follows it: the text labels itself.
    """
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
