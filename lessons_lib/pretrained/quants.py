"""Quantized weights, block by block (chapter 11): the formats of GGUF files, read and written
with numpy.

A quantized tensor is cut into blocks of 32 weights along its rows. Each block stores a few
float16 numbers for the whole block and one small integer per weight::

    Q8_0  34 bytes per 32 weights (8.5 bits each):  d (f16), 32 x int8 q        w = d * q
    Q4_1  20 bytes per 32 weights (5 bits each):    d (f16), m (f16), 16 bytes  w = d * q + m
          byte j holds weight j in its low 4 bits and weight 16 + j in its high 4 bits

:func:`dequantize` turns stored bytes back into float32; :func:`quantize_q8_0` and
:func:`quantize_q4_1` write them the way llama.cpp's reference code does (the nearest level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class QuantType:
    """A GGUF tensor type: ``block_size`` weights stored in ``block_bytes`` bytes."""

    name: str
    block_size: int
    block_bytes: int

    @property
    def bits_per_weight(self) -> float:
        return 8 * self.block_bytes / self.block_size


QUANT_TYPES = {0: QuantType("F32", 1, 4), 1: QuantType("F16", 1, 2),
               3: QuantType("Q4_1", 32, 20), 8: QuantType("Q8_0", 32, 34)}  # fmt: skip
BY_NAME = {q.name: q for q in QUANT_TYPES.values()}


def _blocks(raw: np.ndarray, type_name: str, shape: tuple[int, ...]) -> np.ndarray:
    """The stored bytes as (n_blocks, block_bytes), after checking that they fit ``shape``."""
    if type_name not in BY_NAME:
        raise ValueError(f"type {type_name!r}: this reader knows {', '.join(BY_NAME)}.")
    quant = BY_NAME[type_name]
    n = int(np.prod(shape))
    if n % quant.block_size or len(raw) != n // quant.block_size * quant.block_bytes:
        raise ValueError(
            f"{len(raw):,} bytes of {type_name} do not hold a tensor of shape {tuple(shape)}: "
            f"that needs {n // quant.block_size * quant.block_bytes:,} bytes "
            f"({quant.block_bytes} per {quant.block_size} weights)."
        )
    return np.asarray(raw, dtype=np.uint8).reshape(-1, quant.block_bytes)


def dequantize(raw: np.ndarray, type_name: str, shape: tuple[int, ...]) -> torch.Tensor:
    """Stored bytes (uint8) of a tensor of ``type_name`` -> a float32 tensor of ``shape``."""
    blocks = _blocks(raw, type_name, shape)
    if type_name == "F32":
        weights = blocks.view(np.float32)
    elif type_name == "F16":
        weights = blocks.view(np.float16).astype(np.float32)
    elif type_name == "Q8_0":
        d = blocks[:, :2].view(np.float16).astype(np.float32)  # (n, 1): one scale per block
        q = blocks[:, 2:].view(np.int8).astype(np.float32)  # (n, 32)
        weights = d * q
    else:  # Q4_1
        d = blocks[:, 0:2].view(np.float16).astype(np.float32)  # (n, 1) the step
        m = blocks[:, 2:4].view(np.float16).astype(np.float32)  # (n, 1) the block's minimum
        packed = blocks[:, 4:]  # (n, 16): two 4-bit levels per byte
        q = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.float32)  # (n, 32)
        weights = d * q + m
    return torch.from_numpy(np.array(weights, dtype=np.float32).reshape(shape))  # a copy


def _as_blocks(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """float32 (n_blocks, 32): the weights of ``x``, row after row, in blocks of 32."""
    flat = np.asarray(x, dtype=np.float32).reshape(-1)
    if flat.size % 32:
        raise ValueError(f"{flat.size} weights do not split into blocks of 32.")
    return flat.reshape(-1, 32)


def quantize_q8_0(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Q8_0 bytes of ``x``: per block d = max|w| / 127 and q = round(w / d) in -127..127."""
    w = _as_blocks(x)
    d = np.abs(w).max(axis=1, keepdims=True) / 127  # (n, 1)
    inverse = np.divide(1.0, d, out=np.zeros_like(d), where=d > 0)
    q = np.clip(np.trunc(w * inverse + np.copysign(0.5, w)), -127, 127).astype(np.int8)  # (n, 32)
    return np.concatenate([d.astype(np.float16).view(np.uint8), q.view(np.uint8)], axis=1).reshape(
        -1
    )


def quantize_q4_1(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Q4_1 bytes of ``x``: per block m = min w, d = (max w - m) / 15, q = round((w - m) / d)."""
    w = _as_blocks(x)
    low, high = w.min(axis=1, keepdims=True), w.max(axis=1, keepdims=True)  # (n, 1) each
    d = (high - low) / 15
    inverse = np.divide(1.0, d, out=np.zeros_like(d), where=d > 0)
    q = np.clip(np.trunc((w - low) * inverse + 0.5), 0, 15).astype(np.uint8)  # (n, 32)
    packed = q[:, :16] | (q[:, 16:] << 4)  # (n, 16): weight j low, weight 16 + j high
    scales = np.concatenate([d.astype(np.float16), low.astype(np.float16)], axis=1)  # (n, 2)
    return np.concatenate([scales.view(np.uint8), packed], axis=1).reshape(-1)


def quantize_bits(x: torch.Tensor | np.ndarray, bits: int) -> np.ndarray:
    """The course's own k-bit format (2 to 8 bits), Q4_1's recipe with any number of levels:
    per block of 32, d and m in float16, then 32 levels of ``bits`` bits packed one after the
    other (little-endian): 4 + 4·bits bytes per block, bits + 1 bits per weight."""
    if bits not in range(2, 9):
        raise ValueError(f"bits must be 2 to 8, got {bits!r}.")
    w = _as_blocks(x)
    levels = 2**bits - 1
    low, high = w.min(axis=1, keepdims=True), w.max(axis=1, keepdims=True)  # (n, 1)
    d = (high - low) / levels
    inverse = np.divide(1.0, d, out=np.zeros_like(d), where=d > 0)
    q = np.clip(np.trunc((w - low) * inverse + 0.5), 0, levels).astype(np.uint8)  # (n, 32)
    planes = (q[:, :, None] >> np.arange(bits, dtype=np.uint8)) & 1  # (n, 32, bits): bit b
    packed = np.packbits(planes.reshape(len(q), 32 * bits), axis=1, bitorder="little")
    scales = np.concatenate([d.astype(np.float16), low.astype(np.float16)], axis=1)  # (n, 2)
    return np.concatenate([scales.view(np.uint8), packed], axis=1).reshape(-1)


def dequantize_bits(raw: np.ndarray, bits: int, shape: tuple[int, ...]) -> torch.Tensor:
    """The weights of :func:`quantize_bits`'s bytes: w = d · q + m, as float32 of ``shape``."""
    n = int(np.prod(shape))
    blocks = np.asarray(raw, dtype=np.uint8).reshape(n // 32, 4 + 4 * bits)
    d = blocks[:, 0:2].view(np.float16).astype(np.float32)  # (n, 1)
    m = blocks[:, 2:4].view(np.float16).astype(np.float32)
    planes = np.unpackbits(blocks[:, 4:], axis=1, bitorder="little").reshape(-1, 32, bits)
    q = (planes.astype(np.uint16) << np.arange(bits, dtype=np.uint16)).sum(axis=2)  # (n, 32)
    return torch.from_numpy((d * q + m).astype(np.float32).reshape(shape))
