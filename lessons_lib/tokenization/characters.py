"""Characters as tokens: the simplest vocabulary (chapter 01; chapter 02 adds BPE)."""

from __future__ import annotations

from collections.abc import Iterable

from .inputs import as_token_ids, check_text


class CharTokenizer:
    """Maps each character of a fixed vocabulary to an integer id and back.

    >>> tok = CharTokenizer.from_text("hello")
    >>> tok.vocab_size, tok.encode("hole"), tok.decode([1, 0, 2, 2, 3])
    (4, [1, 3, 2, 0], 'hello')
    """

    def __init__(self, chars: Iterable[str]):
        if not isinstance(chars, Iterable):
            raise TypeError(
                f"chars must be a str or a list of single characters, got {chars!r:.40}. "
                "Fix: CharTokenizer.from_text(text) builds the vocabulary of a text."
            )
        chars = list(chars)
        if not chars:
            raise ValueError("The vocabulary is empty: build it from a non-empty text.")
        if any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("Every vocabulary entry must be a single character.")
        if len(set(chars)) != len(chars):
            raise ValueError("The vocabulary lists a character twice.")
        self.chars: list[str] = chars
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The vocabulary of every distinct character in ``text``, in sorted order."""
        return cls(sorted(set(check_text(text))))

    @property
    def vocab_size(self) -> int:
        """How many distinct tokens (characters) there are."""
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """The id of each character of ``text``."""
        check_text(text)
        try:
            return [self.stoi[c] for c in text]
        except KeyError as err:
            char = err.args[0]
            raise ValueError(
                f"The character {char!r} (U+{ord(char):04X}) is not in the vocabulary of "
                f"{self.vocab_size} characters. Fix: build the tokenizer from a text that "
                "contains it (CharTokenizer.from_text(all_text)) or remove it from the input."
            ) from None

    def decode(self, ids: Iterable[int]) -> str:
        """The text for a sequence of ids (a list, or a 1-D tensor)."""
        ids = as_token_ids(ids)
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(
                f"Token id {bad[0]} is out of range: ids must be 0..{self.vocab_size - 1} "
                "for this vocabulary."
            )
        return "".join(self.chars[i] for i in ids)

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"
