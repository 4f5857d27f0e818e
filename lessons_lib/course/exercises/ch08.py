"""Chapter 08's exercises: one step of beam search, the answer span from a reader's start and
end logits, a hybrid retriever that fuses BM25 with MiniLM, and ROUGE-L's longest common
subsequence."""

from __future__ import annotations

import functools
import math

import torch

from ...apps.rouge import lcs_length
from . import exercise, returned


def beam_step(beams: list[tuple[list[int], float]], log_probs: torch.Tensor, beam_size: int):
    """Extend every beam (prefix, score) by every token of its row of ``log_probs`` (K, V) and
    keep the ``beam_size`` best extensions, best first."""
    extended = [
        (prefix + [token], score + log_probs[k, token].item())
        for k, (prefix, score) in enumerate(beams)
        for token in range(log_probs.shape[1])
    ]
    return sorted(extended, key=lambda beam: -beam[1])[:beam_size]


def best_span(start_logits: torch.Tensor, end_logits: torch.Tensor, max_len: int = 3):
    """(start, end) maximising start_logits[start] + end_logits[end], start <= end < start +
    max_len: the answer span a reader picks."""
    scores = start_logits[:, None] + end_logits[None, :]  # (T, T): row = start, column = end
    i = torch.arange(len(start_logits))[:, None]  # (T, 1): the start of each row
    j = torch.arange(len(end_logits))[None, :]  # (1, T): the end of each column
    scores = scores.masked_fill((j < i) | (j >= i + max_len), float("-inf"))
    start, end = divmod(scores.argmax().item(), len(end_logits))
    return start, end


@exercise("beam_step", solution=beam_step)
def check_beam_step(answer) -> str:
    beams = [([1, 4], -0.5), ([1, 2], -1.0)]
    log_probs = torch.tensor([[-3.0, -0.2, -2.0, -4.0], [-0.1, -2.0, -3.0, -0.3]])  # (K=2, V=4)
    want = beam_step(beams, log_probs, 3)
    got = returned(answer([(list(p), s) for p, s in beams], log_probs.clone(), 3))
    got = [(list(prefix), float(score)) for prefix, score in got]
    if [p for p, _ in got] == [p for p, _ in want] and all(
        abs(a - b) < 1e-6 for (_, a), (_, b) in zip(got, want, strict=True)
    ):
        return (
            "correct: the second beam's best extension beat the first beam's second. "
            + _beam_step_in_use(answer)
        )
    hint = ""
    prefixes = [p for p, _ in got]
    if len(got) != 3:
        hint = f" Keep beam_size = 3 extensions, you returned {len(got)}."
    elif prefixes == [[1, 4, 1], [1, 4, 2], [1, 4, 0]]:
        hint = " Compare the extensions of all beams together, not only the first beam's."
    elif prefixes == [[1, 2, 0], [1, 4, 1], [1, 2, 3]]:
        hint = " A score is the beam's score so far plus the new token's log-probability."
    raise AssertionError(f"expected {want}, got {got}.{hint}")


def _beam_step_in_use(answer) -> str:
    """The learner's step inside the library's beam search, translating with the shipped
    model: the same translations as the library's own step, or an AssertionError."""
    from unittest import mock

    from ...apps import beam_search as search
    from ...apps.translator_checkpoint import load_translator

    translator = load_translator()
    dates = ["the 5th of March, 2021", "Sep 30, 1789", "29 February 2096", "1600-01-01"]
    want = [translator.beams(d, 4) for d in dates]  # [(chinese, log p)] * 4 per date
    with mock.patch.object(search, "_best_extensions", answer):
        got = [translator.beams(d, 4) for d in dates]
    for date, ours, theirs in zip(dates, got, want, strict=True):
        if [c for c, _ in ours] != [c for c, _ in theirs]:
            raise AssertionError(
                f"inside beam search, on {date!r} your step keeps {[c for c, _ in ours]}, the "
                f"library's {[c for c, _ in theirs]}"
            )
    table = torch.tensor(
        [[0.0, 0.1, 0.5, 0.4], [0.0, 1.0, 0.0, 0.0], [0.0, 0.3, 0.3, 0.4], [0.0, 0.9, 0.05, 0.05]]
    )  # section 1's table
    with mock.patch.object(search, "_best_extensions", answer):
        found = {k: search.beam_search(lambda p: table[p[:, -1]].log(), 0, 1, beam_size=k)[0]
                 for k in (1, 2)}  # fmt: skip
    if found[2][0] != [3]:
        raise AssertionError(f"on section 1's table 2 beams with your step end at {found[2]}, "
                             "not at b <eos> (probability 0.36)")  # fmt: skip
    (chinese, log_p), (second, second_p) = got[0][:2]
    return (
        f"Inside L.beam_search, your step finds b <eos> (probability "
        f"{math.exp(found[2][1]):.2f}) on section 1's table, where one beam finds a b <eos> "
        f"({math.exp(found[1][1]):.2f}); and it translates {dates[0]!r} as the library's step "
        f"does: {chinese} (log p {log_p:.3f}), then {second} ({second_p:.1f}), on {len(dates)} "
        "dates with the shipped model"
    )


@exercise("best_span", solution=best_span)
def check_best_span(answer) -> str:
    start = torch.tensor([0.0, 3.0, 0.5, 4.0, 0.0])
    end = torch.tensor([1.0, 0.0, 2.0, 0.0, 1.5])
    far_start = torch.tensor([0.0, 4.0, 0.0, 0.0, 0.0])
    far_end = torch.tensor([0.0, 0.0, 1.0, 0.0, 3.0])
    close_start = torch.tensor([3.9, 4.0, 0.0, 0.0])  # the best start alone is position 1 ...
    early_end = torch.tensor([5.0, 0.0, 0.0, 0.0])  # ... but the best pair is (0, 0): 8.9
    cases = [
        (start, end, 3, (3, 4)),  # the separate argmaxes (3, 2) end before they start
        (close_start, early_end, 3, (0, 0)),  # the best start, then its best end: (1, 1), 4.0
        (start, end, 1, (3, 3)),  # one-word answers only
        (far_start, far_end, 5, (1, 4)),
        (far_start, far_end, 3, (1, 2)),  # (1, 4) would be 4 words long
    ]
    for s, e, max_len, want in cases:
        got = tuple(int(v) for v in returned(answer(s.clone(), e.clone(), max_len)))
        if got != want:
            hint = ""
            if got == (int(s.argmax()), int(e.argmax())):
                hint = " The two separate argmaxes can give an end before the start."
            elif got[0] == int(s.argmax()) and got[0] != want[0]:
                hint = (" Fixing the best start first, then its best end, misses pairs whose "
                        "start is a little worse but whose end is much better: score every "
                        "pair, start logit + end logit.")  # fmt: skip
            elif got[1] - got[0] + 1 > max_len:
                hint = f" The span has {got[1] - got[0] + 1} words: at most max_len = {max_len}."
            raise AssertionError(
                f"start {[round(v, 2) for v in s.tolist()]}, end "
                f"{[round(v, 2) for v in e.tolist()]}, max_len {max_len}: expected {want}, "
                f"got {got}.{hint}"
            )
    return "correct: the best pair with start <= end, not the two best positions. " + (
        _best_span_in_use(answer)
    )


def _best_span_in_use(answer) -> str:
    """The learner's span picker inside section 2's reader: a reader trained for a few
    seconds answers 200 held-out questions with it and with the library's picker."""
    from unittest import mock

    from ...apps import reader as reading
    from ...data.stories import qa_examples

    torch.manual_seed(0)
    model = reading.Reader()
    reading.train_reader(model, steps=150, batch_size=32)  # one-fact questions, about 3 s
    questions = qa_examples(200, seed=1, split="test", kinds=("person",))

    def row_by_row(start_logits, end_logits, max_len):  # (B, T) each -> (B,), (B,)
        spans = [answer(s, e, max_len) for s, e in zip(start_logits, end_logits, strict=True)]
        return torch.tensor([int(s) for s, _ in spans]), torch.tensor([int(e) for _, e in spans])

    theirs = reading.reader_exact_match(model, questions)["all"]
    with mock.patch.object(reading, "span_from_logits", row_by_row):
        ours = reading.reader_exact_match(model, questions)["all"]
    if not abs(ours - theirs) <= 1e-9:  # NaN fails too
        raise AssertionError(f"inside the reader your spans answer {ours:.0%} of 200 held-out "
                             f"questions, the library's {theirs:.0%}")  # fmt: skip

    def separate_argmaxes(start_logits, end_logits, max_len):  # the mistake, for comparison
        return start_logits.argmax(-1), end_logits.argmax(-1)

    with mock.patch.object(reading, "span_from_logits", separate_argmaxes):
        naive = reading.reader_exact_match(model, questions)["all"]
    return (
        f"Inside section 2's reader (trained for 150 steps here), your spans answer {ours:.1%} "
        f"of 200 held-out 'Where is ...?' questions exactly, as the library's do; the two "
        f"separate argmaxes would answer {naive:.1%} (every answer here is one word, so they "
        "rarely disagree; with longer answers they can disagree more)"
    )


def fuse_scores(keyword_scores: torch.Tensor, dense_scores: torch.Tensor) -> torch.Tensor:
    """One hybrid score per (question, story): BM25 and cosine, each scaled to zero mean and
    unit spread over the stories of its row, then added. A row where BM25 matched no word is
    all zeros: it stays 0 and leaves the choice to the cosines."""

    def standard(scores: torch.Tensor) -> torch.Tensor:  # (Q, N), row by row
        centred = scores - scores.mean(dim=1, keepdim=True)
        return centred / scores.std(dim=1, keepdim=True).clamp_min(1e-9)

    return standard(keyword_scores) + standard(dense_scores)  # (Q, N)


@functools.cache
def _retrieval_scores() -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], torch.Tensor]:
    """BM25 scores and MiniLM cosines, (Q, N) each, of 200 questions on 100 stories, with the
    names spelled right and misspelled; and the right story of each question (Q,)."""
    from ...apps.keyword_search import KeywordIndex
    from ...apps.open_book import StoryIndex, make_collection, misspell_names
    from ...pretrained.minilm import embed_sentences

    collection = make_collection(100, seed=0)
    keyword, dense = KeywordIndex(collection.stories), StoryIndex(collection.stories)
    scores = {}
    for name, c in (("names", collection), ("misspelled", misspell_names(collection))):
        questions = [q.question for q in c.questions]
        bm25 = torch.stack([keyword.scores(q) for q in questions])  # (Q, N)
        scores[name] = bm25, embed_sentences(questions) @ dense.vectors.T  # (Q, N) each
    return scores, torch.tensor(collection.story_of)


def _fused_shape(answer, bm25: torch.Tensor, cosine: torch.Tensor) -> torch.Tensor:
    """What ``answer`` returns for these scores, if it is one score per question and story."""
    fused = returned(answer(bm25.clone(), cosine.clone()))
    if not isinstance(fused, torch.Tensor) or fused.shape != bm25.shape:
        shape = tuple(fused.shape) if isinstance(fused, torch.Tensor) else type(fused).__name__
        raise AssertionError(
            f"return one score per question and story: a tensor {tuple(bm25.shape)}, got {shape}."
        )
    return fused


@exercise("fuse_scores", solution=fuse_scores)
def check_fuse_scores(answer) -> str:
    # a small call first: an unsolved stub stops here, before MiniLM embeds anything
    _fused_shape(answer, torch.tensor([[0.0, 2.5, 0.0], [0.0, 0.0, 0.0]]), torch.rand(2, 3))
    scores, right = _retrieval_scores()

    def recall(s: torch.Tensor) -> float:  # recall@1
        return (s.argmax(dim=1) == right).float().mean().item()

    got, alone = {}, {}
    for name, (bm25, cosine) in scores.items():
        fused = _fused_shape(answer, bm25, cosine)
        got[name], alone[name] = recall(fused), (recall(bm25), recall(cosine))
    table = ", ".join(
        f"{name} {got[name]:.0%} (BM25 {alone[name][0]:.0%}, MiniLM {alone[name][1]:.0%})"
        for name in scores
    )
    if got["names"] < alone["names"][0] - 0.005:
        raise AssertionError(
            f"recall@1: {table}. On names your fusion loses what BM25 finds: an exact name "
            "should outweigh a cosine. Are the two kinds of score on the same scale?"
        )
    if got["misspelled"] < alone["misspelled"][1] - 0.005:
        raise AssertionError(
            f"recall@1: {table}. On misspelled names BM25 matches no word and scores every "
            "story 0: a tie, whose order (argsort's ranks) is arbitrary. Fuse the scores, "
            "scaled, or ranks that tied stories share: a row of zeros should leave the choice "
            "to MiniLM."
        )
    # cosines in other units (percent: the same ranking) must not change the answer
    for name, (bm25, cosine) in scores.items():
        rescaled = recall(_fused_shape(answer, bm25, cosine * 100))
        if abs(rescaled - got[name]) > 0.005:
            raise AssertionError(
                f"recall@1: {table}. With the cosines written as percentages (times 100, the "
                f"same ranking) your recall@1 on {name} moves from {got[name]:.1%} to "
                f"{rescaled:.1%}: the sum still depends on the scales. Put both on one scale "
                "first."
            )
    # both sets together: 400 questions, half with the name spelled right (equal halves)
    hybrid = sum(got.values()) / len(got)
    bm25_alone, minilm_alone = (sum(a[i] for a in alone.values()) / len(alone) for i in (0, 1))
    if hybrid <= max(bm25_alone, minilm_alone) + 0.005:
        raise AssertionError(
            f"recall@1: {table}. On all 400 questions together your fusion finds {hybrid:.1%}, "
            f"no more than the better retriever alone ({max(bm25_alone, minilm_alone):.1%}): "
            "a hybrid should keep BM25's names and MiniLM's misspellings at once"
        )
    return (
        f"correct: recall@1 {table}; the same with the cosines in percent. On all 400 "
        f"questions together: your hybrid {hybrid:.1%}, BM25 alone {bm25_alone:.1%}, MiniLM "
        f"alone {minilm_alone:.1%}: neither alone suits both kinds of question"
    )


def _chapter_04_summary() -> tuple[list[str], list[str]]:
    """The tokens of chapter 04's Summary and of its first 5 sentences, as rouge-score sees
    them."""
    from ...apps.rouge import rouge_tokens
    from ...apps.summarize import chapter_summaries, lead_k

    chapter = next(c for c in chapter_summaries() if c["chapter"] == "04")
    return rouge_tokens(chapter["summary"]), rouge_tokens(" ".join(lead_k(chapter["body"], 5)))


@exercise("lcs_length", solution=lcs_length)
def check_lcs_length(answer) -> str:
    from ...apps.rouge import f_measure

    cases = [
        ("the cat sat on the mat", "the cat lay on a mat", 4),  # the cat ... on ... mat
        ("a b c d", "d c b a", 1),  # the order matters
        ("a b a b", "b a b a", 3),  # not the longest common *run* (2 here)
        ("", "a b", 0),
        ("x y z", "x y z", 3),
    ]
    for a, b, want in cases:
        got = returned(answer(a.split(), b.split()))
        if got != want:
            hint = ""
            if isinstance(got, int) and got < want:
                hint = " A subsequence may skip tokens: it need not be one unbroken run."
            elif (a, want) == ("a b c d", 1) and got == 4:
                hint = " Shared tokens must come in the same order in both."
            raise AssertionError(f"{a.split()} and {b.split()}: expected {want}, got {got}.{hint}")
    reference, summary = _chapter_04_summary()
    ours = f_measure(returned(answer(list(reference), list(summary))), len(summary), len(reference))
    want = f_measure(lcs_length(reference, summary), len(summary), len(reference))
    message = f"ROUGE-L F from your LCS {ours:.3f}"
    try:
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(["rougeL"])
        theirs = scorer.score(" ".join(reference), " ".join(summary))  # (target, prediction)
        message += f", rouge-score's {theirs['rougeL'].fmeasure:.3f}"
    except ImportError:  # pragma: no cover - rouge-score is in requirements.txt
        message += f", the library's {want:.3f}"
    if not abs(ours - want) <= 1e-9:  # NaN fails too
        raise AssertionError(f"on chapter 04's first 5 sentences: {message}, expected {want:.3f}.")
    return f"correct: on chapter 04's first 5 sentences, {message}"
