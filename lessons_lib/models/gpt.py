"""A GPT built from the course's parts (chapter 06).

Token and position embeddings, then ``n_layer`` pre-norm blocks (layer norm, causal multi-head
self-attention, layer norm, the feed-forward network with GELU, each wrapped in a residual
connection), a final layer norm and the language-model head. The model keeps the course's
contract ``forward(idx, targets=None) -> (logits, loss)``, so ``L.train`` trains it and
``L.generate`` samples from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import boolean, fraction, head_size, one_of, positive_int
from ..parts.attention import causal_mask, scaled_dot_product_attention
from ..parts.feed_forward import FFN_ACTIVATIONS, FeedForward
from ..parts.positions import apply_rope, rope_angles, sinusoidal_positions
from .kv_cache import KVCache, LayerCache
from .lm import check_model, check_token_ids, language_model_loss

POSITION_KINDS = ("learned", "sinusoidal", "rope")
"""How the model knows where a token stands (``lessons_lib.parts.positions``, chapter 05)."""
ATTENTION_KINDS = ("fast", "course")
"""``"fast"``: ``F.scaled_dot_product_attention``; ``"course"``: chapter 05's, keeps weights."""


@dataclass
class GPTConfig:
    """Every size of the model, with what it means."""

    vocab_size: int = 76  # how many distinct tokens (76 characters for Shakespeare)
    block_size: int = 128  # the longest context, in tokens, the model can look at
    n_layer: int = 4  # how many transformer blocks are stacked
    n_head: int = 4  # attention heads per block; n_embd must divide by it
    n_embd: int = 128  # width of the residual stream (size of every token's vector)
    dropout: float = 0.0  # dropout probability in training (0: none, best for short runs)
    bias: bool = True  # biases in the linear layers and layer norms
    attention: str = "fast"  # "fast": F.scaled_dot_product_attention; "course": chapter 05's
    position: str = "learned"  # "learned" table, fixed "sinusoidal" table, or "rope" rotations
    # Two details that matter only for loading GPT-2 (chapter 07), left out of the printed
    # config so that chapter 06's stays short:
    activation: str = field(default="gelu", repr=False)  # "gelu" exact, "gelu_tanh" as GPT-2
    norm_eps: float = field(default=1e-5, repr=False)  # inside every layer norm (GPT-2: 1e-5)

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer"):
            positive_int(getattr(self, name), f"GPTConfig.{name}")
        head_size(self.n_embd, self.n_head, "GPTConfig.")
        fraction(self.dropout, "GPTConfig.dropout")
        boolean(self.bias, "GPTConfig.bias")
        one_of(self.attention, ATTENTION_KINDS, "GPTConfig.attention")
        one_of(self.activation, FFN_ACTIVATIONS, "GPTConfig.activation")
        one_of(self.position, POSITION_KINDS, "GPTConfig.position")
        if self.position == "rope" and (self.n_embd // self.n_head) % 2:
            raise ValueError(
                f"RoPE rotates channel pairs: the head size n_embd // n_head = "
                f"{self.n_embd // self.n_head} must be even."
            )
        eps = self.norm_eps
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 < eps < 1.0:
            raise ValueError(f"GPTConfig.norm_eps must be in (0, 1), got {self.norm_eps!r}.")

    @classmethod
    def preset(cls, name: str, **overrides) -> GPTConfig:
        """A named size: ``"tiny"`` (tests), ``"cpu"`` (chapter 06 on a laptop), ``"gpu"``."""
        one_of(name, GPT_PRESETS, "preset")
        return cls(**{**GPT_PRESETS[name], **overrides})


GPT_PRESETS: dict[str, dict] = {
    "tiny": dict(vocab_size=76, block_size=16, n_layer=2, n_head=2, n_embd=32),
    # 3 layers beat 4 at a 180 s CPU budget (1.596 vs 1.660 nats, measured on 2 cores)
    "cpu": dict(vocab_size=76, block_size=128, n_layer=3, n_head=4, n_embd=128),
    "gpu": dict(vocab_size=76, block_size=256, n_layer=6, n_head=6, n_embd=384, dropout=0.2),
}
"""Named sizes of :class:`GPTConfig`; ``GPTConfig.preset(name, **overrides)`` builds one."""


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each position sees only itself and the past."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.attention = config.attention
        self.attn_weights: torch.Tensor | None = None  # (B, n_head, T, T), "course" mode only
        if config.position == "rope":  # every position's rotation angles: (block_size, hs/2)
            angles = rope_angles(config.block_size, config.n_embd // config.n_head)
            self.register_buffer("rope_angles", angles, persistent=False)
        else:
            self.rope_angles = None

    def forward(self, x: torch.Tensor, cache: LayerCache | None = None) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 x (B, T, C)
        # (B, T, C) -> (B, n_head, T, head_size): every head attends on its own
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if self.rope_angles is not None:  # rotate queries and keys by their positions
            past = 0 if cache is None else cache.length
            angles = self.rope_angles[past : past + T]  # (T, hs/2)
            q, k = apply_rope(q, angles), apply_rope(k, angles)
        if cache is not None:
            past = cache.length
            k, v = cache.extend(k, v)  # (B, n_head, past + T, hs): the cached keys, then ours
            # new query i (at position past + i) may attend to keys 0 .. past + i
            mask = torch.ones(T, past + T, dtype=torch.bool, device=x.device).tril(past)
            if self.attention == "course":
                context, weights = scaled_dot_product_attention(q, k, v, mask=mask)
                self.attn_weights = weights.detach()
            else:
                one_new = T == 1  # the usual step: one query that sees every key, no mask
                context = F.scaled_dot_product_attention(q, k, v, None if one_new else mask)
        elif self.attention == "course":
            context, weights = scaled_dot_product_attention(
                q, k, v, mask=causal_mask(T, device=x.device)
            )
            self.attn_weights = weights.detach()
        else:
            drop = self.dropout if self.training else 0.0
            context = F.scaled_dot_product_attention(q, k, v, dropout_p=drop, is_causal=True)
        context = context.transpose(1, 2).reshape(B, T, C)  # (B, n_head, T, hs) -> (B, T, C)
        return F.dropout(self.proj(context), self.dropout, self.training)


class Block(nn.Module):
    """One transformer block: x + attention(norm(x)), then x + feed_forward(norm(x))."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(config.n_embd, eps=config.norm_eps, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.norm2 = nn.LayerNorm(config.n_embd, eps=config.norm_eps, bias=config.bias)
        # chapter 03's network at every position: widen 4x, GELU, project back
        self.ffn = FeedForward(
            config.n_embd, 4 * config.n_embd, config.activation, config.bias, config.dropout
        )

    def forward(self, x: torch.Tensor, cache: LayerCache | None = None) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), cache)  # tokens exchange information
        return x + self.ffn(self.norm2(x))  # each token computes on what it gathered


class GPT(nn.Module):
    """The whole model: embeddings, blocks, final norm and head (tied to the embedding)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)
        if config.position == "learned":
            self.pos_emb = nn.Embedding(config.block_size, config.n_embd)
        elif config.position == "sinusoidal":  # a fixed table, not a parameter
            table = sinusoidal_positions(config.block_size, config.n_embd)
            self.register_buffer("pos_table", table, persistent=False)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.norm = nn.LayerNorm(config.n_embd, eps=config.norm_eps, bias=config.bias)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying: one matrix reads and writes tokens
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith(("attn.proj.weight", "ffn.down.weight")):  # scaled residual writes
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    @property
    def block_size(self) -> int:
        """The longest context the model accepts; ``L.generate`` crops to it."""
        return self.config.block_size

    def forward(
        self,
        idx: torch.Tensor,
        targets: torch.Tensor | None = None,
        cache: KVCache | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """idx (B, T) -> logits (B, T, vocab_size) and the loss if ``targets`` are given.

        With a ``cache`` (from :meth:`new_cache`), ``idx`` holds only the *new* tokens: they
        sit after the cached ones, attend to them, and are added to the cache.
        """
        check_token_ids(idx, self.config.vocab_size)
        B, T = idx.shape
        past = 0 if cache is None else cache.length
        if past + T > self.config.block_size:
            raise ValueError(
                f"The context has {past + T} tokens but this model's block_size is "
                f"{self.config.block_size}. Crop it (idx[:, -{self.config.block_size}:]); "
                "L.generate does this for you."
            )
        positions = torch.arange(past, past + T, device=idx.device)  # (T,)
        x = self.tok_emb(idx)  # (B, T, C)
        if self.config.position == "learned":
            x = x + self.pos_emb(positions)  # (B, T, C) + (T, C)
        elif self.config.position == "sinusoidal":
            x = x + self.pos_table[positions]  # (B, T, C) + (T, C); "rope" rotates q and k
        x = F.dropout(x, self.config.dropout, self.training)
        for i, block in enumerate(self.blocks):
            x = block(x, None if cache is None else cache.layers[i])  # (B, T, C)
        logits = self.head(self.norm(x))  # (B, T, C) -> (B, T, vocab_size)
        return logits, language_model_loss(logits, targets)

    def new_cache(self) -> KVCache:
        """An empty key-value cache for this model (see ``L.generate(..., use_cache=True)``)."""
        return KVCache(self.config.n_layer)

    def attention_weights(self) -> list[torch.Tensor]:
        """The last attention weights of every layer, (B, n_head, T, T) each ("course" mode)."""
        weights = [block.attn.attn_weights for block in self.blocks]
        if any(w is None for w in weights):
            raise RuntimeError(
                "No attention weights kept: the fast path does not compute them. Build the "
                "model with GPTConfig(..., attention='course') (or set_attention('course')) "
                "and run a forward pass first."
            )
        return weights

    def set_attention(self, kind: str) -> None:
        """Switch every block between the fast path and chapter 05's attention."""
        one_of(kind, ATTENTION_KINDS, "attention")
        self.config.attention = kind
        for block in self.blocks:
            block.attn.attention = kind
            block.attn.attn_weights = None


def _gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return F.gelu(x, approximate="tanh")


def torch_reference_block(block: Block) -> nn.TransformerEncoderLayer:
    """PyTorch's own pre-norm transformer layer holding a copy of ``block``'s weights.

    With the causal mask it must compute what ``block`` computes: the chapter's check of the
    block against a reference implementation.
    """
    if not isinstance(block, Block):
        raise TypeError(
            f"block must be a GPT Block, e.g. model.blocks[0], got {type(block).__name__}."
        )
    if block.attn.rope_angles is not None:
        raise ValueError(
            "PyTorch's transformer layer has no rotary embeddings: compare a block of a GPT "
            "with position='learned' or 'sinusoidal' (their positions are added before the "
            "blocks)."
        )
    C = block.norm1.normalized_shape[0]
    layer = nn.TransformerEncoderLayer(
        d_model=C,
        nhead=block.attn.n_head,
        dim_feedforward=block.ffn.up.out_features,
        dropout=0.0,
        activation="gelu" if block.ffn.activation == "gelu" else _gelu_tanh,
        layer_norm_eps=block.norm1.eps,
        batch_first=True,
        norm_first=True,
        bias=block.norm1.bias is not None,
    )
    pairs = {  # PyTorch's name: ours
        "self_attn.in_proj_weight": block.attn.qkv.weight,  # q, k, v stacked: (3C, C)
        "self_attn.in_proj_bias": block.attn.qkv.bias,
        "self_attn.out_proj.weight": block.attn.proj.weight,
        "self_attn.out_proj.bias": block.attn.proj.bias,
        "linear1.weight": block.ffn.up.weight,
        "linear1.bias": block.ffn.up.bias,
        "linear2.weight": block.ffn.down.weight,
        "linear2.bias": block.ffn.down.bias,
        "norm1.weight": block.norm1.weight,
        "norm1.bias": block.norm1.bias,
        "norm2.weight": block.norm2.weight,
        "norm2.bias": block.norm2.bias,
    }
    layer.load_state_dict({k: v.detach().clone() for k, v in pairs.items() if v is not None})
    return layer.eval()


def parameter_counts(model: GPT) -> dict[str, int]:
    """How many parameters each part of the model has; the values sum to the model's total.

    The head shares its matrix with the token embedding (weight tying), so it adds nothing.
    """
    check_model(model)
    counts = {"embeddings": 0, "attention": 0, "feed-forward": 0, "layer norms": 0, "head": 0}
    seen: set[int] = set()
    for name, p in model.named_parameters(remove_duplicate=False):
        if id(p) in seen:
            continue  # a tied matrix counts once, where it first appears
        seen.add(id(p))
        if "emb" in name:
            part = "embeddings"
        elif ".attn." in name:
            part = "attention"
        elif ".ffn." in name:
            part = "feed-forward"
        elif "norm" in name:
            part = "layer norms"
        else:
            part = "head"
        counts[part] += p.numel()
    return counts
