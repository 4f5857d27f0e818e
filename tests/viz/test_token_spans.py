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


def test_plot_draws_one_box_per_character(tok):
    fig = plot_token_spans(tok, TEXT[:40])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == len(ax.texts) == 40
    ids = tok.encode(TEXT[:40])
    assert ax.get_title(loc="left") == (
        f"14 merges: {len(ids)} tokens for 40 bytes ({len(ids) / 40:.2f} tokens per byte)"
    )
    shown = "".join(t.get_text() for t in ax.texts)
    assert shown.startswith("the␣cat␣sat") and "⏎" in shown


def test_plot_with_fewer_merges_has_more_tokens(tok):
    title = plot_token_spans(tok, "the cat", num_merges=0).axes[0].get_title(loc="left")
    assert title == "0 merges: 7 tokens for 7 bytes (1.00 tokens per byte)"


def test_neighbouring_tokens_have_different_colours(tok):
    ax = plot_token_spans(tok, " the cat sat").axes[0]
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[0] == colours[3] and colours[3] != colours[4]  # " the" | " cat"


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
