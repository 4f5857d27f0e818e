"""Tests of viz.text: visible whitespace in token labels, texts side by side."""

from __future__ import annotations

import pytest

from lessons_lib import SideBySide, token_label
from lessons_lib.viz.text import VISIBLE


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


def test_side_by_side_escapes_html():
    assert "&lt;b&gt;" in SideBySide({"x": "<b>"})._repr_html_()


@pytest.mark.parametrize(("columns", "error"), [({}, ValueError), ({"x": [1, 2]}, TypeError)])
def test_side_by_side_rejects_bad_columns(columns, error):
    with pytest.raises(error):
        SideBySide(columns)
