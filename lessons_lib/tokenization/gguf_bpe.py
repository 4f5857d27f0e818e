"""Chapter 02's byte-level BPE with a GGUF file's vocabulary and merges (chapter 11).

A GGUF file stores its tokenizer in the metadata: ``tokenizer.ggml.tokens`` (every token, in
GPT-2's byte-to-character spelling, ``Ġ`` for a space), ``tokenizer.ggml.merges`` ("a b" pairs
in the order they were learned) and ``tokenizer.ggml.token_type`` (1 normal, 3 control). The
merges rebuild a :class:`~lessons_lib.tokenization.bpe.BPETokenizer` whose ids are 0..255 for
the bytes and 256 + i for merge i; :class:`GGUFTokenizer` translates them to the file's ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from .bpe import GPT2_SPLIT_PATTERN, BPETokenizer
from .hf_bridge import bytes_to_unicode
from .inputs import as_token_ids

SPLIT_PATTERNS = {
    "gpt2": GPT2_SPLIT_PATTERN,
    # SmolLM2 first cuts every digit on its own, then splits as GPT-2 does: "2026" is 4 chunks
    "smollm": GPT2_SPLIT_PATTERN.replace(r"| ?\d+|", r"|\d|"),
}
CONTROL = 3  # token_type of tokens such as <|im_start|>, never made by merges


class GGUFTokenizer:
    """The tokenizer of a GGUF file, as the course's BPE: ``encode(text) -> ids`` and
    ``decode(ids) -> text`` in the file's ids; control tokens in the text are kept whole."""

    def __init__(self, metadata: dict):
        tokens = metadata["tokenizer.ggml.tokens"]
        kinds = metadata.get("tokenizer.ggml.token_type", [1] * len(tokens))
        pre = metadata.get("tokenizer.ggml.pre", "gpt2")
        if metadata.get("tokenizer.ggml.model") != "gpt2" or pre not in SPLIT_PATTERNS:
            raise ValueError(
                f"this file's tokenizer is {metadata.get('tokenizer.ggml.model')!r} with "
                f"pre-tokenizer {pre!r}; GGUFTokenizer reads byte-level BPE ('gpt2') with "
                f"the pre-tokenizers {', '.join(SPLIT_PATTERNS)}."
            )
        byte_of = {char: byte for byte, char in bytes_to_unicode().items()}

        def as_bytes(token: str) -> bytes:  # "Ġthe" -> b" the"
            return bytes(byte_of[char] for char in token)

        ours = {bytes([b]): b for b in range(256)}  # bytes -> our id
        merges = []
        for i, merge in enumerate(metadata["tokenizer.ggml.merges"]):
            left, right = (as_bytes(part) for part in merge.split(" "))
            merges.append((ours[left], ours[right]))
            ours[left + right] = 256 + i
        controls = [t for t, kind in zip(tokens, kinds, strict=True) if kind == CONTROL]
        self.bpe = BPETokenizer(merges, SPLIT_PATTERNS[pre], special_tokens=controls)
        file_id = {token: i for i, token in enumerate(tokens)}
        char_of = bytes_to_unicode()
        unknown = metadata.get("tokenizer.ggml.unknown_token_id", 0)
        # our id -> the file's; a byte the vocabulary lacks (a control byte) becomes <unk>
        self.to_file = [file_id.get("".join(char_of[b] for b in piece), unknown)
                        for piece in self.bpe.vocab]  # fmt: skip
        self.to_file += [file_id[t] for t in self.bpe.special_tokens]
        self.from_file = {}  # the file's id -> ours (the first, where several map to <unk>)
        for ours_id, f in enumerate(self.to_file):
            self.from_file.setdefault(f, ours_id)
        self.tokens = tokens

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """The file's token ids of ``text``."""
        return [self.to_file[i] for i in self.bpe.encode(text)]

    def decode(self, ids: Iterable[int]) -> str:
        """The text of the file's token ids ``ids``."""
        ids = as_token_ids(ids)
        unknown = [i for i in ids if i not in self.from_file]
        if unknown:
            raise ValueError(f"ids {unknown[:5]} are not tokens of this vocabulary of "
                             f"{self.vocab_size:,}.")  # fmt: skip
        return self.bpe.decode(self.from_file[i] for i in ids)

    def token_strings(self, ids: Iterable[int]) -> list[str]:
        """Each id's token as the file spells it (``Ġ`` for a space)."""
        return [self.tokens[i] for i in as_token_ids(ids)]
