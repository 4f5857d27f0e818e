"""The smallest model that can learn the reversal task: attention and nothing else (chapter 05).

:class:`AttentionOnlyLM` has token and position embeddings, causal self-attention layers
with residual connections, and a linear read-out: no feed-forward network, so whatever it
learns it learns by attending. It keeps the course's contract
``forward(idx, targets=None) -> (logits, loss)``; target positions that hold
:data:`~lessons_lib.data.reversal_task.IGNORE` do not count in the loss. The task itself is in
:mod:`lessons_lib.data.reversal_task`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from .._checks import head_size, positive_int
from ..data.reversal_task import IGNORE
from ..parts.attention import MultiHeadSelfAttention
from .lm import check_token_ids, language_model_loss


@dataclass
class AttentionOnlyConfig:
    """The shape of an :class:`AttentionOnlyLM`; the defaults fit ``ReversalTask()``."""

    vocab_size: int = 11  # number of token ids (10 letters and the separator)
    block_size: int = 16  # the longest input; one learned position embedding per position
    n_embd: int = 32  # channels per position (C)
    n_head: int = 1  # attention heads per layer; n_embd must divide by it
    n_layer: int = 1  # attention layers, each added to the stream (residual connection)

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer"):
            positive_int(getattr(self, name), f"AttentionOnlyConfig.{name}")
        head_size(self.n_embd, self.n_head, "AttentionOnlyConfig.")


class AttentionOnlyLM(nn.Module):
    """Embeddings, causal self-attention layers with residuals, a linear read-out.

    ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) -> logits (B, T, V). Each
    layer's ``attn_weights`` (B, H, T, T) holds the weights of the last call;
    :meth:`attention_weights` collects them.
    """

    def __init__(self, config: AttentionOnlyConfig):
        super().__init__()
        self.config = config
        self.block_size = config.block_size
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)
        self.pos_emb = nn.Embedding(config.block_size, config.n_embd)
        self.layers = nn.ModuleList(
            MultiHeadSelfAttention(config.n_embd, config.n_head, causal=True)
            for _ in range(config.n_layer)
        )
        self.norm = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size)

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
        x = self.tok_emb(idx) + self.pos_emb(positions)  # (B, T, C)
        for layer in self.layers:
            x = x + layer(x)  # (B, T, C): each layer adds what it gathered from the past
        logits = self.head(self.norm(x))  # (B, T, V)
        return logits, language_model_loss(logits, targets, ignore_index=IGNORE)

    def attention_weights(self) -> list[torch.Tensor]:
        """The last call's attention weights, one (B, H, T, T) tensor per layer."""
        if any(layer.attn_weights is None for layer in self.layers):
            raise RuntimeError("No attention weights yet: call the model on some input first.")
        return [layer.attn_weights for layer in self.layers]
