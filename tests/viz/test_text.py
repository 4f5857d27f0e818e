"""Tests of viz.text: visible whitespace in token labels, texts side by side."""

from __future__ import annotations

import doctest

import pytest

from lessons_lib import SideBySide, token_label
from lessons_lib.viz import text as text_module
from lessons_lib.viz.text import VISIBLE, display_width, wrap_line

LONG = (
    "O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name; "
    "or, if thou wilt not, be but sworn my love, and I'll no longer be a Capulet."
)


def body(view: SideBySide) -> list[list[str]]:
    """The plain-text rows under the title and the rule, cut into their cells (each
    ``view.width`` wide, three characters " | " apart), with the separators checked."""
    w, n = view.width, len(view.columns)
    rows = [row.ljust(n * (w + 3)) for row in repr(view).split("\n")[2:]]
    assert all(row[i * (w + 3) - 3 : i * (w + 3)] == " | " for row in rows for i in range(1, n))
    return [[row[i * (w + 3) : i * (w + 3) + w] for i in range(n)] for row in rows]


def test_token_label_makes_whitespace_visible():
    assert token_label(" the\n") == "␣the⏎"
    assert token_label("\t") == "⇥" and set(VISIBLE) == {" ", "\n", "\t"}
    assert token_label("abc") == "abc"


def test_side_by_side_lines_up_columns_in_plain_text():
    view = SideBySide({"a": "one\ntwo", "b": "three"}, width=6)
    lines = repr(view).split("\n")
    assert lines[0] == "a      | b"
    assert lines[2] == "one    | three"
    assert lines[3] == "two    |"  # an empty cell leaves the separator


def test_a_long_line_wraps_onto_rows_and_every_character_survives():
    view = SideBySide({"model": LONG, "other": "short"}, width=20)
    rows = body(view)
    assert len(rows) == 9 and rows[0] == ["O Romeo, Romeo!     ", "short" + " " * 15]
    assert [cells[1].strip() for cells in rows[1:]] == [""] * 8
    shown = [cells[0].rstrip() for cells in rows]
    assert " ".join(shown) == LONG  # each row ends at a space, which the join puts back


def test_wrapped_columns_of_different_lengths_stay_aligned():
    columns = {"one line": "to be", "long": LONG, "two lines": "a\n" + LONG[:30]}
    view = SideBySide(columns, width=16)
    assert repr(view).split("\n")[1] == "-+-".join(["-" * 16] * 3)
    rows = body(view)  # checks that every " | " sits under the rule's "-+-"
    first, long, third = ([cells[i].rstrip() for cells in rows] for i in range(3))
    assert len(rows) == len(wrap_line(LONG, 16)) > 2  # the longest column sets the height
    assert first == ["to be"] + [""] * (len(rows) - 1)
    assert " ".join(long) == LONG
    assert third[0] == "a" and " ".join(third[1:3]) == LONG[:30].rstrip()
    assert third[3:] == [""] * (len(rows) - 3)


def test_an_empty_column_keeps_its_place():
    view = SideBySide({"a": "one\ntwo", "empty": "", "c": "three"}, width=5)
    assert repr(view).split("\n") == [
        "a     | empty | c",
        "------+-------+------",
        "one   |       | three",
        "two   |       |",
    ]


def test_newlines_are_kept_and_each_line_wraps_on_its_own():
    view = SideBySide({"a": "ab cd ef\n\ngh"}, width=5)
    assert [cells[0].rstrip() for cells in body(view)] == ["ab cd", "ef", "", "gh"]
    view = SideBySide({"a": "x\r\n\ty"}, width=5)  # a Windows line end; a tab as spaces
    assert [cells[0] for cells in body(view)] == ["x    ", "    y"]


def test_wrap_line_drops_nothing_and_breaks_after_spaces():
    assert wrap_line("to be or not", 6) == ["to be ", "or not"]
    assert wrap_line("abcdefgh", 3) == ["abc", "def", "gh"]  # no space: cut mid-word
    assert wrap_line("", 4) == [""]
    assert wrap_line("ab cd ef", 5) == ["ab cd ", "ef"]  # the break falls on a space
    assert wrap_line("ab   cd", 3) == ["ab   ", "cd"]
    assert wrap_line("    indented_word", 6) == ["    in", "dented", "_word"]
    for width in (2, 3, 7, 20):
        assert "".join(wrap_line(LONG, width)) == LONG
        assert all(display_width(row.rstrip()) <= width for row in wrap_line(LONG, width))


def test_wide_characters_count_two_columns():
    assert display_width("自注意力") == 8 and display_width("e\u0301") == 1
    assert wrap_line("自注意力机制", 5) == ["自注", "意力", "机制"]
    lines = repr(SideBySide({"中文": "大语言模型", "b": "x"}, width=6)).split("\n")
    assert lines == ["中文   | b", "-------+-------", "大语言 | x", "模型   |"]
    view = SideBySide({"a": "自注  " + "  " * 4 + "意力", "b": "x"}, width=5)
    assert repr(view).split("\n")[2:] == ["自注  | x", "意力  |"]  # wrap spaces left out


def test_the_docstring_example_holds():
    results = doctest.testmod(text_module)
    assert results.attempted >= 1 and results.failed == 0


@pytest.mark.parametrize("width", [0, 1, 4.5, True])
def test_side_by_side_refuses_a_width_too_narrow_for_a_wide_character(width):
    with pytest.raises(ValueError, match="width"):
        SideBySide({"a": "x"}, width=width)


def test_side_by_side_escapes_html():
    assert "&lt;b&gt;" in SideBySide({"x": "<b>"})._repr_html_()


@pytest.mark.parametrize(
    ("columns", "error", "message"),
    [
        ({}, ValueError, "at least one column"),
        ({"x": [1, 2]}, TypeError, "Column 'x' must be a str"),
        (["text a", "text b"], TypeError, r"columns must be a dict \{title: text\}.*got list"),
    ],
)
def test_side_by_side_rejects_bad_columns(columns, error, message):
    with pytest.raises(error, match=message):
        SideBySide(columns)


def test_token_labels_show_whitespace_and_name_the_argument_and_both_sizes():
    from lessons_lib.viz.text import token_labels

    assert token_labels("a b", 3, "tokens", (3, 3), "positions") == ["a", "␣", "b"]
    with pytest.raises(ValueError, match=r"tokens has 2 tokens but the weights have 3 positions"):
        token_labels(["a", "b"], 3, "tokens", (3, 3), "positions")
    with pytest.raises(TypeError, match=r"tokens must be a list of token strings, got NoneType"):
        token_labels(None, 3, "tokens", (3, 3), "positions")
    with pytest.raises(TypeError, match=r"got 5 at tokens\[1\]; from ids"):
        token_labels(["a", 5], 2, "tokens", (2, 2), "positions")
