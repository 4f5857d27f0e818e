"""The course's own chapters with their hand-written summaries: a summarization test set
(chapter 08).

``chapter_summaries.json``, next to this module, holds for chapters 01-07 and 10 the prose of
the chapter (``body``, plain text) and the ``## Summary`` its author wrote at the end
(``summary``): a reference to score extractive summaries against with ROUGE.
``python -m lessons_lib summaries`` makes it from the notebooks
(:mod:`lessons_lib.tools.chapter_summaries`); a test fails when the two drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._checks import path_like

SUMMARIES_FILE = Path(__file__).with_name("chapter_summaries.json")


def chapter_summaries(path: str | Path | None = None) -> list[dict]:
    """One dict per chapter: ``chapter`` ("01"), ``notebook``, ``title``, ``body`` and
    ``summary`` (paragraphs and list items separated by blank lines).

    >>> [c["chapter"] for c in chapter_summaries()][:3]
    ['01', '02', '03']
    """
    path = SUMMARIES_FILE if path is None else path_like(path, "path")
    if not path.is_file():
        raise FileNotFoundError(
            f"No chapter summaries at {path}. Make them from the notebooks: "
            "python -m lessons_lib summaries"
        )
    return json.loads(path.read_text(encoding="utf-8"))["chapters"]
