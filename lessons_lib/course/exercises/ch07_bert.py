"""Chapter 07's BERT layer exercise: one post-norm block written from a ``transformers``
BertLayer's linear layers and layer norms (heads, the padding mask, the order of the norms),
run six times with MiniLM's weights and checked against ``BertModel``'s vectors."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ...pretrained.minilm import minilm_path
from ..session import quiet_transformers
from . import exercise, returned

SENTENCES = ["To be, or not to be, that is the question.", "A cat sat on the mat.",
             "Friends, Romans, countrymen, lend me your ears.", "Hi"]  # fmt: skip


def _layer(layer, x, mask, n_head, *, mistake=None):
    """BertLayer ``layer`` on x (B, T, C) with ``mask`` (B, T), written out; ``mistake``
    names a typical error to make on purpose (the checker's hints compare against these)."""
    B, T, C = x.shape
    d = C // n_head  # head size
    self_attention, out_1, out_2 = layer.attention.self, layer.attention.output, layer.output

    def heads(linear, h):  # (B, T, C) -> (B, n_head, T, d)
        if mistake == "heads":
            return linear(h).view(B, n_head, T, d)  # cuts across tokens
        return linear(h).view(B, T, n_head, d).transpose(1, 2)

    def attend(h):  # (B, T, C) -> (B, T, C): the attention's output projection included
        q, k, v = (heads(lin, h) for lin in (self_attention.query, self_attention.key,
                                             self_attention.value))  # fmt: skip
        scores = q @ k.transpose(-2, -1)  # (B, n_head, T, T): query rows, key columns
        if mistake != "scale":
            scores = scores / math.sqrt(d)
        if mistake == "queries":
            scores = scores.masked_fill(mask[:, None, :, None] == 0, -1e9)
        elif mistake != "mask":
            scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))  # [PAD] keys
        weights = scores.softmax(dim=-2 if mistake == "softmax" else -1)  # (B, n_head, T, T)
        if mistake == "join":  # the heads joined without moving them back next to each other
            return out_1.dense((weights @ v).reshape(B, T, C))
        return out_1.dense((weights @ v).transpose(1, 2).reshape(B, T, C))

    def feed_forward(h):  # (B, T, C) -> (B, T, C), through (B, T, 4C)
        gelu = "tanh" if mistake == "tanh" else "none"
        return out_2.dense(F.gelu(layer.intermediate.dense(h), approximate=gelu))

    if mistake == "pre-norm":  # chapter 06's order, x + f(LN(x)), with BERT's weights
        x = x + attend(out_1.LayerNorm(x))
        return x + feed_forward(out_2.LayerNorm(x))
    x = out_1.LayerNorm(x + attend(x))  # post-norm: LN(x + attention(x))
    return out_2.LayerNorm(x + feed_forward(x))  # LN(x + feed_forward(x))


def bert_layer(layer, x: torch.Tensor, mask: torch.Tensor, n_head: int) -> torch.Tensor:
    """One post-norm BERT block from a ``transformers`` BertLayer's linear layers and layer
    norms: x (B, T, C) and mask (B, T) (1 real, 0 padding) -> (B, T, C)."""
    B, T, C = x.shape
    d = C // n_head  # head size
    self_attention = layer.attention.self
    q, k, v = (
        linear(x).view(B, T, n_head, d).transpose(1, 2)  # (B, n_head, T, d)
        for linear in (self_attention.query, self_attention.key, self_attention.value)
    )
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)  # (B, n_head, T, T): queries x keys
    scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))  # hide [PAD] keys
    mixed = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(B, T, C)  # heads joined
    x = layer.attention.output.LayerNorm(x + layer.attention.output.dense(mixed))  # post-norm
    hidden = F.gelu(layer.intermediate.dense(x))  # (B, T, 4C), the exact (erf) GELU
    return layer.output.LayerNorm(x + layer.output.dense(hidden))


_HINTS = {
    "heads": "Split the heads as (B, T, heads, d), then transpose to (B, heads, T, d): "
    ".view(B, heads, T, d) directly cuts across tokens",
    "scale": "Divide the scores by sqrt(d), the head size (here sqrt(32))",
    "queries": "The mask hides padded keys, the columns: reshape it to (B, 1, 1, T), not "
    "(B, 1, T, 1)",
    "mask": "Padding leaks in: set the scores of [PAD] keys to -inf before the softmax",
    "softmax": "Take the softmax over the keys, the last axis (dim=-1): each query's weights "
    "sum to 1",
    "join": "Join the heads back with .transpose(1, 2) first, then .reshape(B, T, C): "
    "(B, heads, T, d) reshaped directly mixes tokens",
    "tanh": "BERT uses the exact GELU (erf), F.gelu(h); approximate='tanh' is GPT-2's",
    "pre-norm": "BERT is post-norm: LN(x + attention(x)), then LN(x + feed_forward(x)); "
    "x + f(LN(x)) is the GPT's order",
}


@exercise("bert_layer", solution=bert_layer)
def check_bert_layer(answer) -> str:
    import transformers

    folder = minilm_path()
    with quiet_transformers():  # no load report about the unused pooler
        hf = transformers.BertModel.from_pretrained(folder, add_pooling_layer=False).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")  # (4, T) ids and mask
    mask, real = batch["attention_mask"], batch["attention_mask"].bool()
    n_head = hf.config.num_attention_heads  # 12 heads of 32

    def run(layer_fn) -> torch.Tensor:  # MiniLM's 6 layers, each by layer_fn -> (4, T, 384)
        with torch.no_grad():
            x = hf.embeddings(input_ids=batch["input_ids"])  # (4, T, 384)
            for layer in hf.encoder.layer:
                x = returned(layer_fn(layer, x, mask, n_head))
                if not isinstance(x, torch.Tensor) or x.shape != (*mask.shape, 384):
                    got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
                    raise AssertionError(f"return (B, T, C) = {(*mask.shape, 384)}, got {got}")
            return x

    with torch.no_grad():
        want = hf(**batch).last_hidden_state  # (4, T, 384)
    yours = run(answer)

    def gap(out: torch.Tensor) -> float:
        return (out - want)[real].abs().max().item()

    if not torch.isfinite(yours[real]).all():
        raise AssertionError(
            "your vectors hold NaN, the softmax of a row of nothing but -inf. Either the mask "
            "hid every key of some query (hide only the keys where mask == 0, the [PAD] tokens, "
            f"on the last axis: the mask reshaped to (B, 1, 1, T)), or: {_HINTS['softmax']}."
        )
    worst = gap(yours)
    if not worst <= 1e-4:
        hint = ""
        for mistake, text in _HINTS.items():
            variant = run(lambda *a, m=mistake: _layer(*a, mistake=m))
            if (yours - variant)[real].abs().max().item() < 1e-4:
                hint = f" {text}."
                break
        raise AssertionError(f"after MiniLM's 6 layers your vectors differ from BertModel's by "
                             f"up to {worst:.3g} on the real tokens.{hint}")  # fmt: skip
    pre_norm = gap(run(lambda *a: _layer(*a, mistake="pre-norm")))
    no_mask = gap(run(lambda *a: _layer(*a, mistake="mask")))
    return (f"correct: your layer, run 6 times with MiniLM's weights, gives BertModel's vectors "
            f"(max difference {worst:.0e} on the real tokens). The same weights in the GPT's "
            f"pre-norm order differ by up to {pre_norm:.0f}; without the mask, by "
            f"{no_mask:.1f}")  # fmt: skip
