"""A task with a visible answer, and a tiny attention model that learns it (chapter 05).

**The reversal task.** A sequence of ``length`` different letters, a separator ``|``, then
the same letters backwards::

    c a f h b j e d | d e j b h f a c

A causal language model reads it left to right and predicts each next token. The letters
before ``|`` are random, so they cannot be predicted; the letters after it can, exactly, and
the only way is to *look back* at the right letter: to predict the ``j``-th letter after
the separator, attend to the ``j``-th letter from the end of the first half. Drawn as an
attention map, that is an anti-diagonal, a pattern you can predict before you look.

:class:`AttentionOnlyLM` is the smallest model that can do it: token and position
embeddings, causal self-attention layers with residual connections, and a linear read-out.
It keeps the course's contract ``forward(idx, targets=None) -> (logits, loss)``; target
positions that hold :data:`IGNORE` (the unpredictable first half) do not count in the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MultiHeadSelfAttention
from .bigram import check_token_ids

IGNORE = -1
"""A target that does not count in the loss (``F.cross_entropy``'s ``ignore_index``)."""


@dataclass
class ReversalTask:
    """Random examples ``letters | letters reversed``; tokens are single characters."""

    letters: str = "abcdefghij"  # the alphabet the random letters are drawn from
    length: int = 8  # how many letters come before the separator
    separator: str = "|"  # the token between the letters and their reversal

    def __post_init__(self) -> None:
        if len(set(self.letters)) != len(self.letters) or self.separator in self.letters:
            raise ValueError(
                f"letters must be distinct and must not contain the separator "
                f"{self.separator!r}, got letters={self.letters!r}."
            )
        if not 1 <= self.length <= len(self.letters):
            raise ValueError(
                f"length must be 1..{len(self.letters)} (the letters of an example are all "
                f"different), got {self.length}."
            )

    @property
    def vocab(self) -> list[str]:
        """The tokens: every letter, then the separator (its id is ``len(letters)``)."""
        return list(self.letters) + [self.separator]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def block_size(self) -> int:
        """The model's input length: the whole example but its last letter."""
        return 2 * self.length

    def examples(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` whole examples as token ids, shape (n, 2 * length + 1)."""
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}.")
        noise = torch.rand(n, len(self.letters), generator=generator)  # (n, letters)
        first = noise.argsort(dim=1)[:, : self.length]  # (n, length): different letters
        separator = torch.full((n, 1), len(self.letters), dtype=torch.long)  # (n, 1)
        return torch.cat([first, separator, first.flip(1)], dim=1)  # (n, 2 * length + 1)

    def batch(
        self, n: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(idx, targets)``, both (n, 2 * length): the next token at every position, with
        :data:`IGNORE` where it is one of the random letters (nothing to learn there)."""
        seq = self.examples(n, generator)  # (n, 2L + 1)
        idx, targets = seq[:, :-1], seq[:, 1:].clone()  # (n, 2L) each
        targets[:, : self.length - 1] = IGNORE  # the random letters cannot be predicted
        return idx, targets

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, e.g. ``"cab|bac"`` (spaces are ignored)."""
        stoi = {token: i for i, token in enumerate(self.vocab)}
        unknown = sorted({c for c in text.replace(" ", "") if c not in stoi})
        if unknown:
            raise ValueError(f"Unknown tokens {unknown}: use only {''.join(self.vocab)!r}.")
        return [stoi[c] for c in text.replace(" ", "")]

    def decode(self, ids) -> str:
        """The tokens of ``ids``, separated by spaces."""
        return " ".join(self.vocab[int(i)] for i in ids)


@dataclass
class AttentionOnlyConfig:
    vocab_size: int = 11  # number of token ids (10 letters and the separator)
    block_size: int = 16  # the longest input; one learned position embedding per position
    n_embd: int = 32  # channels per position (C)
    n_head: int = 1  # attention heads per layer
    n_layer: int = 1  # attention layers, each added to the stream (residual connection)


class AttentionOnlyLM(nn.Module):
    """Embeddings, causal self-attention layers with residuals, a linear read-out.

    ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) -> logits (B, T, V). Each
    layer's ``attn_weights`` (B, H, T, T) holds the weights of the last call;
    :meth:`attention_maps` collects them.
    """

    def __init__(self, config: AttentionOnlyConfig):
        super().__init__()
        self.config = config
        self.block_size = config.block_size
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.layers = nn.ModuleList(
            MultiHeadSelfAttention(config.n_embd, config.n_head, causal=True)
            for _ in range(config.n_layer)
        )
        self.norm = nn.LayerNorm(config.n_embd)
        self.read_out = nn.Linear(config.n_embd, config.vocab_size)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        check_token_ids(idx, self.config.vocab_size)
        B, T = idx.shape
        if T > self.block_size:
            raise ValueError(
                f"idx has {T} positions but the model has position embeddings for only "
                f"block_size={self.block_size}. Use idx[:, -{self.block_size}:]."
            )
        positions = torch.arange(T, device=idx.device)  # (T,)
        x = self.token_embedding(idx) + self.position_embedding(positions)  # (B, T, C)
        for layer in self.layers:
            x = x + layer(x)  # (B, T, C): each layer adds what it gathered from the past
        logits = self.read_out(self.norm(x))  # (B, T, V)
        if targets is None:
            return logits, None
        if targets.shape != idx.shape:
            raise ValueError(
                f"targets must have the shape of idx {tuple(idx.shape)}, got "
                f"{tuple(targets.shape)}."
            )
        V = logits.shape[-1]
        loss = F.cross_entropy(
            logits.reshape(B * T, V), targets.reshape(B * T), ignore_index=IGNORE
        )
        return logits, loss

    def attention_maps(self) -> list[torch.Tensor]:
        """The last call's attention weights, one (B, H, T, T) tensor per layer."""
        if any(layer.attn_weights is None for layer in self.layers):
            raise RuntimeError("No attention weights yet: call the model on some input first.")
        return [layer.attn_weights for layer in self.layers]
