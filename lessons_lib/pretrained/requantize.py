"""What fewer bits cost: a model's weights quantized again in another block format
(chapter 11).

SmolLM2's file stores its matrices in Q4_1 (5 bits per weight) and its token table in Q8_0
(8.5). :func:`requantized` rounds every matrix of the blocks to another format and back to
float32, so the same code runs the model and the loss shows what the rounding costs; the
token table (also the head) stays in Q8_0, as llama.cpp keeps it. :func:`weight_bytes` counts
what the model's weights take in each format.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn

from .quants import (
    BY_NAME,
    dequantize,
    dequantize_bits,
    quantize_bits,
    quantize_q4_1,
    quantize_q8_0,
)

FORMATS = {"Q8_0": 8.5, "Q4_1": 5.0, "Q3 (ours)": 4.0, "Q2 (ours)": 3.0}  # bits per weight


def round_trip(weight: torch.Tensor, fmt: str) -> torch.Tensor:
    """``weight`` quantized to ``fmt`` and back to float32, rows of 32-weight blocks."""
    if fmt == "Q8_0":
        return dequantize(quantize_q8_0(weight), "Q8_0", tuple(weight.shape))
    if fmt == "Q4_1":
        return dequantize(quantize_q4_1(weight), "Q4_1", tuple(weight.shape))
    if fmt in ("Q3 (ours)", "Q2 (ours)"):
        bits = int(fmt[1])
        return dequantize_bits(quantize_bits(weight, bits), bits, tuple(weight.shape))
    raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def _block_matrices(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.blocks.modules() if isinstance(m, nn.Linear)]


def requantized(model: nn.Module, fmt: str) -> nn.Module:
    """A copy of ``model`` whose block matrices went through ``fmt`` and back (norms and the
    token table unchanged)."""
    copied = copy.deepcopy(model)
    with torch.no_grad():
        for linear in _block_matrices(copied):
            linear.weight.copy_(round_trip(linear.weight, fmt))
    return copied


def weight_bytes(model: nn.Module, fmt: str) -> int:
    """Bytes of the weights with the block matrices in ``fmt``, the token table in Q8_0 and the
    norms in float32, as a GGUF file would hold them."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    matrices = sum(m.weight.numel() for m in _block_matrices(model))
    table = model.tok_emb.weight.numel()
    others = sum(p.numel() for p in model.parameters()) - matrices - table  # the norms
    bits = matrices * FORMATS[fmt] + table * BY_NAME["Q8_0"].bits_per_weight + others * 32
    return int(np.ceil(bits / 8))
