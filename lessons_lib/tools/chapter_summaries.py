"""The course's chapters as a summarization test set: ``python -m lessons_lib summaries``
(chapter 08).

Every chapter ends with a ``## Summary`` written by hand: a reference summary of the prose
above it. This command reads the chapter notebooks and writes
``lessons_lib/data/chapter_summaries.json`` (read it with
:func:`lessons_lib.data.chapter_summaries.chapter_summaries`). Per chapter:

- ``chapter``, ``notebook`` and ``title``, from the ``# NN · Title`` heading;
- ``body``: the prose of the markdown cells before the Summary, as plain text, one paragraph
  or list item per line pair. Left out: code cells; the title cell's badges, learning
  objectives, prerequisites and time; section headings; exercise sections (instructions to
  the learner, from their heading to the end of their cell); and whatever
  :func:`lessons_lib.apps.sentences.markdown_blocks` drops (tables, code, display math, HTML);
- ``summary``: the Summary section's text, made plain the same way.

Chapters 00 (no summary: the welcome), 08 (it is about summarizing; its own summary would
grade the summarizer on its description) and 09 (written after chapter 08's scores were
measured on the other eight; adding it would change them) are left out.

    python -m lessons_lib summaries            # write the JSON from notebooks/
    python -m lessons_lib summaries --check    # exit 1 if the JSON is out of step
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from ..apps.sentences import markdown_blocks
from ..data.chapter_summaries import SUMMARIES_FILE
from ..training.checkpoint_files import atomic_write
from .notebooks import NOTEBOOK_DIR

EXCLUDED = ("00", "08", "09")  # the welcome; the chapter that summarizes; one written after
MADE_BY = "python -m lessons_lib summaries: the chapter notebooks' prose and their summaries"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_LEFT_OUT = re.compile(r"(Exercise|Summary|Glossary|Next)\b", re.I)  # sections not in a body
_BOILERPLATE = re.compile(r"\s*(\[!\[|\*\*(Learning objectives|Prerequisites|Time)\b)", re.I)
_TITLE = re.compile(r"#\s+(\d\d)\s*·\s*(.+)")


def markdown_cells(notebook: dict) -> list[str]:
    """The text of each markdown cell, in order."""
    return [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    ]


def sections(cell: str) -> list[tuple[str, int, str]]:
    """A cell cut at its headings: (heading text, level, text below it) for each; text above
    the first heading comes with heading ``""`` and level 0. Lines in code fences are text.

    >>> sections("intro\\n## One\\na\\n### Two\\nb")
    [('', 0, 'intro'), ('One', 2, 'a'), ('Two', 3, 'b')]
    """
    found: list[tuple[str, int, list[str]]] = [("", 0, [])]
    fenced = False
    for line in cell.split("\n"):
        fenced ^= line.lstrip().startswith(("```", "~~~"))
        heading = None if fenced else _HEADING.match(line)
        if heading:
            found.append((heading.group(2), len(heading.group(1)), []))
        else:
            found[-1][2].append(line)
    return [(h, level, "\n".join(lines).strip("\n")) for h, level, lines in found]


def _prose(text: str) -> list[str]:
    paragraphs = re.split(r"\n\s*\n", text)
    kept = "\n\n".join(p for p in paragraphs if not _BOILERPLATE.match(p))
    return markdown_blocks(kept)


def extract_chapter(notebook: dict, name: str) -> dict:
    """One chapter's number, title, body and reference summary (see the module's docstring).
    ``name`` is the notebook's file name."""
    cells = markdown_cells(notebook)
    title = _TITLE.match(cells[0].lstrip()) if cells else None
    if title is None:
        raise ValueError(f"{name}: the first cell must start with '# NN · Title'.")
    body: list[str] = []
    summary: list[str] | None = None
    for cell in cells:
        skip_level = None  # inside a left-out section of this level
        for heading, level, text in sections(cell):
            if skip_level is not None and level and level <= skip_level:
                skip_level = None
            if heading == "Summary" and summary is None:
                summary = _prose(text)
                break
            if _LEFT_OUT.match(heading):
                skip_level = level
            if skip_level is None:
                body += _prose(text)
        if summary is not None:
            break
    if not summary:
        raise ValueError(f"{name} has no '## Summary' markdown cell with text below it.")
    return {
        "chapter": title.group(1),
        "notebook": name,
        "title": title.group(2).strip(),
        "body": "\n\n".join(body),
        "summary": "\n\n".join(summary),
    }


def chapter_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The chapter notebooks with a Summary, in order, without chapters 00 and 08."""
    return [
        path
        for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
        if path.name[:2] not in EXCLUDED
        and any(
            re.search(r"^## Summary\s*$", cell, re.M)
            for cell in markdown_cells(json.loads(path.read_text(encoding="utf-8")))
        )
    ]


def extract_summaries(folder: Path = NOTEBOOK_DIR) -> list[dict]:
    """:func:`extract_chapter` for every notebook of :func:`chapter_notebooks`."""
    return [
        extract_chapter(json.loads(path.read_text(encoding="utf-8")), path.name)
        for path in chapter_notebooks(folder)
    ]


def summaries_json(chapters: list[dict]) -> str:
    """The file's text: the same chapters always give the same bytes."""
    return json.dumps({"made_by": MADE_BY, "chapters": chapters}, ensure_ascii=False, indent=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib summaries",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, help="notebook folder")
    parser.add_argument("--out", type=Path, default=SUMMARIES_FILE, help="the JSON to write")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if --out is out of step"
    )
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        parser.error(
            f"--notebooks {args.notebooks}: no such folder (the chapters are in notebooks/)"
        )
    chapters = extract_summaries(args.notebooks)
    if not chapters:  # never replace good data with nothing
        parser.error(
            f"--notebooks {args.notebooks}: no chapter notebook with a '## Summary' cell there "
            f"(NN_name.ipynb); {args.out} is left as it was"
        )
    text = summaries_json(chapters) + "\n"
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        fix = "in step" if same else "OUT OF STEP: run python -m lessons_lib summaries"
        print(f"{args.out}: {fix}")
        return 0 if same else 1
    atomic_write(args.out, text)
    numbers = ", ".join(c["chapter"] for c in chapters)
    print(f"wrote {len(chapters)} chapters ({numbers}) to {args.out}")
    return 0
