"""Text as a learner reads it: visible whitespace in token labels (chapter 01) and texts side
by side, e.g. samples from two models (chapter 06)."""

from __future__ import annotations

import html

VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥"}
"""How whitespace is drawn in token labels, so that a space token is not an empty box."""


def token_label(token: str) -> str:
    """A printable label for a token: a space becomes ␣, a newline ⏎ and a tab ⇥."""
    return "".join(VISIBLE.get(c, c) for c in token)


class SideBySide:
    """Columns of text under their titles: an HTML table in the notebook, plain text elsewhere.

    ``L.SideBySide({"trained here": text_a, "checkpoint": text_b})`` as a cell's last line.
    """

    def __init__(self, columns: dict[str, str], width: int = 46):
        if not columns:
            raise ValueError("Give at least one column, e.g. {'trained': text}.")
        for title, text in columns.items():
            if not isinstance(text, str):
                raise TypeError(
                    f"Column {title!r} must be a str (decode the ids first), "
                    f"got {type(text).__name__}."
                )
        self.columns = dict(columns)
        self.width = width

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
        """The columns next to each other, each line of text cut to ``width`` characters."""
        w = self.width
        split = [text.split("\n") for text in self.columns.values()]
        rows = max(len(lines) for lines in split)
        out = [" | ".join(t.ljust(w) for t in self.columns).rstrip()]
        out.append("-+-".join("-" * w for _ in self.columns))
        for i in range(rows):
            cells = [(lines[i] if i < len(lines) else "")[:w].ljust(w) for lines in split]
            out.append(" | ".join(cells).rstrip())
        return "\n".join(out)
