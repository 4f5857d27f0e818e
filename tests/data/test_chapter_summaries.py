"""The shipped chapter summaries: every chapter with a summary, plain prose, a clear error."""

import json

import pytest

from lessons_lib.apps.sentences import split_sentences
from lessons_lib.data.chapter_summaries import SUMMARIES_FILE, chapter_summaries


def test_every_chapter_with_a_summary_is_there_in_order():
    chapters = chapter_summaries()
    assert [c["chapter"] for c in chapters] == ["01", "02", "03", "04", "05", "06", "07", "10"]
    for c in chapters:
        assert set(c) == {"chapter", "notebook", "title", "body", "summary"}
        assert c["notebook"].startswith(c["chapter"] + "_") and c["title"]
        body, summary = split_sentences(c["body"]), split_sentences(c["summary"])
        assert len(body) >= 8 * len(summary) >= 40, c["chapter"]  # much to summarize
        assert not set(summary) & set(body), "the summary is not part of the body"


def test_the_body_is_prose_without_code_tables_or_exercises():
    for c in chapter_summaries():
        for marker in ("```", "|---", "## ", "Write `", "colab.research.google.com", "$$"):
            assert marker not in c["body"], (c["chapter"], marker)
        assert "Learning objectives" not in c["body"] and "Glossary" not in c["summary"]


def test_each_call_gives_a_fresh_copy():
    chapter_summaries()[0]["body"] = "changed"
    assert chapter_summaries()[0]["body"] != "changed"


def test_another_file_and_a_missing_one(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"made_by": "me", "chapters": [{"chapter": "99"}]}))
    assert chapter_summaries(path) == [{"chapter": "99"}]
    with pytest.raises(FileNotFoundError, match="python -m lessons_lib summaries"):
        chapter_summaries(tmp_path / "nothing.json")
    assert SUMMARIES_FILE.name == "chapter_summaries.json"


def test_the_path_must_be_a_path():
    with pytest.raises(TypeError, match="path must be a path"):
        chapter_summaries(42)
