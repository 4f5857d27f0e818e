"""A key-value cache: generating without recomputing the past (chapter 06).

Without a cache, every new token runs the whole context through the model again, although
the keys and values of the earlier positions have not changed: a causal model's past never
depends on what comes after it. A **KV cache** keeps each layer's keys and values; each new
token then computes only its own query, key and value and attends to the cached ones::

    no cache: step t reads t tokens     ->  about T²/2 token-passes for T new tokens
    cache:    step t reads 1 new token  ->  T token-passes (attention still reads t keys)

A full window cannot simply slide: once ``block_size`` tokens are cached, the next token
needs the window cropped, which renumbers every position (with learned or sinusoidal
positions that changes every cached key) and, in every layer after the first, removes tokens
whose information the cached keys still carry (so even RoPE's keys would be off).
``L.generate(..., use_cache=True)`` then rebuilds the cache from the last ``block_size``
tokens, exactly what the uncached path computes, so the two give the same tokens; past the
window the cache no longer saves time.
"""

from __future__ import annotations

import torch

from .._checks import positive_int


class LayerCache:
    """One layer's cached keys and values, (B, n_head, T, head_size) each."""

    def __init__(self) -> None:
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None

    @property
    def length(self) -> int:
        """How many positions are cached."""
        return 0 if self.keys is None else self.keys.shape[2]

    def extend(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append the new positions' keys and values; return all of them, old and new."""
        if self.keys is None:
            self.keys, self.values = k, v
        else:
            self.keys = torch.cat([self.keys, k], dim=2)  # (B, H, T_past + T_new, hs)
            self.values = torch.cat([self.values, v], dim=2)
        return self.keys, self.values


class KVCache:
    """The cache of a whole model: one :class:`LayerCache` per block."""

    def __init__(self, n_layer: int) -> None:
        self.layers = [LayerCache() for _ in range(positive_int(n_layer, "n_layer"))]

    @property
    def length(self) -> int:
        """How many positions are cached (the same in every layer)."""
        return self.layers[0].length

    def nbytes(self) -> int:
        """The memory the cached keys and values take."""
        return sum(
            t.numel() * t.element_size()
            for layer in self.layers
            for t in (layer.keys, layer.values)
            if t is not None
        )
