"""Tests of pretrained.quants: one block worked by hand, byte-equality with the ``gguf``
package's quantizers and de-quantizers, and sizes that do not fit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType as Q
from gguf import quants

from lessons_lib.pretrained.quants import BY_NAME, dequantize, quantize_q4_1, quantize_q8_0


def test_one_q4_1_block_by_hand():
    d, m = np.float16(0.5), np.float16(-2.0)
    levels = np.arange(32) % 16  # weight j has level j mod 16
    packed = (levels[:16] | (levels[16:] << 4)).astype(np.uint8)  # weight j low, 16 + j high
    raw = np.concatenate([np.array([d, m]).view(np.uint8), packed])  # 20 bytes
    got = dequantize(raw, "Q4_1", (32,))
    torch.testing.assert_close(got, torch.tensor(0.5 * levels - 2.0, dtype=torch.float32))


def test_one_q8_0_block_by_hand():
    q = np.arange(-16, 16, dtype=np.int8)
    raw = np.concatenate([np.array([np.float16(0.25)]).view(np.uint8), q.view(np.uint8)])
    torch.testing.assert_close(dequantize(raw, "Q8_0", (32,)), torch.tensor(q * 0.25).float())


def test_bits_per_weight():
    assert BY_NAME["Q8_0"].bits_per_weight == 8.5 and BY_NAME["Q4_1"].bits_per_weight == 5.0
    assert BY_NAME["F16"].bits_per_weight == 16 and BY_NAME["F32"].bits_per_weight == 32


def test_our_quantizers_write_what_the_gguf_package_writes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 96)).astype(np.float32)
    x[0, :32] = 0.0  # a block of zeros: scale 0
    x[1, 32:64] = 7.0  # a constant block: max = min
    for ours, kind in ((quantize_q8_0, Q.Q8_0), (quantize_q4_1, Q.Q4_1)):
        raw = ours(x)
        assert np.array_equal(raw, quants.quantize(x, kind).reshape(-1))
        want = np.array(quants.dequantize(raw, kind), np.float32).reshape(x.shape)
        assert torch.equal(dequantize(raw, kind.name, x.shape), torch.from_numpy(want))


def test_the_round_trip_error_is_at_most_half_a_step():
    x = torch.randn(4, 64)
    back = dequantize(quantize_q4_1(x), "Q4_1", (4, 64)).view(-1, 32)
    blocks = x.view(-1, 32)
    step = (blocks.max(1).values - blocks.min(1).values) / 15  # (8,) one step per block
    assert ((back - blocks).abs().max(1).values <= step / 2 + 1e-2 * step + 1e-3).all()


def test_sizes_that_do_not_fit_say_what_they_need():
    with pytest.raises(ValueError, match="19 bytes of Q4_1 do not hold a tensor of shape"):
        dequantize(np.zeros(19, np.uint8), "Q4_1", (32,))
    with pytest.raises(ValueError, match="knows F32, F16, Q4_1, Q8_0"):
        dequantize(np.zeros(18, np.uint8), "Q4_0", (32,))
    with pytest.raises(ValueError, match="do not split into blocks of 32"):
        quantize_q8_0(np.zeros(40))


def test_our_k_bit_format_at_4_bits_gives_q4_1s_weights():
    from lessons_lib.pretrained.quants import dequantize_bits, quantize_bits

    x = torch.randn(4, 64)
    four = dequantize_bits(quantize_bits(x, 4), 4, (4, 64))
    assert torch.equal(four, dequantize(quantize_q4_1(x), "Q4_1", (4, 64)))  # same levels
    errors = []
    for bits in range(2, 9):
        raw = quantize_bits(x, bits)
        assert len(raw) * 8 == (bits + 1) * x.numel()  # bits + 1 bits per weight
        errors.append((dequantize_bits(raw, bits, (4, 64)) - x).abs().max().item())
    assert errors == sorted(errors, reverse=True)  # each extra bit halves the step
    with pytest.raises(ValueError, match="bits must be 2 to 8"):
        quantize_bits(x, 1)
