"""The span reader: words in, start/end scores out, the best span, padding, training."""

import itertools

import pytest
import torch

from lessons_lib.apps import reader as R
from lessons_lib.apps import reader_inputs as I
from lessons_lib.data import stories as S

TINY = R.ReaderConfig(n_embd=16, n_head=2, n_layer=1)
STORY = ["Mary went to the kitchen.", "John moved to the garden.", "Mary went back to the office."]


def tiny_model(seed: int = 0, **changes) -> R.Reader:
    torch.manual_seed(seed)
    return R.Reader(R.ReaderConfig(**{**TINY.__dict__, **changes})).eval()


def test_forward_shapes_masks_and_attention_maps():
    model = tiny_model()
    examples = S.qa_examples(3, seed=1)
    ids, encoded = I.batch(examples, model.config.max_len)
    (start, end), loss = model(ids)
    assert start.shape == end.shape == ids.shape and loss is None
    story = I.story_mask(ids)
    assert torch.isinf(start[~story]).all() and torch.isfinite(start[story]).all()
    assert story.sum() == sum(len(e.words) - e.n_question - 1 for e in encoded)
    targets = torch.tensor(
        [[I.answer_position(x, e)] * 2 for x, e in zip(examples, encoded, strict=True)]
    )
    _, loss = model(ids, targets)
    assert loss.dim() == 0 and loss.item() > 0
    maps = model.attention()
    B, T = ids.shape
    assert maps.shape == (1, B, 2, T, T)  # (layers, B, heads, T, T)
    torch.testing.assert_close(maps.sum(-1), torch.ones(1, B, 2, T))
    assert torch.all(maps[..., ids[0] == I.PAD_ID][:, 0] == 0)  # nobody attends to padding


def brute_force_span(start, end, max_len):
    best, where = float("-inf"), None
    for s, e in itertools.product(range(len(start)), repeat=2):
        if s <= e < s + max_len and start[s] + end[e] > best:
            best, where = start[s] + end[e], (s, e)
    return where


@pytest.mark.parametrize("max_len", [1, 2, 3, None])
def test_span_from_logits_is_the_brute_force_best_span(max_len):
    g = torch.Generator().manual_seed(0)
    start, end = torch.randn(50, 9, generator=g), torch.randn(50, 9, generator=g)
    start[:, :2] = end[:, :2] = float("-inf")  # e.g. the question: never an answer
    starts, ends = R.span_from_logits(start, end, max_len)
    for row in range(50):
        s, e = brute_force_span(start[row].tolist(), end[row].tolist(), max_len or 9)
        assert (starts[row].item(), ends[row].item()) == (s, e)
        assert 2 <= s <= e


def test_span_from_logits_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(B, T\) tensor"):
        R.span_from_logits(torch.zeros(5), torch.zeros(5))
    with pytest.raises(ValueError, match="same shape"):
        R.span_from_logits(torch.zeros(1, 5), torch.zeros(1, 6))
    with pytest.raises(ValueError, match="max_len must be a positive int"):
        R.span_from_logits(torch.zeros(1, 5), torch.zeros(1, 5), max_len=0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_span_from_logits_refuses_nan_and_inf_but_takes_minus_inf(bad):
    scores = torch.tensor([[0.0, 3.0, 1.0]])
    with pytest.raises(ValueError, match="start_logits holds NaN or \\+inf"):
        R.span_from_logits(torch.tensor([[0.0, bad, 1.0]]), scores)
    with pytest.raises(ValueError, match="end_logits holds NaN or \\+inf"):
        R.span_from_logits(scores, torch.tensor([[bad, 0.0, 1.0]]))
    masked = torch.tensor([[float("-inf"), 3.0, 1.0]])  # -inf: "not in the story"
    assert R.span_from_logits(masked, scores) == (torch.tensor([1]), torch.tensor([1]))
    nothing = torch.full((2, 3), float("-inf"))
    with pytest.raises(ValueError, match="Row 0 has no span with a finite score"):
        R.span_from_logits(nothing, scores.expand(2, 3))


@pytest.mark.parametrize("positions", R.POSITIONS)
def test_padding_does_not_change_the_scores(positions):
    model = tiny_model(positions=positions)
    short = (STORY[:1], "Where is Mary?")
    long = S.qa_examples(1, seed=2)[0]
    alone, _ = I.batch([short], model.config.max_len)
    padded, _ = I.batch([short, long], model.config.max_len)
    assert padded.shape[1] > alone.shape[1]
    (a, b), _ = model(alone)
    (c, d), _ = model(padded)
    T = alone.shape[1]
    torch.testing.assert_close(a[0], c[0, :T])
    torch.testing.assert_close(b[0], d[0, :T])


def test_answer_takes_examples_pairs_and_text_and_never_crashes_on_odd_words():
    model = tiny_model()
    examples = S.qa_examples(4, seed=3)
    got = R.read_answers(model, examples)
    assert len(got) == 4 and all(
        g in " ".join(e.sentences) for g, e in zip(got, examples, strict=True)
    )
    assert R.read_answers(model, examples[0]) == got[:1]
    assert R.read_answers(model, (examples[0].sentences, examples[0].question)) == got[:1]
    odd = R.read_answers(
        model, ("Zaphod teleported to the Moon. Mary went to the attic.", "Wo ist Mary?")
    )
    assert len(odd) == 1 and odd[0] in "Zaphod teleported to the Moon . Mary went to the attic ."
    assert R.read_answers(model, []) == []
    long = (" ".join(["Mary went to the garden."] * 40), "Where is Mary?")  # cut to max_len
    assert R.read_answers(model, long) == R.read_answers(model, [long])


def test_bad_input_gets_clear_errors():
    model = tiny_model()
    with pytest.raises(TypeError, match="QAExamples .* a \\(story, question\\) pair"):
        R.read_answers(model, 42)
    with pytest.raises(ValueError, match="no span with a finite score.*empty story"):
        R.read_answers(model, [([], "Where is Mary?")])
    with pytest.raises(ValueError, match=r"ids must be a \(B, T\) tensor"):
        model(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="reads at most max_len"):
        model(torch.ones(1, 200, dtype=torch.long))
    with pytest.raises(ValueError, match="Unknown positions 'rope'"):
        R.Reader(R.ReaderConfig(positions="rope"))
    with pytest.raises(ValueError, match="steps must be a positive int"):
        R.train_reader(model, steps=0)


def test_exact_match_and_support_attention():
    model = tiny_model()
    examples = S.qa_examples(20, seed=4)
    scores = R.reader_exact_match(model, examples)
    assert set(scores) == {*(e.kind for e in examples), "all"}
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    mass = R.support_attention(model, examples[0])
    assert mass.shape == (len(examples[0].sentences),) and (mass >= 0).all()
    assert mass.sum() <= 1 + 1e-6
    assert R.support_attention(model, examples[0], layer=0).shape == mass.shape
    pair = (examples[0].sentences, examples[0].question)
    torch.testing.assert_close(R.support_attention(model, pair), mass)
    from_answer = R.support_attention(model, examples[0], source="answer")
    assert from_answer.shape == mass.shape and from_answer.sum() <= 1 + 1e-6
    with pytest.raises(ValueError, match="Unknown source 'story'"):
        R.support_attention(model, examples[0], source="story")
    for layer in (1, "0", 0.0):
        with pytest.raises(ValueError, match=f"layer must be an int index .* got {layer!r}"):
            R.support_attention(model, examples[0], layer=layer)
    pairs = [(e.sentences, e.question) for e in examples]
    with pytest.raises(TypeError, match="examples must be a list of QAExamples"):
        R.reader_exact_match(model, pairs)  # pairs have no answers to compare with
    with pytest.raises(ValueError, match="one example at a time"):
        R.support_attention(model, examples[:2])


def random_place_baseline(examples) -> float:
    """Expected exact match of answering a place of the story, drawn uniformly."""
    share = 0.0
    for e in examples:
        places = {s.rstrip(".").split()[-1] for s in e.sentences if " to the " in s}
        share += 1 / len(places)
    return share / len(examples)


def test_a_short_training_run_beats_guessing_and_ctrl_c_keeps_what_was_learned(monkeypatch, capsys):
    model = tiny_model(n_embd=32)
    losses = R.train_reader(model, steps=80, batch_size=16, lr=1e-2, kinds=("person",))
    assert len(losses) == 80 and sum(losses[-10:]) < 0.7 * sum(losses[:10])
    test = S.qa_examples(200, seed=9, split="test", kinds=("person",))
    assert R.reader_exact_match(model, test)["person"] > random_place_baseline(test) + 0.15
    learned = {k: v.clone() for k, v in model.state_dict().items()}
    calls, real = [], S.qa_examples

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(S, "qa_examples", interrupted)
    losses = R.train_reader(model, steps=50, batch_size=8)
    assert len(losses) == 3 and "Stopped after 3 steps" in capsys.readouterr().out
    assert any(not torch.equal(learned[k], v) for k, v in model.state_dict().items())
    assert not model.training


@pytest.mark.slow
def test_the_default_training_reads_one_fact_questions():
    torch.manual_seed(0)
    model = R.Reader()
    losses = R.train_reader(model)
    assert len(losses) == 300
    test = S.qa_examples(500, seed=11, split="test", kinds=("person",))
    assert R.reader_exact_match(model, test)["person"] >= 0.9
