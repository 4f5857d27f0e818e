"""``python -m lessons_lib summaries``: what a chapter's body and summary are, and the shipped
JSON kept in step with the notebooks."""

import json
import shutil

import pytest

from lessons_lib.data.chapter_summaries import SUMMARIES_FILE, chapter_summaries
from lessons_lib.tools.chapter_summaries import (
    chapter_notebooks,
    extract_chapter,
    extract_summaries,
    main,
    sections,
    summaries_json,
)
from lessons_lib.tools.notebooks import NOTEBOOK_DIR


def notebook(*cells: tuple[str, str]) -> dict:
    return {"cells": [{"cell_type": kind, "source": text} for kind, text in cells]}


CHAPTER = notebook(
    (
        "markdown",
        "# 04 · Softmax and sampling\n\n[![Open In Colab](https://x/b.svg)](https://x)\n\n"
        "You will build a **sampler**. It is fun.\n\n**Learning objectives**\n- Learn it.\n\n"
        "**Prerequisites:** chapter 03.\n**Time:** about 45 minutes.",
    ),
    ("code", "import lessons_lib as L  # code is not prose"),
    (
        "markdown",
        "## 1 · Scores\n\nScores become probabilities.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    ),
    ("markdown", "## Exercise 1 · A softmax\n\nWrite `softmax(x)`.\n\n### Hint\n\nSubtract."),
    ("code", "def softmax(x): ..."),
    ("markdown", "### Temperature\n\nDivide the scores first.\n\n```python\nx / T\n```"),
    (
        "markdown",
        "## Summary\n\n- **Softmax** makes probabilities.\n- Temperature divides.\n\n"
        "## Glossary (English · 中文)\n\n| a | b |\n|---|---|\n\n## Next\n\nChapter 05.",
    ),  # fmt: skip
    ("markdown", "Anything after the summary is left out."),
)


def test_sections_cut_a_cell_at_its_headings_but_not_inside_code():
    cell = "before\n## One\na\n```\n# a comment, not a heading\n```\n#### Two\nb"
    assert sections(cell) == [
        ("", 0, "before"),
        ("One", 2, "a\n```\n# a comment, not a heading\n```"),
        ("Two", 4, "b"),
    ]


def test_a_chapter_is_its_prose_and_its_summary():
    chapter = extract_chapter(CHAPTER, "04_softmax_and_sampling.ipynb")
    assert chapter == {
        "chapter": "04",
        "notebook": "04_softmax_and_sampling.ipynb",
        "title": "Softmax and sampling",
        "body": "You will build a sampler. It is fun.\n\nScores become probabilities.\n\n"
        "Divide the scores first.",  # no badges, objectives, exercise (with its hint) or code
        "summary": "Softmax makes probabilities.\n\nTemperature divides.",
    }


def test_a_notebook_without_a_title_or_a_summary_is_refused():
    with pytest.raises(ValueError, match="'# NN · Title'"):
        extract_chapter(notebook(("markdown", "no title")), "x.ipynb")
    with pytest.raises(ValueError, match="x.ipynb has no '## Summary'"):
        extract_chapter(notebook(("markdown", "# 01 · A title\n\nText.")), "x.ipynb")


def test_chapters_00_and_08_and_those_without_a_summary_are_left_out(tmp_path):
    summary = notebook(("markdown", "# 00 · Title\n\nText."), ("markdown", "## Summary\n\n- A."))
    plain = notebook(("markdown", "# 09 · Title\n\nNo summary yet."))
    for name, nb in [("00_w", summary), ("01_a", summary), ("08_b", summary), ("09_c", plain)]:
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb))
    assert [p.name for p in chapter_notebooks(tmp_path)] == ["01_a.ipynb"]
    assert [p.name[:2] for p in chapter_notebooks()] == [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "10",
    ]


def test_the_shipped_json_is_in_step_with_the_notebooks():
    chapters = extract_summaries()
    assert chapters == chapter_summaries(), "run: python -m lessons_lib summaries"
    assert SUMMARIES_FILE.read_text(encoding="utf-8") == summaries_json(chapters) + "\n"


def test_check_sees_an_edited_summary(tmp_path, capsys):
    assert main(["--check"]) == 0
    assert "in step" in capsys.readouterr().out
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, folder, ignore=shutil.ignore_patterns(".*"))
    path = folder / "04_softmax_and_sampling.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "## Summary" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("## Summary\n", "## Summary\n\n- New.\n")
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert main(["--check", "--notebooks", str(folder)]) == 1
    assert "OUT OF STEP" in capsys.readouterr().out
    out = tmp_path / "summaries.json"
    assert main(["--notebooks", str(folder), "--out", str(out)]) == 0
    assert "wrote 8 chapters (01, 02, 03, 04, 05, 06, 07, 10)" in capsys.readouterr().out
    edited = next(c for c in chapter_summaries(out) if c["chapter"] == "04")
    assert edited["summary"].startswith("New.\n\n")


@pytest.mark.parametrize("folder", ["a typo", "empty"])
def test_a_wrong_notebooks_folder_never_overwrites_the_data(tmp_path, capsys, folder):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "summaries.json"
    out.write_text("good data", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["--notebooks", str(tmp_path / folder), "--out", str(out)])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert f"--notebooks {tmp_path / folder}" in message
    assert ("no such folder" if folder == "a typo" else "left as it was") in message
    assert out.read_text(encoding="utf-8") == "good data"
