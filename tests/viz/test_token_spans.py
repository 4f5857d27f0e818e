"""Tests of viz.token_spans (the coloured token spans of chapter 02)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lessons_lib import BPETokenizer, plot_token_spans
from lessons_lib.viz.token_spans import char_token_index

TEXT = "the cat sat on the mat.\nthe cat's hat. " * 6


@pytest.fixture(scope="module")
def tok() -> BPETokenizer:
    return BPETokenizer.train(TEXT, vocab_size=270)


def test_char_token_index_ascii(tok):
    ids, owners = char_token_index(tok, " the cat")
    assert tok.token_strings(ids) == [" the", " cat"]
    assert owners == [0, 0, 0, 0, 1, 1, 1, 1]


def test_char_token_index_gives_a_split_character_to_its_first_token(tok):
    ids, owners = char_token_index(tok.truncated(0), "a中b")  # 1 + 3 + 1 bytes
    assert len(ids) == 5
    assert owners == [0, 1, 4]


def _boxes(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_plot_draws_one_bordered_box_per_token(tok):
    fig = plot_token_spans(tok, TEXT[:40])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    ids = tok.encode(TEXT[:40])
    boxes = _boxes(ax)
    assert len(boxes) == len(ids)  # one line of 40 characters: no token wraps
    assert len(ax.texts) == 40  # one letter per character
    for box in boxes:
        assert box.get_linewidth() > 0 and box.get_edgecolor()[3] == 1.0  # a visible border
    assert ax.get_title(loc="left") == (
        f"14 merges: {len(ids)} tokens for 40 bytes ({len(ids) / 40:.2f} tokens per byte)"
    )
    shown = "".join(t.get_text() for t in ax.texts)
    assert shown.startswith("the␣cat␣sat") and "⏎" in shown


def test_a_box_spans_its_token(tok):
    ax = plot_token_spans(tok, " the cat").axes[0]
    assert tok.token_strings(tok.encode(" the cat")) == [" the", " cat"]
    first, second = _boxes(ax)
    assert first.get_x() < 0.5 < 3.5 < first.get_x() + first.get_width() < 4  # columns 0-3
    assert 4 < second.get_x() < 4.5 and second.get_x() + second.get_width() > 7.5


def test_neighbouring_tokens_alternate_two_colours(tok):
    ax = plot_token_spans(tok, " the cat sat on the mat").axes[0]
    colours = [box.get_facecolor() for box in _boxes(ax)]
    assert len(colours) == len(tok.encode(" the cat sat on the mat"))
    assert len(set(colours)) == 2
    assert all(a != b for a, b in zip(colours[:-1], colours[1:], strict=True))


def test_a_wrapped_token_gets_a_box_on_each_line_in_one_colour(tok):
    text = "xyzxyz the"  # " the" starts in column 6 and wraps after column 7
    assert tok.token_strings(tok.encode(text))[-1] == " the"
    ax = plot_token_spans(tok, text, width=8).axes[0]
    boxes = _boxes(ax)
    assert len(boxes) == len(tok.encode(text)) + 1
    assert boxes[-2].get_y() < 1 < boxes[-1].get_y()  # one on row 0, one on row 1
    assert boxes[-2].get_facecolor() == boxes[-1].get_facecolor()


def test_a_character_split_over_tokens_keeps_the_colours_alternating(tok):
    ax = plot_token_spans(tok.truncated(0), "aéb").axes[0]  # 4 byte tokens (é is 2), 3 drawn
    colours = [box.get_facecolor() for box in _boxes(ax)]
    assert len(colours) == 3 and colours[0] != colours[1] != colours[2]


def test_whitespace_symbols_are_grey_and_letters_black(tok):
    ax = plot_token_spans(tok, "a b\nc.").axes[0]
    colour = {t.get_text(): t.get_color() for t in ax.texts}
    assert colour["␣"] == colour["⏎"] != colour["a"] == colour["."] == "black"


def test_plot_with_fewer_merges_has_more_tokens(tok):
    title = plot_token_spans(tok, "the cat", num_merges=0).axes[0].get_title(loc="left")
    assert title == "0 merges: 7 tokens for 7 bytes (1.00 tokens per byte)"


def test_long_lines_wrap(tok):
    ax = plot_token_spans(tok, "a" * 30, width=10).axes[0]
    assert ax.get_ylim() == (3, 0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text": ""}, ValueError, "non-empty str"),
        ({"text": 5}, ValueError, "non-empty str"),
        ({"width": 3}, ValueError, "width must be an int of at least 8"),
        ({"num_merges": 99}, ValueError, "num_merges must be an int from 0 to 14"),
    ],
)
def test_bad_input(tok, kwargs, error, message):
    args = {"text": "the cat", **kwargs}
    with pytest.raises(error, match=message):
        plot_token_spans(tok, **args)


def test_needs_a_bpe_tokenizer():
    with pytest.raises(TypeError, match="must be a BPETokenizer, got str"):
        plot_token_spans("tok", "text")
