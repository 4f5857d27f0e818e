"""Hugging Face ``tokenizers`` as the reference for our byte-level BPE (chapter 02).

Two bridges, both offline (``tokenizers`` trains locally; nothing comes from a hub):

* :func:`train_hf_bpe` trains Hugging Face's byte-level BPE on the same text, for comparison;
* :func:`to_hf` loads *our* merges into Hugging Face's BPE model, so the two encoders can be
  compared id for id.

Hugging Face, like GPT-2, writes each byte as a printable character (a space is ``Ġ``, a
newline ``Ċ``); :func:`bytes_to_unicode` is that table.
"""

from __future__ import annotations

import functools
import json

from .bpe import GPT2_SPLIT_PATTERN, BPETokenizer

_MISSING = (
    "Hugging Face tokenizers is not installed. Fix: pip install tokenizers "
    "(or pip install -r requirements.txt in the course folder)."
)


def _tokenizers():
    try:
        import tokenizers
    except ImportError as err:  # pragma: no cover - tokenizers is in requirements.txt
        raise ImportError(_MISSING) from err
    return tokenizers


@functools.lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's printable stand-in for each byte: printable bytes stay, the others move to
    chr(256 + n). ``bytes_to_unicode()[32] == "Ġ"`` (the space)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {b: chr(b) for b in printable}
    others = [b for b in range(256) if b not in table]
    table.update({b: chr(256 + n) for n, b in enumerate(others)})
    return dict(sorted(table.items()))


def to_byte_level(data: bytes) -> str:
    """Bytes as Hugging Face and GPT-2 write them: ``to_byte_level(b" the") == "Ġthe"``."""
    table = bytes_to_unicode()
    return "".join(table[b] for b in data)


def from_byte_level(token: str) -> bytes:
    """The inverse of :func:`to_byte_level`."""
    inverse = {c: b for b, c in bytes_to_unicode().items()}
    try:
        return bytes(inverse[c] for c in token)
    except KeyError as err:
        raise ValueError(f"{err.args[0]!r} is not a byte-level character.") from None


def train_hf_bpe(text: str, vocab_size: int):
    """Hugging Face's byte-level BPE trained on ``text``: GPT-2's pre-split, no prefix space,
    all 256 bytes in the vocabulary, ``vocab_size - 256`` merges. Returns a ``Tokenizer``."""
    tk = _tokenizers()
    if not isinstance(text, str):
        raise TypeError(f"train_hf_bpe expects the text as a str, got {type(text).__name__}.")
    if not isinstance(vocab_size, int) or vocab_size < 256:
        raise ValueError(f"vocab_size must be an int of at least 256, got {vocab_size!r}.")
    tokenizer = tk.Tokenizer(tk.models.BPE())
    tokenizer.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = tk.decoders.ByteLevel()
    trainer = tk.trainers.BpeTrainer(
        vocab_size=vocab_size,
        initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes
        show_progress=False,
    )
    tokenizer.train_from_iterator([text], trainer)
    return tokenizer


def hf_merges(hf_tokenizer) -> list[tuple[bytes, bytes]]:
    """The merges of a Hugging Face BPE tokenizer, in order, as pairs of bytes."""
    merges = json.loads(hf_tokenizer.to_str())["model"]["merges"]
    pairs = [m.split(" ") if isinstance(m, str) else m for m in merges]  # old and new formats
    return [(from_byte_level(a), from_byte_level(b)) for a, b in pairs]


def our_merges(tokenizer: BPETokenizer) -> list[tuple[bytes, bytes]]:
    """Our tokenizer's merges, in order, as pairs of bytes (comparable with :func:`hf_merges`)."""
    return [(tokenizer.vocab[a], tokenizer.vocab[b]) for a, b in tokenizer.merges]


def to_hf(tokenizer: BPETokenizer):
    """Our merges inside Hugging Face's BPE model, with our ids: it encodes exactly as we do."""
    tk = _tokenizers()
    if not isinstance(tokenizer, BPETokenizer):
        raise TypeError(f"to_hf expects a BPETokenizer, got {type(tokenizer).__name__}.")
    if tokenizer.pattern not in (GPT2_SPLIT_PATTERN, None):
        raise ValueError(
            "Hugging Face's byte-level pre-split knows only GPT-2's pattern (or none): train "
            "with pattern=GPT2_SPLIT_PATTERN or pattern=None to compare."
        )
    vocab = {to_byte_level(data): i for i, data in enumerate(tokenizer.vocab)}
    if len(vocab) != len(tokenizer.vocab):
        raise ValueError(
            "Two of this tokenizer's ids stand for the same bytes, which Hugging Face's "
            "vocabulary (one id per string) cannot hold."
        )
    merges = [(to_byte_level(a), to_byte_level(b)) for a, b in our_merges(tokenizer)]
    hf = tk.Tokenizer(tk.models.BPE(vocab=vocab, merges=merges))
    use_regex = tokenizer.pattern is not None
    hf.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=use_regex)
    hf.decoder = tk.decoders.ByteLevel()
    hf.add_special_tokens(list(tokenizer.special_tokens))
    return hf
