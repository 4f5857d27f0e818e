"""A Llama-style language model from the course's parts: SmolLM2's architecture (chapter 11).

Chapter 06's GPT, changed part by part the way open models changed after GPT-2::

    GPT-2                               Llama / SmolLM2
    LayerNorm (mean and variance)       RMSNorm (root mean square only)
    learned position table              RoPE in every attention layer (chapter 05)
    multi-head attention                grouped-query attention: 9 query heads, 3 key/value
    GELU feed-forward, 4C wide          SwiGLU feed-forward: gate, up, down (1536 = 2.67 C)
    biases everywhere                   no biases
    head tied to the token table        the same (SmolLM2; bigger Llamas untie it)

Each block is pre-norm, as in chapter 06: ``x + attention(norm(x))``, then
``x + feed_forward(norm(x))``. ``forward(idx, targets=None, cache=None) -> (logits, loss)``
keeps the course's language-model contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from ..parts.feed_forward import SwiGLU
from ..parts.grouped_attention import GroupedQueryAttention
from ..parts.rms_norm import RMSNorm
from .kv_cache import KVCache
from .lm import language_model_loss


@dataclass
class LlamaConfig:
    vocab_size: int = 49152  # tokens (SmolLM2's byte-level BPE)
    n_layer: int = 30  # blocks
    n_embd: int = 576  # width C of every token's vector
    n_head: int = 9  # query heads (head size C / n_head = 64)
    n_kv_head: int = 3  # key/value heads, each shared by n_head / n_kv_head query heads
    ffn_size: int = 1536  # width of the SwiGLU feed-forward network
    rope_base: float = 100_000.0  # RoPE's base: the slowest pair turns once in ~600k tokens
    norm_eps: float = 1e-5  # RMSNorm's epsilon
    block_size: int = 8192  # the context the model was trained for

    @classmethod
    def from_gguf(cls, metadata: dict) -> LlamaConfig:
        """The sizes a ``llama`` GGUF file's metadata gives."""
        arch = metadata.get("general.architecture")
        if arch != "llama":
            raise ValueError(f"a {arch!r} file: LlamaConfig reads 'llama' models only.")
        return cls(
            vocab_size=len(metadata["tokenizer.ggml.tokens"]),
            n_layer=metadata["llama.block_count"],
            n_embd=metadata["llama.embedding_length"],
            n_head=metadata["llama.attention.head_count"],
            n_kv_head=metadata["llama.attention.head_count_kv"],
            ffn_size=metadata["llama.feed_forward_length"],
            rope_base=metadata["llama.rope.freq_base"],
            norm_eps=metadata["llama.attention.layer_norm_rms_epsilon"],
            block_size=metadata["llama.context_length"],
        )


class LlamaBlock(nn.Module):
    """Pre-norm: ``x + attn(attn_norm(x))``, then ``x + ffn(ffn_norm(x))``: (B, T, C)."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        C = config.n_embd
        self.attn_norm = RMSNorm(C, config.norm_eps)
        self.attn = GroupedQueryAttention(C, config.n_head, config.n_kv_head, config.rope_base)
        self.ffn_norm = RMSNorm(C, config.norm_eps)
        self.ffn = SwiGLU(C, config.ffn_size)

    def forward(self, x: torch.Tensor, cache=None) -> torch.Tensor:
        x = x + self.attn(self.attn_norm(x), cache)  # tokens read each other
        return x + self.ffn(self.ffn_norm(x))  # each token computes on what it read


class Llama(nn.Module):
    """Token table, ``n_layer`` blocks, a final RMSNorm and the head (the token table itself):
    ids (B, T) -> logits (B, T, vocab_size)."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList(LlamaBlock(config) for _ in range(config.n_layer))
        self.norm = RMSNorm(config.n_embd, config.norm_eps)

    @property
    def block_size(self) -> int:
        """The longest context, as every model of the course names it."""
        return self.config.block_size

    def new_cache(self) -> KVCache:
        """An empty KV cache for :meth:`forward`'s ``cache``."""
        return KVCache(len(self.blocks))

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, cache=None):
        """``(logits, loss)``; with ``cache`` the ids continue the cached positions."""
        past = 0 if cache is None else cache.length
        if past + idx.shape[1] > self.config.block_size:
            raise ValueError(
                f"{past + idx.shape[1]:,} positions: more than the model's context of "
                f"{self.config.block_size:,} tokens. Shorten the prompt or the generation."
            )
        x = self.tok_emb(idx)  # (B, T, C)
        for i, block in enumerate(self.blocks):
            x = block(x, None if cache is None else cache.layers[i])
        logits = self.norm(x) @ self.tok_emb.weight.T  # tied head: (B, T, vocab_size)
        loss = None if targets is None else language_model_loss(logits, targets)
        return logits, loss
