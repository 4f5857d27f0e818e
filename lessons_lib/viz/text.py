"""Text as a learner reads it: visible whitespace in token labels (chapter 01) and texts side
by side, e.g. samples from two models (chapter 06)."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence

from .._checks import positive_int

VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥"}
"""How whitespace is drawn in token labels, so that a space token is not an empty box."""


def token_label(token: str) -> str:
    """A printable label for a token: a space becomes ␣, a newline ⏎ and a tab ⇥."""
    return "".join(VISIBLE.get(c, c) for c in token)


def token_labels(tokens, size: int, name: str, shape: tuple[int, ...], axis: str) -> list[str]:
    """Printable labels for ``tokens`` (a list of strings, or a string: one per character),
    exactly ``size`` of them; else an error that names ``name`` and both sizes."""
    tokens = list(tokens) if isinstance(tokens, str) else tokens
    if not isinstance(tokens, Sequence):
        raise TypeError(f"{name} must be a list of token strings, got {type(tokens).__name__}.")
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise TypeError(
                f"{name} must be a list of token strings, got {token!r:.30} at {name}[{i}]; "
                "from ids: [tokenizer.decode([i]) for i in ids]."
            )
    if len(tokens) != size:
        raise ValueError(
            f"{name} has {len(tokens)} tokens but the weights have {size} {axis} (shape "
            f"{shape}): pass exactly {size} tokens, one per position."
        )
    return [token_label(t) for t in tokens]


class SideBySide:
    """Columns of text under their titles: an HTML table in the notebook, plain text elsewhere.

    ``L.SideBySide({"trained here": text_a, "checkpoint": text_b})`` as a cell's last line.
    In plain text each column is ``width`` characters wide (a Chinese character counts two)
    and a longer line wraps onto the next rows, after a space where it can, so every
    character is shown and the columns stay aligned. A title stays whole on the first line.

    >>> print(repr(SideBySide({"a": "to be or not", "b": "x"}, width=6)))
    a      | b
    -------+-------
    to be  | x
    or not |
    """

    def __init__(self, columns: dict[str, str], width: int = 46):
        if not isinstance(columns, Mapping):
            raise TypeError(
                "columns must be a dict {title: text}, e.g. {'trained': text_a, 'shipped': "
                f"text_b}}; got {type(columns).__name__}."
            )
        if not columns:
            raise ValueError("Give at least one column, e.g. {'trained': text}.")
        for title, text in columns.items():
            if not isinstance(text, str):
                raise TypeError(
                    f"Column {title!r} must be a str (decode the ids first), "
                    f"got {type(text).__name__}."
                )
        self.columns = dict(columns)
        self.width = positive_int(width, "width (characters per column)", minimum=2)

    def _repr_html_(self) -> str:
        cell = "vertical-align:top; text-align:left; padding:4px 12px"
        heads = "".join(f'<th style="{cell}">{html.escape(t)}</th>' for t in self.columns)
        texts = "".join(
            f'<td style="{cell}"><pre style="white-space:pre-wrap; margin:0">'
            f"{html.escape(text)}</pre></td>"
            for text in self.columns.values()
        )
        return f"<table><tr>{heads}</tr><tr>{texts}</tr></table>"

    def __repr__(self) -> str:
        """The columns next to each other, long lines wrapped at ``width`` characters."""
        w = self.width
        columns = [
            [row for line in _lines(text) for row in wrap_line(line, w)]
            for text in self.columns.values()
        ]
        rows = max(len(column) for column in columns)
        out = [" | ".join(_pad(t, w) for t in self.columns).rstrip()]
        out.append("-+-".join("-" * w for _ in self.columns))
        for i in range(rows):
            cells = [_pad(column[i] if i < len(column) else "", w) for column in columns]
            out.append(" | ".join(cells).rstrip())
        return "\n".join(out)


def display_width(text: str) -> int:
    """The columns ``text`` takes in a monospaced font: 2 for a wide (e.g. Chinese) character,
    0 for a combining mark, 1 for the rest."""
    return sum(_char_width(c) for c in text)


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` cut into rows of at most ``width`` display columns, nothing dropped:
    ``"".join(wrap_line(line, width)) == line``. A row ends after a space where it can (the
    spaces where a row breaks stay at its end and may pass ``width``, as they do in an
    editor), else mid-word. ``wrap_line("to be or not", 6) == ["to be ", "or not"]``."""
    positive_int(width, "width", minimum=2)  # a wide character needs two columns
    rows = []
    while display_width(line.rstrip(" ")) > width:
        fits, used = 0, 0  # characters that fit in the row, and the columns they take
        while used + _char_width(line[fits]) <= width:
            used += _char_width(line[fits])
            fits += 1
        cut = line.rfind(" ", 0, fits + 1) + 1  # after the last space at or before the edge
        if cut == 0 or not line[:cut].strip():  # no space, or only the indent: cut the word
            cut = fits
        while cut < len(line) and line[cut] == " ":  # the next row starts with a letter
            cut += 1
        rows.append(line[:cut])
        line = line[cut:]
    rows.append(line)
    return rows


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns. Spaces past ``width`` at its
    end (where a row wrapped) are left out; a longer title is kept whole."""
    if display_width(text) > width:
        text = text.rstrip(" ")
    return text + " " * max(0, width - display_width(text))


def _lines(text: str) -> list[str]:
    """The text's lines as a terminal shows them: a tab becomes spaces (to the next multiple of
    4), a Windows line end counts as one newline."""
    return [line.expandtabs(4) for line in text.replace("\r\n", "\n").split("\n")]
