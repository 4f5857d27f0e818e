"""The reversal task: a sequence whose second half has a visible answer (chapter 05).

A sequence of ``length`` different letters, a separator ``|``, then the same letters
backwards::

    c a f h b j e d | d e j b h f a c

A causal language model reads it left to right and predicts each next token. The letters
before ``|`` are random, so they cannot be predicted; the letters after it can, exactly, and
the only way is to *look back* at the right letter: to predict the ``j``-th letter after
the separator, attend to the ``j``-th letter from the end of the first half. Drawn as an
attention map, that is an anti-diagonal, a pattern you can predict before you look.
Target positions that hold :data:`IGNORE` (the unpredictable first half) do not count in the
loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .._checks import positive_int
from .._checks import text as check_text
from ..tokenization.inputs import as_token_ids

IGNORE = -1
"""A target that does not count in the loss (``F.cross_entropy``'s ``ignore_index``)."""


@dataclass
class ReversalTask:
    """Random examples ``letters | letters reversed``; tokens are single characters."""

    letters: str = "abcdefghij"  # the alphabet the random letters are drawn from
    length: int = 8  # how many letters come before the separator
    separator: str = "|"  # the token between the letters and their reversal

    def __post_init__(self) -> None:
        check_text(self.letters, "letters")
        if not isinstance(self.separator, str) or len(self.separator) != 1:
            raise ValueError(f"separator must be one character, got {self.separator!r}.")
        positive_int(self.length, "length (how many letters come before the separator)")
        if len(set(self.letters)) != len(self.letters) or self.separator in self.letters:
            raise ValueError(
                f"letters must be distinct and must not contain the separator "
                f"{self.separator!r}, got letters={self.letters!r}."
            )
        if not 1 <= self.length <= len(self.letters):
            raise ValueError(
                f"length must be 1..{len(self.letters)} (the letters of an example are all "
                f"different), got {self.length}."
            )

    @property
    def vocab(self) -> list[str]:
        """The tokens: every letter, then the separator (its id is ``len(letters)``)."""
        return list(self.letters) + [self.separator]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def block_size(self) -> int:
        """The model's input length: the whole example but its last letter."""
        return 2 * self.length

    def examples(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` whole examples as token ids, shape (n, 2 * length + 1)."""
        positive_int(n, "n")
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(
                f"generator must be a torch.Generator or None, got {generator!r}. For a seed, "
                f"pass torch.Generator().manual_seed({generator!r})."
            )
        noise = torch.rand(n, len(self.letters), generator=generator)  # (n, letters)
        first = noise.argsort(dim=1)[:, : self.length]  # (n, length): different letters
        separator = torch.full((n, 1), len(self.letters), dtype=torch.long)  # (n, 1)
        return torch.cat([first, separator, first.flip(1)], dim=1)  # (n, 2 * length + 1)

    def batch(
        self, n: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(idx, targets)``, both (n, 2 * length): the next token at every position, with
        :data:`IGNORE` where it is one of the random letters (nothing to learn there)."""
        seq = self.examples(n, generator)  # (n, 2L + 1)
        idx, targets = seq[:, :-1], seq[:, 1:].clone()  # (n, 2L) each
        targets[:, : self.length - 1] = IGNORE  # the random letters cannot be predicted
        return idx, targets

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, e.g. ``"cab|bac"`` (spaces are ignored)."""
        stoi = {token: i for i, token in enumerate(self.vocab)}
        check_text(text, "text")
        unknown = sorted({c for c in text.replace(" ", "") if c not in stoi})
        if unknown:
            raise ValueError(f"Unknown tokens {unknown}: use only {''.join(self.vocab)!r}.")
        return [stoi[c] for c in text.replace(" ", "")]

    def decode(self, ids) -> str:
        """The tokens of ``ids``, separated by spaces."""
        ids = as_token_ids(ids)
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must be 0..{self.vocab_size - 1}, got {bad[0]}.")
        return " ".join(self.vocab[i] for i in ids)
