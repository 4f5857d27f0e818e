"""A GGUF file read by hand, with ``struct`` and ``numpy`` alone (chapter 11).

GGUF is the single-file format local LLMs ship in (llama.cpp, Ollama, LM Studio). Its layout,
all little-endian::

    b"GGUF", version (u32), tensor count (u64), metadata count (u64)
    metadata:   key (string), value type (u32), value          x metadata count
    tensor table: name (string), n_dims (u32), dims (u64 x n_dims), type (u32), offset (u64)
    padding to ``general.alignment`` (32 bytes unless the metadata says otherwise)
    tensor data: each tensor at its offset from the start of this section

A string is its length (u64) and then UTF-8 bytes; an array is the item type (u32), the count
(u64), then the items. Dims run from the fastest-changing axis: a weight stored ``[576, 1536]``
is the torch tensor ``(1536, 576)``. :func:`read_gguf` gives a :class:`GGUFFile` whose
``tensor(name)`` de-quantizes with :mod:`.quants`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .quants import QUANT_TYPES, dequantize

MAGIC = b"GGUF"
# value types of the metadata: struct format of each scalar type, 8 = string, 9 = array
SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q",
                  11: "q", 12: "d"}  # fmt: skip
STRING, ARRAY = 8, 9


class GGUFError(ValueError):
    """A file that is not a complete GGUF file: the message names the file and what is wrong."""


@dataclass
class GGUFTensor:
    """One row of the tensor table: where a tensor's bytes are and how to read them."""

    name: str
    shape: tuple[int, ...]  # in torch's order, slowest axis first: (out, in) for a weight
    type_name: str  # "F32", "Q8_0", "Q4_1", ...
    offset: int  # from the start of the file
    n_bytes: int

    @property
    def n_weights(self) -> int:
        return int(np.prod(self.shape))


@dataclass
class GGUFFile:
    """A GGUF file's header: ``metadata`` {key: value}, ``tensors`` {name: GGUFTensor}."""

    path: Path
    version: int
    metadata: dict = field(repr=False)
    tensors: dict[str, GGUFTensor] = field(repr=False)
    data_start: int  # where the tensor data begin (the header's size, padded)

    def raw(self, name: str) -> np.ndarray:
        """The stored bytes of tensor ``name``, as uint8 (read from disk, not all in memory)."""
        info = self._info(name)
        return np.memmap(self.path, np.uint8, "r", offset=info.offset, shape=(info.n_bytes,))

    def tensor(self, name: str) -> torch.Tensor:
        """Tensor ``name`` de-quantized to float32, in torch's shape."""
        info = self._info(name)
        return dequantize(self.raw(name), info.type_name, info.shape)

    def _info(self, name: str) -> GGUFTensor:
        if name not in self.tensors:
            close = [n for n in self.tensors if name.split(".")[-2:] == n.split(".")[-2:]][:3]
            raise KeyError(
                f"{self.path.name} has no tensor {name!r}; e.g. {close or list(self.tensors)[:3]}"
            )
        return self.tensors[name]


class _Cursor:
    """Reads little-endian values from ``data`` one after the other, naming the file on error."""

    def __init__(self, data: bytes | memoryview, path: Path):
        self.data, self.at, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise GGUFError(
                f"{self.path}: the file ends inside its header (byte {self.at:,} of "
                f"{len(self.data):,}): it is truncated. Download or reinstall it again."
            )
        chunk = bytes(self.data[self.at : self.at + n])
        self.at += n
        return chunk

    def scalar(self, fmt: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        return self.take(self.scalar("Q")).decode("utf-8", errors="replace")

    def value(self, kind: int):
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            item_kind, count = self.scalar("I"), self.scalar("Q")
            if item_kind in SCALAR_FORMATS:  # numbers: one read for all of them
                fmt = SCALAR_FORMATS[item_kind]
                return list(
                    struct.unpack(f"<{count}{fmt}", self.take(count * struct.calcsize(fmt)))
                )
            return [self.value(item_kind) for _ in range(count)]
        if kind not in SCALAR_FORMATS:
            raise GGUFError(f"{self.path}: unknown metadata value type {kind} at byte {self.at:,}")
        return self.scalar(SCALAR_FORMATS[kind])


def read_gguf(path: str | Path) -> GGUFFile:
    """Read a GGUF file's header and tensor table (the weights stay on disk until asked for).

    Raises :class:`GGUFError` naming the file when it is not GGUF, is truncated, or holds a
    tensor type this reader does not know.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file. Pass the path of a .gguf file.")
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(min(size, 64 << 20))  # the header fits in 64 MB for the models we read
    cursor = _Cursor(memoryview(head), path)
    magic = cursor.take(4) if size >= 4 else head
    if magic != MAGIC:
        raise GGUFError(f"{path}: not a GGUF file: it starts with {magic!r}, not {MAGIC!r}.")
    version = cursor.scalar("I")
    if version not in (2, 3):
        raise GGUFError(f"{path}: GGUF version {version}; this reader knows versions 2 and 3.")
    n_tensors, n_metadata = cursor.scalar("Q"), cursor.scalar("Q")
    metadata = {}
    for _ in range(n_metadata):
        key = cursor.string()
        metadata[key] = cursor.value(cursor.scalar("I"))
    table = []
    for _ in range(n_tensors):
        name = cursor.string()
        dims = [cursor.scalar("Q") for _ in range(cursor.scalar("I"))]
        table.append((name, tuple(reversed(dims)), cursor.scalar("I"), cursor.scalar("Q")))
    alignment = metadata.get("general.alignment", 32)
    data_start = -(-cursor.at // alignment) * alignment  # round up to the alignment
    tensors = {}
    for name, shape, kind, offset in table:
        if kind not in QUANT_TYPES:
            raise GGUFError(
                f"{path}: tensor {name!r} has type {kind}, which this reader does not know "
                f"(it reads {', '.join(t.name for t in QUANT_TYPES.values())})."
            )
        quant = QUANT_TYPES[kind]
        n_bytes = int(np.prod(shape)) // quant.block_size * quant.block_bytes
        tensors[name] = GGUFTensor(name, shape, quant.name, data_start + offset, n_bytes)
    last = max(tensors.values(), key=lambda t: t.offset + t.n_bytes, default=None)
    if last is not None and last.offset + last.n_bytes > size:
        raise GGUFError(
            f"{path}: the file is truncated: tensor {last.name!r} ends at byte "
            f"{last.offset + last.n_bytes:,}, but the file has {size:,} bytes. Download or "
            "reinstall it again."
        )
    return GGUFFile(path, version, metadata, tensors, data_start)
