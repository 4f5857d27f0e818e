"""Tests of viz.head_scores: one (layers, heads) heatmap per job, each score written."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib.viz.head_scores import plot_head_scores


def _scores(n_layer: int = 3, n_head: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.rand(n_layer, n_head, generator=torch.Generator().manual_seed(seed))


def _cells(ax) -> dict[tuple[int, int], str]:
    """(layer, head) -> the text written in that cell."""
    return {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }


def _panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def test_one_panel_per_job_and_one_colour_bar():
    jobs = {"one token back": _scores(seed=0), "the first token": _scores(seed=1)}
    fig = plot_head_scores(jobs, title="which head does which job")
    assert isinstance(fig, Figure)
    panels = _panels(fig)
    assert len(panels) == 2 and len(fig.axes) == 3  # two panels + the colour bar
    assert [ax.get_title() for ax in panels] == [
        "weight on one token back",
        "weight on the first token",
    ]
    assert fig.axes[-1].get_ylabel() == "average attention weight"
    assert fig.get_suptitle() == "which head does which job"
    for ax, scores in zip(panels, jobs.values(), strict=True):
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("head", "layer")
        image = ax.get_images()[0]
        np.testing.assert_allclose(np.asarray(image.get_array()), scores.numpy(), rtol=1e-6)
        assert image.get_clim() == (0.0, 1.0)  # every panel on the same scale
        assert list(ax.get_xticks()) == [0, 1, 2, 3] and list(ax.get_yticks()) == [0, 1, 2]


def test_one_job_alone_and_no_title():
    fig = plot_head_scores({"previous": _scores(2, 6)})
    assert len(_panels(fig)) == 1 and len(fig.axes) == 2
    assert fig.get_suptitle() == ""
    assert len(_panels(fig)[0].texts) == 2 * 6


@pytest.mark.parametrize(("n_layer", "n_head"), [(1, 1), (3, 4), (12, 12)])
def test_n_layer_times_n_head_texts_per_panel(n_layer, n_head):
    jobs = {f"job {j}": _scores(n_layer, n_head, seed=j) for j in range(3)}
    fig = plot_head_scores(jobs)
    for ax in _panels(fig):
        assert len(ax.texts) == n_layer * n_head
        assert set(_cells(ax)) == {(i, h) for i in range(n_layer) for h in range(n_head)}


def test_the_values_written_are_the_scores_by_hand():
    scores = torch.tensor([[0.0, 0.05, 0.5], [0.123, 0.61, 1.0]])
    ax = _panels(plot_head_scores({"job": scores}))[0]
    cells = _cells(ax)
    assert cells == {
        (0, 0): ".00",
        (0, 1): ".05",
        (0, 2): ".50",
        (1, 0): ".12",
        (1, 1): ".61",
        (1, 2): "1.00",
    }
    inks = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_color() for t in ax.texts
    }
    assert mpl.colors.to_hex(inks[(1, 1)]) == "#ffffff"  # dark cell, white ink
    assert mpl.colors.to_hex(inks[(0, 2)]) == "#000000"


def test_the_values_written_match_the_tensor():
    scores = _scores(4, 5, seed=7)
    ax = _panels(plot_head_scores({"job": scores}))[0]
    for (layer, head), text in _cells(ax).items():
        assert float(text) == pytest.approx(float(scores[layer, head]), abs=0.005 + 1e-9)


def test_a_score_just_below_one_is_not_written_as_zero():
    ax = _panels(plot_head_scores({"job": torch.tensor([[0.996, 0.9949]])}))[0]
    cells = _cells(ax)
    assert cells[(0, 1)] == ".99"
    assert float(cells[(0, 0)]) == pytest.approx(1.0, abs=0.01)


def test_a_score_outside_zero_to_one_keeps_its_leading_digit():
    ax = _panels(plot_head_scores({"job": torch.tensor([[-0.25, 1.5]])}))[0]
    assert _cells(ax) == {(0, 0): "-0.25", (0, 1): "1.50"}


def test_jobs_may_be_lists_or_tensors_that_need_grad():
    fig = plot_head_scores({"a": [[0.2, 0.4]], "b": torch.ones(1, 2, requires_grad=True)})
    assert [_cells(ax) for ax in _panels(fig)] == [
        {(0, 0): ".20", (0, 1): ".40"},
        {(0, 0): "1.00", (0, 1): "1.00"},
    ]


def test_no_jobs_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Pass at least one job: \{'name': scores of shape"):
        plot_head_scores({})
    with pytest.raises(TypeError, match=r"jobs must be a dict .* got Tensor"):
        plot_head_scores(torch.rand(2, 4))  # the scores without their job's name


@pytest.mark.parametrize(
    "jobs",
    [
        {"a": torch.rand(3, 4), "b": torch.rand(4, 3)},  # grids of two shapes
        {"a": torch.rand(3, 4), "b": torch.rand(3, 4), "c": torch.rand(2, 4)},
        {"a": torch.rand(4)},  # a 1-D grid
        {"a": torch.rand(4), "b": torch.rand(4)},
        {"a": torch.rand(2, 3, 4)},  # 3-D
    ],
)
def test_mismatched_or_wrongly_shaped_grids_are_refused(jobs):
    with pytest.raises(ValueError, match=r"Every job needs a \(layers, heads\) grid of one shape"):
        plot_head_scores(jobs)


def test_the_error_lists_the_shapes_it_got():
    with pytest.raises(ValueError, match=r"got \{\(4,\)\}"):
        plot_head_scores({"a": torch.rand(4)})
