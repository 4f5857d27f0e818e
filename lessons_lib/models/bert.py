"""A BERT encoder built from the course's parts (chapter 07).

BERT reads a whole sentence at once: every token attends to every other, before and after it
(no causal mask), so its vectors describe each token *in context*. It is an encoder, not a
language model: ``forward`` returns one vector per token, not next-token logits.

    input_ids (B, T) -> token + position + token-type embeddings -> layer norm
        -> n_layer post-norm blocks -> (B, T, hidden)

A block is chapter 05's multi-head self-attention and chapter 06's feed-forward network, each
followed by a residual add and *then* a layer norm (post-norm, the original Transformer's and
BERT's order; the course's GPT normalises *before* each part, pre-norm)::

    x = norm1(x + attention(x))
    x = norm2(x + feed_forward(x))

Sentences in a batch have different lengths, so short ones are padded; the ``attention_mask``
(1 = real token, 0 = padding) keeps every query from attending to padding. Without it the
real tokens' vectors change.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from .._checks import fraction, head_size, positive_int, tensor
from ..parts.attention import MultiHeadSelfAttention
from ..parts.feed_forward import FeedForward


@dataclass
class BertConfig:
    """Every size of a BERT encoder, with Hugging Face's ``config.json`` name for each."""

    vocab_size: int = 30522  # WordPiece vocabulary (vocab_size)
    hidden_size: int = 384  # width of every token's vector (hidden_size)
    n_layer: int = 6  # blocks stacked (num_hidden_layers)
    n_head: int = 12  # attention heads per block (num_attention_heads)
    intermediate_size: int = 1536  # the feed-forward's width, 4 x hidden (intermediate_size)
    max_positions: int = 512  # the longest input, in tokens (max_position_embeddings)
    type_vocab_size: int = 2  # segment ids: sentence A = 0, sentence B = 1 (type_vocab_size)
    norm_eps: float = 1e-12  # epsilon inside every layer norm (layer_norm_eps)
    dropout: float = 0.0  # dropout in training; 0 for a loaded, frozen model

    def __post_init__(self) -> None:
        for name in ("vocab_size", "n_layer", "intermediate_size", "max_positions"):
            positive_int(getattr(self, name), f"BertConfig.{name}")
        positive_int(self.type_vocab_size, "BertConfig.type_vocab_size")
        head_size(self.hidden_size, self.n_head, "BertConfig.")
        fraction(self.dropout, "BertConfig.dropout")

    @classmethod
    def from_hf(cls, hf_config: dict) -> BertConfig:
        """The config from a Hugging Face BERT ``config.json`` (already read into a dict)."""
        activation = hf_config.get("hidden_act", "gelu")
        if activation != "gelu":
            raise ValueError(
                f"This encoder uses the exact GELU (hidden_act 'gelu'); config.json asks for "
                f"{activation!r}."
            )
        if hf_config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(
                "Only learned absolute positions (position_embedding_type "
                "'absolute') are supported."
            )
        return cls(
            vocab_size=hf_config["vocab_size"],
            hidden_size=hf_config["hidden_size"],
            n_layer=hf_config["num_hidden_layers"],
            n_head=hf_config["num_attention_heads"],
            intermediate_size=hf_config["intermediate_size"],
            max_positions=hf_config["max_position_embeddings"],
            type_vocab_size=hf_config.get("type_vocab_size", 2),
            norm_eps=hf_config.get("layer_norm_eps", 1e-12),
        )


class BertBlock(nn.Module):
    """One post-norm block: ``norm1(x + attention(x))``, then ``norm2(x + feed_forward(x))``."""

    def __init__(self, config: BertConfig):
        super().__init__()
        C = config.hidden_size
        self.attn = MultiHeadSelfAttention(C, config.n_head, causal=False, dropout=config.dropout)
        self.norm1 = nn.LayerNorm(C, eps=config.norm_eps)
        self.ffn = FeedForward(C, config.intermediate_size, "gelu", dropout=config.dropout)
        self.norm2 = nn.LayerNorm(C, eps=config.norm_eps)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C); ``mask`` (B, 1, 1, T): True where a key is a real token."""
        x = self.norm1(x + self.dropout(self.attn(x, mask)))  # every token sees every token
        return self.norm2(x + self.ffn(x))  # then computes on what it gathered


class BertEncoder(nn.Module):
    """Embeddings and ``n_layer`` post-norm blocks: token ids (B, T) -> vectors (B, T, C).

    ``forward(input_ids, attention_mask=None, token_type_ids=None)``. ``attention_mask`` is
    (B, T) with 1 (or True) for real tokens and 0 for padding; ``token_type_ids`` (B, T)
    defaults to zeros (one sentence). After each call :meth:`attention_weights` gives every
    layer's weights (B, n_head, T, T), like every attention model in the course.
    """

    def __init__(self, config: BertConfig):
        super().__init__()
        self.config = config
        C = config.hidden_size
        self.tok_emb = nn.Embedding(config.vocab_size, C)  # what each token is
        self.pos_emb = nn.Embedding(config.max_positions, C)  # where it stands
        self.type_emb = nn.Embedding(config.type_vocab_size, C)  # which sentence it is in
        self.emb_norm = nn.LayerNorm(C, eps=config.norm_eps)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(BertBlock(config) for _ in range(config.n_layer))
        self.max_seq_length = config.max_positions  # load_minilm lowers it to the model's 256

    def _check_inputs(self, input_ids, attention_mask, token_type_ids) -> None:
        if not isinstance(input_ids, torch.Tensor) or input_ids.dim() != 2:
            got = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else input_ids
            raise ValueError(
                f"input_ids must be a (B, T) tensor of token ids, got {got!r}. For one "
                "sentence use torch.tensor([tokenizer.encode(text)])."
            )
        if input_ids.dtype not in (torch.long, torch.int32, torch.int64):
            raise TypeError(f"input_ids must be integer token ids, got {input_ids.dtype}.")
        T = input_ids.shape[1]
        if T > self.config.max_positions:
            raise ValueError(
                f"The input has {T} tokens but the model knows only "
                f"{self.config.max_positions} positions: truncate it "
                f"(tokenizer.encode(text, max_length={self.config.max_positions}))."
            )
        if input_ids.numel() and not 0 <= int(input_ids.min()) <= int(input_ids.max()) < (
            self.config.vocab_size
        ):
            raise ValueError(
                f"Token ids must lie in [0, {self.config.vocab_size}); got "
                f"{int(input_ids.min())}..{int(input_ids.max())}. Was the text encoded with "
                "this model's tokenizer?"
            )
        for name, extra in (("attention_mask", attention_mask), ("token_type_ids", token_type_ids)):
            if extra is not None and tuple(tensor(extra, name).shape) != tuple(input_ids.shape):
                raise ValueError(
                    f"{name} must have the shape of input_ids {tuple(input_ids.shape)}, got "
                    f"{tuple(extra.shape)}."
                )
        types = self.config.type_vocab_size
        if token_type_ids is not None and token_type_ids.numel():
            low, high = int(token_type_ids.min()), int(token_type_ids.max())
            if low < 0 or high >= types or token_type_ids.is_floating_point():
                raise ValueError(
                    f"token_type_ids must be integer segment ids in [0, {types}) (0: sentence A, "
                    f"1: sentence B), got {token_type_ids.dtype} from {low} to {high}."
                )

    def embed(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None):
        """The blocks' input: token + position + token-type embeddings, normalised."""
        T = input_ids.shape[1]
        positions = torch.arange(T, device=input_ids.device)  # (T,)
        types = torch.zeros_like(input_ids) if token_type_ids is None else token_type_ids
        x = self.tok_emb(input_ids) + self.pos_emb(positions) + self.type_emb(types)  # (B, T, C)
        return self.dropout(self.emb_norm(x))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """input_ids (B, T) -> one vector per token, (B, T, hidden_size)."""
        self._check_inputs(input_ids, attention_mask, token_type_ids)
        x = self.embed(input_ids, token_type_ids)  # (B, T, C)
        mask = None
        if attention_mask is not None:
            # (B, T) -> (B, 1, 1, T): for every head and every query, which keys are real
            mask = attention_mask.bool()[:, None, None, :]
        for block in self.blocks:
            x = block(x, mask)  # (B, T, C)
        return x

    def attention_weights(self) -> list[torch.Tensor]:
        """Every layer's attention weights from the last call, (B, n_head, T, T) each."""
        weights = [block.attn.attn_weights for block in self.blocks]
        if any(w is None for w in weights):
            raise RuntimeError("No attention weights yet: run the model on some input first.")
        return weights


def _check_pool_inputs(vectors: object, attention_mask: object) -> None:
    """Raise a clear error unless ``vectors`` is (B, T, C) and ``attention_mask`` (B, T) with at
    least one real token per row."""
    if tensor(vectors, "vectors").dim() != 3 or (
        tuple(tensor(attention_mask, "attention_mask").shape) != tuple(vectors.shape[:2])
    ):
        raise ValueError(
            f"vectors must be (B, T, C) and attention_mask (B, T), one 1 or 0 per token of the "
            f"same sentences, got {tuple(vectors.shape)} and {tuple(attention_mask.shape)}: "
            "pass the attention_mask that came with the input_ids of these vectors."
        )
    empty = (attention_mask == 0).all(dim=1)  # (B,): rows with no real token
    if bool(empty.any()):
        raise ValueError(
            f"attention_mask row {int(empty.nonzero()[0])} has no real token (all 0): there is "
            "nothing to average. Every sentence needs at least one token marked 1."
        )


def mean_pool(vectors: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of each sentence's real-token vectors: (B, T, C), (B, T) -> (B, C).

    Padding must not count: a plain ``vectors.mean(1)`` would average the padding in. Every
    sentence needs at least one real token (a 1 in its row of ``attention_mask``).
    """
    _check_pool_inputs(vectors, attention_mask)
    weights = attention_mask.to(vectors.dtype).unsqueeze(-1)  # (B, T, 1): 1 real, 0 padding
    counts = weights.sum(dim=1)  # (B, 1): real tokens per sentence
    return (vectors * weights).sum(dim=1) / counts  # divide by the number of real tokens
