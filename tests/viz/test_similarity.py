"""Tests of viz.similarity: the cosine-similarity heatmap of sentence embeddings."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib.viz.similarity import plot_similarity_matrix

SENTENCES = ["A cat sat on the mat.", "A kitten rested on the rug.", "Stocks fell sharply today."]
SIMILARITY = torch.tensor([[1.0, 0.71, 0.05], [0.71, 1.0, 0.123], [0.05, 0.123, 1.0]])


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def test_a_figure_of_the_matrix_with_a_colour_bar():
    fig = plot_similarity_matrix(SIMILARITY, SENTENCES, title="three sentences")
    assert isinstance(fig, Figure)
    ax, bar = fig.axes
    image = ax.get_images()[0]
    np.testing.assert_allclose(np.asarray(image.get_array()), SIMILARITY.numpy(), rtol=1e-6)
    assert image.get_clim() == (0.0, 1.0)  # colours from 0 to 1, whatever the data
    assert ax.get_title() == "three sentences"
    assert bar.get_ylabel() == "cosine similarity"
    assert plot_similarity_matrix(SIMILARITY, SENTENCES).axes[0].get_title() == (
        "Cosine similarity of sentence embeddings"
    )


def test_rows_are_numbered_labels_and_columns_refer_to_them():
    ax = plot_similarity_matrix(SIMILARITY, SENTENCES).axes[0]
    assert _ticks(ax.get_yticklabels()) == [f"{i}  {s}" for i, s in enumerate(SENTENCES)]
    assert _ticks(ax.get_xticklabels()) == ["0", "1", "2"]


def test_every_cell_writes_its_value_in_readable_ink():
    ax = plot_similarity_matrix(SIMILARITY, SENTENCES).axes[0]
    assert len(ax.texts) == 3 * 3
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert cells[(0, 1)].get_text() == "0.71" and cells[(1, 2)].get_text() == "0.12"
    assert cells[(2, 2)].get_text() == "1.00" and cells[(2, 0)].get_text() == "0.05"
    assert mpl.colors.to_hex(cells[(0, 0)].get_color()) == "#ffffff"  # on a dark cell
    assert mpl.colors.to_hex(cells[(0, 2)].get_color()) == "#000000"  # on a light cell


@pytest.mark.parametrize("N", [1, 5, 12])
def test_n_by_n_cells_for_any_n(N):
    g = torch.Generator().manual_seed(N)
    vectors = torch.nn.functional.normalize(torch.randn(N, 8, generator=g), dim=1)
    similarity = vectors @ vectors.T
    ax = plot_similarity_matrix(similarity, [f"sentence {i}" for i in range(N)]).axes[0]
    assert len(ax.texts) == N * N
    written = sorted(t.get_text() for t in ax.texts)
    assert written == sorted(f"{v:.2f}" for v in similarity.flatten().tolist())


def test_a_matrix_may_come_as_a_list_or_a_tensor_that_needs_grad():
    fig = plot_similarity_matrix([[1.0, 0.5], [0.5, 1.0]], ["a", "b"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["1.00", "0.50", "0.50", "1.00"]
    grad = torch.eye(2, requires_grad=True)
    assert len(plot_similarity_matrix(grad, ["a", "b"]).axes[0].texts) == 4


def test_long_labels_are_cut_with_an_ellipsis():
    long = "Attention is all you need, they said; then came the long nights of debugging."
    exact = "x" * 46  # exactly max_label characters: kept whole
    ax = plot_similarity_matrix(torch.eye(3), [long, exact, "short"]).axes[0]
    labels = _ticks(ax.get_yticklabels())
    assert labels[0] == "0  " + long[:45] + "…"
    assert len(labels[0].removeprefix("0  ")) == 46
    assert labels[1] == "1  " + exact and labels[2] == "2  short"
    ax = plot_similarity_matrix(torch.eye(3), [long, exact, "short"], max_label=10).axes[0]
    assert _ticks(ax.get_yticklabels()) == ["0  Attention…", "1  xxxxxxxxx…", "2  short"]


def test_vmax_sets_the_darkest_colour():
    ax = plot_similarity_matrix(torch.eye(2) * 0.5, ["a", "b"], vmax=0.5).axes[0]
    assert ax.images[0].get_clim() == (0.0, 0.5)
    assert [t.get_color() for t in ax.texts][0] == "white"  # 0.5 is the darkest now


@pytest.mark.parametrize(
    ("similarity", "message"),
    [
        (torch.ones(2, 3), r"similarity must be a square \(N, N\) matrix, got \(2, 3\)\."),
        (torch.ones(4), r"similarity must be a square \(N, N\) matrix, got \(4,\)\."),
        (torch.ones(2, 2, 2), r"got \(2, 2, 2\)"),
    ],
)
def test_a_matrix_that_is_not_square_is_refused(similarity, message):
    with pytest.raises(ValueError, match=message):
        plot_similarity_matrix(similarity, ["a", "b"])


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a", "b"], r"Pass one label per row: the matrix is 3 x 3, got 2\."),
        (["a", "b", "c", "d"], r"the matrix is 3 x 3, got 4\."),
        ("abc", r"the matrix is 3 x 3, got 1\."),  # one string is one label, not three
    ],
)
def test_the_wrong_number_of_labels_is_refused(labels, message):
    with pytest.raises(ValueError, match=message):
        plot_similarity_matrix(torch.eye(3), labels)


def test_labels_of_the_wrong_kind_and_bad_sizes_get_clear_errors():
    with pytest.raises(TypeError, match="labels must be a list of strings, one per row, got None"):
        plot_similarity_matrix(torch.eye(2), None)
    with pytest.raises(TypeError, match=r"labels must be a list of strings.*got \[1, 2\]"):
        plot_similarity_matrix(torch.eye(2), [1, 2])
    with pytest.raises(ValueError, match="max_label must be an int >= 2, got 0"):
        plot_similarity_matrix(torch.eye(2), ["a", "b"], max_label=0)
    with pytest.raises(ValueError, match="vmax must be > 0, got 0"):
        plot_similarity_matrix(torch.eye(2), ["a", "b"], vmax=0)
    with pytest.raises(TypeError, match="vmax must be a number, got '0.5'"):
        plot_similarity_matrix(torch.eye(2), ["a", "b"], vmax="0.5")
