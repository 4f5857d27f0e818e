"""BERT's WordPiece tokenizer, built from scratch (chapter 07).

BERT, and the sentence-embedding models built on it such as all-MiniLM-L6-v2, cut text in
two stages:

1. the **basic tokenizer** cleans the text, lower-cases it, strips accents and splits it into
   words and punctuation marks (every Chinese character is a word of its own);
2. **WordPiece** cuts each word into the longest pieces found in the vocabulary, left to
   right; a piece that continues a word is written with a leading ``##``.

>>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "!", "hi", "un", "##aff", "##able"]
>>> tok = WordPieceTokenizer(vocab)
>>> tok.tokenize("Hi! Unaffable?")         # "?" is not in this tiny vocabulary
['hi', '!', 'un', '##aff', '##able', '[UNK]']
>>> tok.encode("Hi! Unaffable?")           # [CLS] ... [SEP] around the pieces
[2, 5, 4, 6, 7, 8, 1, 3]
>>> tok.decode([2, 5, 4, 6, 7, 8, 3])
'hi! unaffable'

Unlike byte-level BPE (chapter 02), WordPiece loses information on the way in: case, accents,
spacing and unknown words are gone, so ``decode`` gives back a normalised text.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .._checks import boolean, path_like, positive_int
from .inputs import as_token_ids, check_text, split_specials

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
"""BERT's special tokens. Written in a text exactly like this, each is kept whole."""

CJK_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),  # CJK Unified, extensions A, B
    (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),  # extensions C, D, E
    (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),  # compatibility ideographs and their supplement
)  # fmt: skip
"""The code points BERT treats as Chinese characters (its ``_is_chinese_char``); Japanese kana
and Korean hangul are not among them. Hugging Face's Rust code starts extension E at 0x2B920,
so on the 256 rare characters U+2B820..U+2B91F the two disagree. Elsewhere they disagree on
about 500 characters that Python's Unicode tables (14.0 in Python 3.11) know and the older
Rust tables do not, such as U+061D (punctuation) and U+07FD (a combining mark); the test
``test_known_differences_from_hugging_face`` lists them."""

NO_SPACE_BEFORE = (".", "?", "!", ",")
"""Punctuation that :meth:`WordPieceTokenizer.decode` writes without a space before it."""


# --- the basic tokenizer: text -> words ---------------------------------------------------------


def is_chinese_char(char: str) -> bool:
    """True for a CJK ideograph (see ``CJK_RANGES``): ``is_chinese_char("语")`` is True."""
    return any(low <= ord(char) <= high for low, high in CJK_RANGES)


def is_whitespace(char: str) -> bool:
    """True for a space, tab, newline, carriage return, or a Unicode space, line or paragraph
    separator (categories Zs, Zl, Zp)."""
    return char in " \t\n\r" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def is_control(char: str) -> bool:
    """True for what clean-up drops: controls (Cc) except tab and newlines, format characters
    (Cf, such as the zero-width space), private-use and surrogate code points. Unassigned code
    points (Cn) stay, as in Hugging Face (BERT's original drops them), so an emoji newer than
    this Python's Unicode tables becomes ``[UNK]``."""
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")


def is_punctuation(char: str) -> bool:
    """True for a character that is a word of its own: ASCII symbols (33-47, 58-64, 91-96,
    123-126, so ``$``, ``+`` and ``^`` too) or a Unicode punctuation mark (category "P...")."""
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def clean_text(text: str) -> str:
    """``text`` without U+0000, U+FFFD and control characters, with every whitespace character
    turned into a plain space.

    >>> clean_text("a\\tb\\x00c\\u200bd")
    'a bcd'
    """
    kept = (c for c in text if c not in "\x00\ufffd" and not is_control(c))
    return "".join(" " if is_whitespace(c) else c for c in kept)


def space_chinese_chars(text: str) -> str:
    """``text`` with a space on both sides of every Chinese character.

    >>> space_chinese_chars("我爱NLP")
    ' 我  爱 NLP'
    """
    return "".join(f" {c} " if is_chinese_char(c) else c for c in text)


def remove_accents(text: str) -> str:
    """``text`` without accents: decompose (NFD) and drop the combining marks (category Mn).

    >>> remove_accents("Café naïve")
    'Cafe naive'
    """
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def lower_case(text: str) -> str:
    """``text`` lower-cased one character at a time, as Hugging Face's fast BERT tokenizer does:
    ``str.lower`` alone writes a word-final capital sigma as the final form ``ς``.

    >>> lower_case("ΟΔΟΣ"), "ΟΔΟΣ".lower()
    ('οδοσ', 'οδος')
    """
    return "".join(c.lower() for c in text)


def split_on_punctuation(word: str) -> list[str]:
    """``word`` cut before and after each punctuation character.

    >>> split_on_punctuation("don't!!")
    ['don', "'", 't', '!', '!']
    """
    parts: list[str] = []
    start_new = True  # the next letter starts a new part
    for char in word:
        if is_punctuation(char):
            parts.append(char)
            start_new = True
        else:
            if start_new:
                parts.append("")
            parts[-1] += char
            start_new = False
    return parts


def basic_tokenize(
    text: str,
    do_lower_case: bool = True,
    strip_accents: bool | None = None,
    tokenize_chinese_chars: bool = True,
) -> list[str]:
    """BERT's first stage: clean, space out Chinese characters, strip accents (when
    ``strip_accents`` is True, or when it is None and ``do_lower_case`` is True), lower-case,
    split at whitespace, then split off punctuation.

    >>> basic_tokenize("Héllo, wörld! 自然")
    ['hello', ',', 'world', '!', '自', '然']
    """
    _check_flags(do_lower_case, strip_accents, tokenize_chinese_chars)
    text = clean_text(check_text(text))
    if tokenize_chinese_chars:
        text = space_chinese_chars(text)
    if strip_accents or (strip_accents is None and do_lower_case):
        text = remove_accents(text)
    if do_lower_case:
        text = lower_case(text)
    return [part for word in text.split() for part in split_on_punctuation(word)]


# --- WordPiece: word -> pieces ------------------------------------------------------------------


def wordpiece(
    word: str, vocab: Mapping[str, int], unk_token: str = "[UNK]", max_chars: int = 100
) -> list[str]:
    """Cut ``word`` into vocabulary pieces, greedily: at each position take the longest piece in
    ``vocab`` (after the first piece, looked up with a ``##`` prefix). A word longer than
    ``max_chars`` characters, or with a position where no piece fits, becomes ``[unk_token]``.

    >>> vocab = {"un": 0, "##aff": 1, "##able": 2, "##a": 3}
    >>> wordpiece("unaffable", vocab)     # "##affable" and "##affabl"... are not in vocab
    ['un', '##aff', '##able']
    >>> wordpiece("unable", vocab), wordpiece("xun", vocab)   # no piece starts with "x"
    (['un', '##able'], ['[UNK]'])
    """
    if len(word) > positive_int(max_chars, "max_chars"):
        return [unk_token]
    pieces: list[str] = []
    start = 0
    while start < len(word):
        for end in range(len(word), start, -1):  # the longest candidate first
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return [unk_token]  # nothing fits here: the whole word is unknown
        pieces.append(piece)
        start = end
    return pieces


# --- the tokenizer --------------------------------------------------------------------------------


class WordPieceTokenizer:
    """BERT's tokenizer: :func:`basic_tokenize`, then :func:`wordpiece` on each word.

    ``vocab`` is a list of tokens (id = position, as in ``vocab.txt``) or a dict token -> id.
    Load a model's vocabulary with :meth:`from_pretrained`. The special tokens
    (``SPECIAL_TOKENS``) written in a text are kept whole; ``[PAD]``, ``[UNK]``, ``[CLS]`` and
    ``[SEP]`` must be in the vocabulary.
    """

    def __init__(
        self,
        vocab: Sequence[str] | Mapping[str, int],
        do_lower_case: bool = True,
        strip_accents: bool | None = None,
        tokenize_chinese_chars: bool = True,
        max_input_chars_per_word: int = 100,
    ):
        if isinstance(vocab, str) or not isinstance(vocab, Sequence | Mapping):
            kind = type(vocab).__name__
            raise TypeError(f"vocab must be a list of tokens or a dict token -> id, got a {kind}.")
        if isinstance(vocab, Sequence):  # id = position; a repeated token keeps its last id
            vocab = {token: i for i, token in enumerate(vocab)}
        self.vocab: dict[str, int] = dict(vocab)
        if any(not isinstance(t, str) or not isinstance(i, int) for t, i in self.vocab.items()):
            raise TypeError("vocab must map str tokens to int ids.")
        missing = [t for t in SPECIAL_TOKENS[:4] if t not in self.vocab]
        if missing:
            raise ValueError(
                f"The vocabulary lacks {', '.join(missing)}: BERT's tokenizer needs [PAD], [UNK], "
                "[CLS] and [SEP]. Fix: add them (BERT puts them at ids 0, 100, 101 and 102)."
            )
        self.id_to_token_map: dict[int, str] = {i: t for t, i in self.vocab.items()}
        flags = _check_flags(do_lower_case, strip_accents, tokenize_chinese_chars)
        self.do_lower_case, self.strip_accents, self.tokenize_chinese_chars = flags
        self.max_input_chars_per_word = positive_int(
            max_input_chars_per_word, "max_input_chars_per_word (BERT uses 100)"
        )
        self.special_tokens = [t for t in SPECIAL_TOKENS if t in self.vocab]
        self.pad_id, self.unk_id, self.cls_id, self.sep_id = map(self.vocab.get, SPECIAL_TOKENS[:4])
        self.mask_id: int | None = self.vocab.get("[MASK]")

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> WordPieceTokenizer:
        """The tokenizer saved in ``folder``: ``vocab.txt`` (one token per line, id = line
        number) and, if present, the flags ``do_lower_case`` (default True),
        ``strip_accents`` and ``tokenize_chinese_chars`` from ``tokenizer_config.json``."""
        folder = path_like(folder, "folder")
        vocab_file = folder / "vocab.txt"
        if not folder.is_dir():
            raise FileNotFoundError(
                f"No folder {folder}. Fix: pass the folder of a BERT-style model, the one that "
                "holds vocab.txt (for all-MiniLM-L6-v2: the model/ folder of its package)."
            )
        if not vocab_file.is_file():
            raise FileNotFoundError(
                f"No vocab.txt in {folder}. Fix: pass the folder that holds the model's "
                "vocab.txt (a WordPiece tokenizer; GPT-style BPE models have none)."
            )
        lines = vocab_file.read_text(encoding="utf-8").removesuffix("\n").split("\n")
        config_file = folder / "tokenizer_config.json"
        config = json.loads(config_file.read_text("utf-8")) if config_file.is_file() else {}
        return cls(
            [line.removesuffix("\r") for line in lines],
            do_lower_case=config.get("do_lower_case", True),
            strip_accents=config.get("strip_accents"),
            tokenize_chinese_chars=config.get("tokenize_chinese_chars", True),
        )

    @property
    def vocab_size(self) -> int:
        """How many tokens the vocabulary has (30522 for BERT and all-MiniLM-L6-v2)."""
        return len(self.vocab)

    def token_to_id(self, token: str) -> int:
        """The id of ``token``, or ``unk_id`` when it is not in the vocabulary."""
        return self.vocab.get(token, self.unk_id)

    def id_to_token(self, token_id: int) -> str:
        """The token with id ``token_id`` (a ValueError names the valid range otherwise)."""
        [token_id] = as_token_ids([token_id], "token_id")  # an int, numpy or torch integer
        if token_id in self.id_to_token_map:
            return self.id_to_token_map[token_id]
        raise ValueError(
            f"Unknown token id {token_id!r}: this vocabulary has ids 0..{self.vocab_size - 1}. "
            "Decode with the tokenizer that encoded the ids."
        )

    def tokenize(self, text: str) -> list[str]:
        """The WordPiece tokens of ``text``, without ``[CLS]`` and ``[SEP]``."""
        tokens: list[str] = []
        flags = (self.do_lower_case, self.strip_accents, self.tokenize_chinese_chars)
        for i, part in enumerate(split_specials(check_text(text), self.special_tokens)):
            if i % 2:  # the odd parts are the special tokens themselves
                tokens.append(part)
                continue
            for word in basic_tokenize(part, *flags):
                tokens.extend(wordpiece(word, self.vocab, "[UNK]", self.max_input_chars_per_word))
        return tokens

    def encode(self, text: str, max_length: int | None = None) -> list[int]:
        """``[CLS]``, the ids of ``text``'s tokens, ``[SEP]``. With ``max_length``, only the
        first ``max_length - 2`` tokens are kept, so the result has at most ``max_length`` ids
        (Hugging Face's ``truncation=True, max_length=max_length``)."""
        ids = [self.token_to_id(t) for t in self.tokenize(text)]
        if max_length is not None:
            positive_int(max_length, "max_length (room for [CLS] and [SEP])", minimum=2)
            ids = ids[: max_length - 2]
        return [self.cls_id, *ids, self.sep_id]

    def decode(self, ids: Iterable[int], skip_special_tokens: bool = True) -> str:
        """The text of ``ids`` (a list or a 1-D tensor), rebuilt by one rule: drop ``[CLS]``,
        ``[SEP]`` and ``[PAD]`` (when ``skip_special_tokens``), glue each ``##`` piece to the
        piece before it, put one space between the other pieces, and none before ``. ? ! ,``.

        This matches Hugging Face's ``decode(ids, skip_special_tokens=True)`` except that
        Hugging Face also drops ``[UNK]`` and ``[MASK]`` and, when the model's
        ``clean_up_tokenization_spaces`` is on, writes ``don't`` for ``don ' t``.
        """
        boolean(skip_special_tokens, "skip_special_tokens")
        skip = {"[CLS]", "[SEP]", "[PAD]"} if skip_special_tokens else set()
        pieces = [p for p in map(self.id_to_token, as_token_ids(ids)) if p not in skip]
        text = ""
        for i, piece in enumerate(pieces):
            if i > 0 and piece.startswith("##"):
                piece = piece[2:]  # a word goes on
            elif i > 0 and piece not in NO_SPACE_BEFORE:
                piece = " " + piece  # a new word
            text += piece
        return text

    def __repr__(self) -> str:
        return (
            f"WordPieceTokenizer(vocab_size={self.vocab_size}, "
            f"do_lower_case={self.do_lower_case}, strip_accents={self.strip_accents}, "
            f"tokenize_chinese_chars={self.tokenize_chinese_chars})"
        )


def _check_flags(do_lower_case: object, strip_accents: object, chinese: object) -> tuple:
    """The flags if they are True or False (``"False"`` is not); ``strip_accents`` may be None."""
    if strip_accents is not None:
        boolean(strip_accents, "strip_accents (or None: strip when lower-casing)")
    return (
        boolean(do_lower_case, "do_lower_case"),
        strip_accents,
        boolean(chinese, "tokenize_chinese_chars"),
    )
