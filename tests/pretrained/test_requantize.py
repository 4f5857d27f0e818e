"""Tests of pretrained.requantize: every format rounds the block matrices and nothing else,
Q4_1 of Q4_1 weights changes nothing, and the byte counts follow the bits per weight."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.models.llama import Llama, LlamaConfig
from lessons_lib.pretrained.quants import dequantize, quantize_q4_1
from lessons_lib.pretrained.requantize import FORMATS, requantized, round_trip, weight_bytes

TINY = LlamaConfig(vocab_size=64, n_layer=2, n_embd=32, n_head=4, n_kv_head=2, ffn_size=64)


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    return Llama(TINY).eval()


def test_each_format_rounds_only_the_block_matrices(tiny):
    idx = torch.randint(0, 64, (1, 16))
    errors = {}
    for fmt in FORMATS:
        copy = requantized(tiny, fmt)
        assert torch.equal(copy.tok_emb.weight, tiny.tok_emb.weight)
        assert torch.equal(copy.blocks[0].attn_norm.weight, tiny.blocks[0].attn_norm.weight)
        assert not torch.equal(copy.blocks[0].ffn.up.weight, tiny.blocks[0].ffn.up.weight)
        with torch.no_grad():
            errors[fmt] = (copy(idx)[0] - tiny(idx)[0]).abs().max().item()
    assert errors["Q8_0"] < errors["Q4_1"] < errors["Q3 (ours)"] < errors["Q2 (ours)"]


def test_q4_1_weights_survive_q4_1_unchanged():
    w = dequantize(quantize_q4_1(torch.randn(8, 64)), "Q4_1", (8, 64))
    assert torch.equal(round_trip(w, "Q4_1"), w)


def test_bytes_follow_the_bits_per_weight(tiny):
    matrices = 2 * (32 * 32 * 2 + 2 * 32 * 16 + 3 * 32 * 64)  # q, o; k, v; gate, up, down
    norms = 2 * 2 * 32 + 32
    for fmt, bits in FORMATS.items():
        want = (matrices * bits + 64 * 32 * 8.5 + norms * 32) / 8
        assert weight_bytes(tiny, fmt) == pytest.approx(want, abs=1)
    with pytest.raises(ValueError, match="choose one of Q8_0, Q4_1"):
        weight_bytes(tiny, "Q5_K")
