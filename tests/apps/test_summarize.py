"""Extractive summaries: MMR by hand, verbatim sentences in order, baselines, the evaluation."""

import math

import pytest
import torch

from lessons_lib.apps.summarize import (
    _take,
    evaluate_summaries,
    lead_k,
    mmr,
    random_k,
    split_sentences,
    summarize,
)

TEXT = """The cat sat on the warm mat all afternoon. Stock markets fell sharply on Monday.
The cat slept on the mat in the sun. Investors sold shares as prices dropped.
A recipe for bread needs flour, water and yeast. The cat dozed on its mat until dinner.

Bake the loaf for forty minutes at 220 degrees. Markets recovered a little on Tuesday."""


def unit(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def test_mmr_picks_what_the_formula_gives_by_hand():
    # Query at 0°; A at 10°, A2 at 20° (a near copy of A), B at -40°. Cosines:
    # relevance A = cos 10° = 0.985, A2 = cos 20° = 0.940, B = cos 40° = 0.766;
    # cos(A, A2) = cos 10° = 0.985, cos(A, B) = cos 50° = 0.643.
    vectors = torch.tensor([unit(10), unit(20), unit(-40)])
    query = torch.tensor(unit(0))
    # λ = 1: relevance alone takes A, then its near copy A2.
    assert mmr(vectors, 2, relevance=1.0, query=query) == [0, 1]
    # λ = 0.7, second pick: A2 0.7·0.940 − 0.3·0.985 = 0.362 beats B 0.7·0.766 − 0.3·0.643 = 0.343
    assert mmr(vectors, 2, relevance=0.7, query=query) == [0, 1]
    # λ = 0.5: A2 0.5·(0.940 − 0.985) = −0.023 loses to B 0.5·(0.766 − 0.643) = +0.062
    assert mmr(vectors, 2, relevance=0.5, query=query) == [0, 2]
    assert mmr(vectors, 3, relevance=0.5, query=query) == [0, 2, 1]


def test_mmr_defaults_to_the_centroid_and_compares_by_cosine():
    vectors = torch.tensor([unit(0), unit(5), unit(90), unit(80)]) * torch.tensor(
        [[1.0], [3], [2], [5]]
    )
    centroid = torch.nn.functional.normalize(vectors, dim=-1).mean(dim=0)
    for relevance in (0.0, 0.3, 0.7, 1.0):
        assert mmr(vectors, 4, relevance) == mmr(vectors, 4, relevance, query=centroid)
    # the centroid points at 43.75°: the row at 80° is nearest; k beyond N takes every row once
    picked = mmr(vectors, 9, 0.5)
    assert picked[0] == 3 and sorted(picked) == [0, 1, 2, 3]
    assert mmr(vectors, 2, 0.0)[0] == 0  # nothing is relevant at λ = 0: the earlier row wins ties


def test_a_summary_is_verbatim_in_order_and_as_long_as_asked():
    sentences = split_sentences(TEXT)
    assert len(sentences) == 8
    for n in (1, 2, 3, 5):
        summary = summarize(TEXT, n)
        assert len(summary) == n
        places = [sentences.index(s) for s in summary]  # each one a sentence of the text
        assert places == sorted(places) and len(set(places)) == n


def test_a_repeated_sentence_is_taken_once():
    repeated = "The cat sat on the warm mat all afternoon. " * 3 + TEXT
    for relevance in (0.7, 1.0):  # even with no penalty for repeating
        summary = summarize(repeated, 3, relevance)
        assert len(set(s.lower() for s in summary)) == 3
    assert summarize("Hello there. Hello   THERE. Bye.", 3) == ["Hello there.", "Bye."]


def test_mmr_avoids_the_near_copies_that_pure_relevance_takes():
    # Three sentences about the cat dominate the centroid; with λ = 1 two of them are picked.
    alone = summarize(TEXT, 3, relevance=1.0)
    varied = summarize(TEXT, 3, relevance=0.5)
    assert sum("cat" in s for s in alone) >= 2
    assert sum("cat" in s for s in varied) <= 1


def test_short_texts_come_back_whole():
    assert summarize("One sentence only.", 3) == ["One sentence only."]
    assert summarize("First. Second.", 2) == ["First.", "Second."]
    assert summarize("", 3) == []


def test_baselines():
    sentences = split_sentences(TEXT)
    assert lead_k(TEXT, 3) == sentences[:3]
    assert lead_k("Just one.", 4) == ["Just one."]
    first, again, other = random_k(TEXT, 3, seed=0), random_k(TEXT, 3, seed=0), random_k(TEXT, 3, 1)
    assert first == again and first != other
    for picked in (first, other):
        places = [sentences.index(s) for s in picked]
        assert places == sorted(places) and len(set(places)) == 3
    assert random_k("One. Two.", 5) == ["One.", "Two."]


def test_bad_input_gets_clear_errors():
    with pytest.raises(TypeError, match="text must be a string"):
        summarize(["One.", "Two."])
    with pytest.raises(ValueError, match="n_sentences must be at least 1, got 0"):
        summarize(TEXT, 0)
    with pytest.raises(TypeError, match="n_sentences must be a whole number"):
        summarize(TEXT, 2.5)
    with pytest.raises(TypeError, match="whole number"):
        summarize(TEXT, True)
    with pytest.raises(ValueError, match=r"relevance \(λ\) must lie in \[0, 1\], got 1.5"):
        summarize(TEXT, 2, relevance=1.5)
    with pytest.raises(ValueError, match="k must be at least 1"):
        lead_k(TEXT, -1)
    with pytest.raises(ValueError, match="k must be at least 1"):
        random_k(TEXT, 0)
    with pytest.raises(ValueError, match=r"vectors must be a tensor \(N, C\).*got \(3,\)"):
        mmr(torch.ones(3), 1)
    with pytest.raises(ValueError, match="got list. Make one with L.embed_sentences"):
        mmr([[1.0, 0.0]], 1)
    with pytest.raises(ValueError, match=r"query must be a tensor \(2,\), got \(3,\)"):
        mmr(torch.ones(3, 2), 1, query=torch.ones(3))
    with pytest.raises(ValueError, match="relevance"):
        mmr(torch.ones(3, 2), 1, relevance=-0.1)
    with pytest.raises(TypeError, match=r"relevance \(λ\) must be a number, got '0.7'"):
        summarize(TEXT, 2, relevance="0.7")
    with pytest.raises(TypeError, match=r"relevance \(λ\) must be a number"):
        mmr(torch.ones(3, 2), 1, relevance=None)
    with pytest.raises(ValueError, match=r"query must be a tensor \(2,\), got list"):
        mmr(torch.ones(3, 2), 1, query=[1.0, 0.0])


CHAPTERS = [
    {
        "chapter": "01",
        "body": TEXT,
        "summary": "The cat sat on the warm mat all afternoon. "
        "Stock markets fell sharply on Monday.",
    },  # fmt: skip
    {"chapter": "02", "body": "Bread. " + TEXT, "summary": "Bake bread. Cats sleep."},
]


def test_evaluation_rows_with_a_budget_of_sentences():
    rows = evaluate_summaries(CHAPTERS, budget="sentences", seeds=range(3))
    assert [(r["chapter"], r["method"]) for r in rows] == [
        (c, m) for c in ("01", "02", "mean") for m in ("MMR", "lead-k", "random-k")
    ]
    assert all(r["k"] == 2 for r in rows)  # as many sentences as each reference
    lead = rows[1]  # the reference is the text's first two sentences
    assert lead["rouge1"] == lead["rouge2"] == lead["rougeL"] == pytest.approx(1.0)
    assert lead["words"] == 15
    for r in rows:
        assert all(0.0 <= r[name] <= 1.0 for name in ("rouge1", "rouge2", "rougeL"))
    mean_lead = rows[-2]
    assert mean_lead["rouge1"] == pytest.approx((rows[1]["rouge1"] + rows[4]["rouge1"]) / 2)
    one = evaluate_summaries(CHAPTERS[:1], budget="sentences", k=4, seeds=[5])
    assert all(r["k"] == 4 for r in one)
    assert one[2]["words"] == len(" ".join(random_k(TEXT, 4, seed=5)).split())


def test_evaluation_rows_with_a_budget_of_words():
    rows = evaluate_summaries(CHAPTERS, seeds=range(3))  # budget="words"
    assert [r["words"] for r in rows if r["chapter"] == "01"] == [15, 15, 15]
    assert [r["words"] for r in rows if r["chapter"] == "02"] == [4, 4, 4]  # cut at 4 words
    assert rows[1]["rouge1"] == pytest.approx(1.0)  # lead: 9 + 6 words, the reference
    # MMR ranks by meaning, not position: the off-topic first sentence is not its first pick
    odd = {"chapter": "03", "body": "Zebras hum at night. " + TEXT, "summary": "Zebras hum."}
    mmr_row, lead_row, _ = evaluate_summaries([odd], seeds=[0])[:3]
    assert lead_row["rouge1"] == pytest.approx(1.0) and mmr_row["rouge1"] < 0.5  # 2 words


def test_a_budget_takes_sentences_in_order_then_cuts():
    sentences = ["a b c", "d e", "f g h i"]
    # picked in the order 2, 0, 1: after 2 (4 words) and 0 (7 words) there are 5; text order
    assert _take(sentences, [2, 0, 1], None, 5) == ("a b c f g", 2)
    assert _take(sentences, [2, 0, 1], 1, None) == ("f g h i", 1)
    assert _take(sentences, [1], None, 50) == ("d e", 1)


def test_evaluation_errors():
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        evaluate_summaries(CHAPTERS, seeds=[])
    with pytest.raises(ValueError, match="seeds must hold at least one seed.*got 5"):
        evaluate_summaries(CHAPTERS, seeds=5)
    with pytest.raises(TypeError, match=r"chapters\[0\] must be a dict with 'chapter', 'body'"):
        evaluate_summaries([{"body": "One. Two."}])  # no summary to compare with
    with pytest.raises(TypeError, match=r"relevance \(λ\) must be a number"):
        evaluate_summaries(CHAPTERS, relevance="high")
    with pytest.raises(ValueError, match="budget must be 'words' or 'sentences', got 'bytes'"):
        evaluate_summaries(CHAPTERS, budget="bytes")


@pytest.mark.slow
def test_chapter_08_quotes_the_eight_chapter_means_it_would_measure():
    """Chapter 08 types the means over all eight chapters (25 s to compute, too slow for its
    cell): they must stay what evaluate_summaries() gives on the shipped chapter summaries."""
    import json
    import re
    from pathlib import Path

    notebook = Path(__file__).parents[2] / "notebooks" / "08_applications.ipynb"
    text = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"])
    number = r"(\d\.\d{3})"
    quoted = {}
    for method, name in (("MMR", "MMR"), ("lead-k", "lead-k"), ("random-k", "random")):
        found = re.search(rf"{name} {number} / {number} / {number}", text)
        assert found, f"chapter 08 no longer quotes the means of {name}"
        quoted[method] = tuple(float(x) for x in found.groups())
    means = {r["method"]: r for r in evaluate_summaries() if r["chapter"] == "mean"}
    for method, numbers in quoted.items():
        measured = tuple(round(means[method][k], 3) for k in ("rouge1", "rouge2", "rougeL"))
        assert numbers == measured, f"{method}: chapter 08 says {numbers}, measured {measured}"
