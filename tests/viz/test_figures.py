"""Tests of viz.figures: token labels, pyplot-free figures, the probability heatmap."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib import plot_probability_table, token_label
from lessons_lib.viz.figures import new_figure


@pytest.mark.parametrize(
    ("token", "label"),
    [(" ", "␣"), ("\n", "⏎"), ("\t", "⇥"), ("a b\n", "a␣b⏎"), ("abc", "abc"), ("", "")],
)
def test_token_label(token, label):
    assert token_label(token) == label


def test_new_figure_is_pyplot_free():
    before = plt.get_fignums()
    fig, ax = new_figure()
    assert isinstance(fig, Figure)
    assert ax.figure is fig
    assert plt.get_fignums() == before


def test_new_figure_grid_and_size():
    fig, axes = new_figure(2, 3, figsize=(6.0, 4.0))
    assert axes.shape == (2, 3)
    assert tuple(fig.get_size_inches()) == (6.0, 4.0)


def _probs(vocab_size: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(vocab_size, vocab_size, generator=g), dim=1)


def _image_data(fig: Figure) -> np.ndarray:
    return np.asarray(fig.axes[0].get_images()[0].get_array())


def test_probability_table_is_a_figure_of_the_table():
    rc_before = dict(mpl.rcParams)
    before = plt.get_fignums()
    probs = _probs(3)
    fig = plot_probability_table(probs, ["a", " ", "\n"], title="Bigram")
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # nothing registered with pyplot, nothing shown
    assert dict(mpl.rcParams) == rc_before  # no global settings changed
    ax = fig.axes[0]
    assert ax.get_title() == "Bigram"
    np.testing.assert_allclose(_image_data(fig), probs.numpy(), rtol=1e-6)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "␣", "⏎"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "␣", "⏎"]
    assert ax.get_xlabel() == "next token" and ax.get_ylabel() == "current token"


def test_probability_table_keeps_the_most_probable_tokens_in_order():
    # column masses: token 3 > token 0 > token 5 > others
    probs = torch.full((6, 6), 0.01)
    probs[:, 3], probs[:, 0], probs[:, 5] = 0.5, 0.3, 0.16
    fig = plot_probability_table(probs, list("abcdef"), max_tokens=3)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "d", "f"]
    keep = torch.tensor([0, 3, 5])
    np.testing.assert_allclose(_image_data(fig), probs[keep][:, keep].numpy())


def test_probability_table_ranks_by_counts_when_given():
    # column masses favour d, a, f; the counts say c, e and b are the commonest tokens
    probs = torch.full((6, 6), 0.01)
    probs[:, 3], probs[:, 0], probs[:, 5] = 0.5, 0.3, 0.16
    counts = torch.tensor([1, 50, 90, 2, 70, 3])
    fig = plot_probability_table(probs, list("abcdef"), max_tokens=3, counts=counts)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "c", "e"]  # vocabulary order
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "e"]
    keep = torch.tensor([1, 2, 4])
    np.testing.assert_allclose(_image_data(fig), probs[keep][:, keep].numpy())


def test_probability_table_ranks_by_row_sums_of_bigram_counts():
    # the chapter 01 call: unigram counts are the row sums of the bigram count table
    bigram_counts = torch.tensor([[0, 1, 0], [5, 0, 4], [1, 1, 0]])
    probs = (bigram_counts + 1) / (bigram_counts + 1).sum(dim=1, keepdim=True)
    fig = plot_probability_table(
        probs, ["a", " ", "!"], max_tokens=2, counts=bigram_counts.sum(dim=1)
    )
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["␣", "!"]


def test_probability_table_counts_accept_a_list():
    fig = plot_probability_table(_probs(3), list("xyz"), max_tokens=1, counts=[3, 9, 1])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["y"]


def test_probability_table_labels_are_monospace_and_whitespace_is_visible():
    fig = plot_probability_table(_probs(4), ["\n", " ", ",", "a"])
    ax = fig.axes[0]
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        assert [t.get_text() for t in ticks] == ["⏎", "␣", ",", "a"]
        assert all("monospace" in t.get_fontfamily() for t in ticks)
        sizes = {t.get_text(): t.get_fontsize() for t in ticks}
        assert sizes["⏎"] > sizes[","] and sizes["␣"] > sizes["a"]  # small glyphs drawn larger


@pytest.mark.parametrize("shape", [(2,), (3, 3), (1, 3)])
def test_probability_table_counts_must_be_one_per_token(shape):
    with pytest.raises(ValueError, match=r"counts must hold one count per token, shape \(3,\)"):
        plot_probability_table(_probs(3), list("abc"), counts=torch.ones(shape))


def test_probability_table_accepts_nested_lists():
    fig = plot_probability_table([[0.5, 0.5], [1.0, 0.0]], ["x", "y"])
    assert _image_data(fig).shape == (2, 2)


@pytest.mark.parametrize("shape", [(2, 3), (4,), (2, 2, 2)])
def test_probability_table_must_be_square(shape):
    with pytest.raises(ValueError, match=r"probs must be a square \(V, V\) table, got"):
        plot_probability_table(torch.ones(shape), ["a", "b"])


def test_probability_table_label_count_must_match():
    with pytest.raises(ValueError, match="Got 2 token labels for a 3-token table"):
        plot_probability_table(_probs(3), ["a", "b"])
    with pytest.raises(TypeError, match="tokens must be the table's tokens as strings.*None"):
        plot_probability_table(_probs(3), None)
    with pytest.raises(TypeError, match=r"tokens must be .* got \[0, 1, 2\]"):
        plot_probability_table(_probs(3), [0, 1, 2])  # ids, not tokens
    for size in (0, "40"):
        with pytest.raises(ValueError, match=f"max_tokens must be a positive int, got {size!r}"):
            plot_probability_table(_probs(3), list("abc"), max_tokens=size)
