"""Tests of models.ngram: context codes, counting n-gram losses, contexts seen, NGramLM."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
import torch

from lessons_lib import (
    BigramLM,
    bigram_probs,
    contexts_seen,
    count_bigrams,
    evaluate,
    generate,
    ngram_loss,
    unseen_context_share,
    unseen_contexts,
)
from lessons_lib.models.ngram import NGramLM, context_codes


def _ids(n: int, vocab_size: int, seed: int = 0) -> list[int]:
    return torch.randint(vocab_size, (n,), generator=torch.Generator().manual_seed(seed)).tolist()


def reference_ngram_loss(train, held, context, vocab_size, smoothing):
    """The same model, counted with plain dicts of tuples."""
    pairs, contexts = Counter(), Counter()
    for t in range(context, len(train)):
        ctx = tuple(train[t - context : t])
        pairs[ctx, train[t]] += 1
        contexts[ctx] += 1
    nll = []
    for t in range(context, len(held)):
        ctx = tuple(held[t - context : t])
        p = (pairs[ctx, held[t]] + smoothing) / (contexts[ctx] + smoothing * vocab_size)
        nll.append(-math.log(p))
    return sum(nll) / len(nll)


def test_context_codes_hand_example():
    codes = context_codes(np.array([1, 2, 0, 1]), context=2, vocab_size=3)
    # positions 2 and 3 follow the contexts (1, 2) and (2, 0): 1*3+2 = 5 and 2*3+0 = 6
    assert codes.tolist() == [5, 6]


def test_context_codes_of_zero_context_are_all_zero():
    assert context_codes(np.array([3, 1, 2]), context=0, vocab_size=4).tolist() == [0, 0, 0]


def test_equal_contexts_get_equal_codes_and_different_ones_differ():
    ids = _ids(300, 4)
    codes = context_codes(np.array(ids), context=3, vocab_size=4)
    tuples = [tuple(ids[t - 3 : t]) for t in range(3, len(ids))]
    code_of = {}
    for tup, code in zip(tuples, codes.tolist(), strict=True):
        assert code_of.setdefault(tup, code) == code
    assert len(set(code_of.values())) == len(code_of)


def test_ngram_loss_hand_example():
    # train pairs: (0,1) x3, (1,0) x2; context 0 was seen 3 times, always followed by 1
    loss = ngram_loss([0, 1, 0, 1, 0, 1], [0, 1], context=1, vocab_size=2, smoothing=0.5)
    assert loss == pytest.approx(-math.log((3 + 0.5) / (3 + 0.5 * 2)))


def test_unseen_context_gets_the_uniform_distribution():
    loss = ngram_loss([0, 0, 0, 0], [1, 1, 1], context=1, vocab_size=4, smoothing=0.01)
    assert loss == pytest.approx(math.log(4))


def test_unigram_hand_example():
    # context 0: P(token) = (count + s) / (len + s * V) over all 4 training tokens
    loss = ngram_loss([0, 0, 0, 1], [0, 1], context=0, vocab_size=2, smoothing=1.0)
    expected = -(math.log(4 / 6) + math.log(2 / 6)) / 2
    assert loss == pytest.approx(expected)


@pytest.mark.parametrize("context", [0, 1, 2, 3])
def test_ngram_loss_matches_a_dict_based_count(context):
    train, held = _ids(200, 4, seed=1), _ids(60, 4, seed=2)
    got = ngram_loss(train, held, context, vocab_size=4, smoothing=0.1)
    assert got == pytest.approx(reference_ngram_loss(train, held, context, 4, 0.1), rel=1e-12)


def test_ngram_loss_accepts_tensors():
    train, held = _ids(50, 3, seed=3), _ids(20, 3, seed=4)
    assert ngram_loss(torch.tensor(train), torch.tensor(held), 1, 3) == pytest.approx(
        ngram_loss(train, held, 1, 3)
    )


def test_bigram_ngram_loss_equals_the_counted_bigram_model():
    train, held = torch.tensor(_ids(300, 5, seed=5)), torch.tensor(_ids(80, 5, seed=6))
    probs = bigram_probs(count_bigrams(train, 5), smoothing=0.3)
    expected = -probs[held[:-1], held[1:]].double().log().mean().item()
    assert ngram_loss(train, held, 1, 5, smoothing=0.3) == pytest.approx(expected, rel=1e-5)
    model = BigramLM.from_counts(count_bigrams(train, 5), smoothing=0.3)
    _, loss = model(held[None, :-1], held[None, 1:])
    assert ngram_loss(train, held, 1, 5, smoothing=0.3) == pytest.approx(loss.item(), rel=1e-5)


def test_more_context_fits_the_training_text_better():
    ids = _ids(500, 3, seed=7)
    losses = [ngram_loss(ids, ids, c, 3, smoothing=1e-9) for c in range(5)]
    assert all(a > b for a, b in zip(losses, losses[1:], strict=False)), losses


def test_largest_allowed_context_does_not_overflow():
    # vocabulary 2: codes up to 2**62 fit in int64, so context 61 is allowed
    train, held = _ids(90, 2, seed=8), _ids(70, 2, seed=9)
    got = ngram_loss(train, held, 61, vocab_size=2, smoothing=0.5)
    assert got == pytest.approx(reference_ngram_loss(train, held, 61, 2, 0.5), rel=1e-12)


@pytest.mark.parametrize(
    ("context", "vocab_size", "limit"), [(-1, 4, 30), (62, 2, 61), (6, 1000, 5)]
)
def test_context_out_of_range(context, vocab_size, limit):
    with pytest.raises(
        ValueError, match=f"context must be between 0 and {limit} for a vocabulary of {vocab_size}"
    ):
        ngram_loss([0, 1, 0], [0, 1, 0], context, vocab_size)


def test_negative_context_with_a_one_token_vocabulary_is_a_value_error():
    with pytest.raises(ValueError, match="context must be between 0 and"):
        ngram_loss([0, 0, 0], [0, 0], -1, vocab_size=1)


@pytest.mark.parametrize("smoothing", [0.0, -1.0])
def test_smoothing_must_be_positive(smoothing):
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        ngram_loss([0, 1], [0, 1], 1, 2, smoothing=smoothing)


def test_ids_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"train_ids must be a 1-D sequence of token ids"):
        ngram_loss([[0, 1], [1, 0]], [0, 1], 1, 2)


@pytest.mark.parametrize("bad", [-1, 3])
def test_eval_ids_out_of_range(bad):
    with pytest.raises(ValueError, match=r"eval_ids holds ids outside 0\.\.2"):
        ngram_loss([0, 1, 2], [0, bad], 1, 3)


def test_sequences_must_be_longer_than_the_context():
    with pytest.raises(ValueError, match="Both sequences need more than context=3 tokens"):
        ngram_loss([0, 1, 0, 1, 0], [0, 1, 0], 3, 2)


def test_contexts_seen_hand_example():
    assert contexts_seen([0, 1, 0, 1, 2], context=2, vocab_size=3) == 2  # (0,1) and (1,0)
    assert contexts_seen([0, 1, 0, 1, 2], context=1, vocab_size=3) == 2  # 0 and 1
    assert contexts_seen([0, 1, 0, 1, 2], context=0, vocab_size=3) == 1  # the empty context


@pytest.mark.parametrize("context", [1, 2, 4])
def test_contexts_seen_matches_a_set_of_tuples(context):
    ids = _ids(200, 3, seed=10)
    expected = len({tuple(ids[t - context : t]) for t in range(context, len(ids))})
    assert contexts_seen(ids, context, 3) == expected


def test_contexts_seen_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match=r"ids holds ids outside 0\.\.1"):
        contexts_seen([0, 2], 1, 2)


# --- NGramLM: the counting model as a language model (chapter 04) --------------------------------


def reference_ngram_probs(train, seq, context, vocab_size, smoothing):
    """P(next | ...) at every position of ``seq`` by the blending formula, with plain dicts."""
    followers = [defaultdict(Counter) for _ in range(context + 1)]
    for k in range(context + 1):
        for t in range(k, len(train)):
            followers[k][tuple(train[t - k : t])][train[t]] += 1
    rows = []
    for t in range(len(seq)):
        p = [1 / vocab_size] * vocab_size
        for k in range(min(context, t + 1) + 1):
            seen = followers[k].get(tuple(seq[t + 1 - k : t + 1]))
            if not seen:
                continue  # a context never seen changes nothing
            total, pretend = sum(seen.values()), smoothing * len(seen)
            p = [(seen[v] + pretend * p[v]) / (total + pretend) for v in range(vocab_size)]
        rows.append(p)
    return torch.tensor(rows, dtype=torch.float64)


def _probs(model: NGramLM, seq) -> torch.Tensor:
    logits, _ = model(torch.tensor([seq]))
    return logits[0].double().softmax(dim=-1)


@pytest.mark.parametrize("context", [0, 1, 2, 3])
@pytest.mark.parametrize("smoothing", [0.5, 1.0, 3.0])
def test_ngram_lm_matches_the_dict_based_formula(context, smoothing):
    train, held = _ids(300, 4, seed=11), _ids(40, 4, seed=12)  # held has unseen contexts
    model = NGramLM.from_ids(train, context, vocab_size=4, smoothing=smoothing)
    expected = reference_ngram_probs(train, held, context, 4, smoothing)
    torch.testing.assert_close(_probs(model, held), expected, rtol=1e-5, atol=1e-6)


def test_ngram_lm_hand_example():
    # order 0: counts 3, 3, 2 of 8, 3 distinct tokens -> (c + 3 * 1/3) / 11 = 4/11, 4/11, 3/11
    # order 1, context (1,): followed by 2 twice (1 distinct) -> (c + P_0) / 3
    # order 2, context (0, 1): followed by 2 twice (1 distinct) -> (c + P_1) / 3
    model = NGramLM.from_ids([0, 1, 2, 0, 1, 2, 0, 1], context=2, vocab_size=3)
    p0 = torch.tensor([4 / 11, 4 / 11, 3 / 11], dtype=torch.float64)
    p1 = (torch.tensor([0, 0, 2]) + p0) / 3
    p2 = (torch.tensor([0, 0, 2]) + p1) / 3
    torch.testing.assert_close(_probs(model, [0, 1])[1], p2)
    torch.testing.assert_close(p2 * 99, torch.tensor([4.0, 4.0, 91.0], dtype=torch.float64))
    torch.testing.assert_close(_probs(model, [1])[0], p1)  # one token: only contexts 0 and 1


def test_ngram_lm_rows_sum_to_one_and_the_loss_is_cross_entropy():
    train = _ids(500, 6, seed=13)
    model = NGramLM.from_ids(train, context=3, vocab_size=6)
    x, y = torch.tensor(_ids(5 * 9, 6, seed=14)).view(5, 9), torch.tensor(_ids(45, 6, 15))
    logits, loss = model(x, y.view(5, 9))
    assert logits.shape == (5, 9, 6) and logits.dtype == torch.float32
    torch.testing.assert_close(logits.exp().sum(dim=-1), torch.ones(5, 9))
    expected = torch.nn.functional.cross_entropy(logits.view(45, 6), y)
    torch.testing.assert_close(loss, expected)
    assert model(x)[1] is None


def test_an_uncounted_ngram_lm_is_uniform():
    model = NGramLM(vocab_size=5, context=3)
    logits, loss = model(torch.tensor([[0, 1, 2, 3]]), torch.tensor([[1, 2, 3, 4]]))
    torch.testing.assert_close(logits.exp(), torch.full((1, 4, 5), 0.2))
    assert loss.item() == pytest.approx(math.log(5))


def test_context_zero_is_the_smoothed_unigram():
    train = [0, 0, 0, 1, 0, 1, 2, 0]  # counts 5, 2, 1 of 8; 3 distinct tokens, V = 4
    model = NGramLM.from_ids(train, context=0, vocab_size=4, smoothing=2.0)
    pretend = 2.0 * 3
    expected = (torch.tensor([5, 2, 1, 0]) + pretend / 4) / (8 + pretend)
    torch.testing.assert_close(_probs(model, [3, 1]), expected.double().expand(2, 4))


def test_an_unseen_context_falls_back_to_the_longest_seen_one():
    train = _ids(400, 5, seed=16)
    for t in range(1, len(train)):
        if train[t - 1] == 3 and train[t] == 4:
            train[t] = 0  # token 4 never follows token 3
    model3 = NGramLM.from_ids(train, context=3, vocab_size=5)
    model1 = NGramLM.from_ids(train, context=1, vocab_size=5)
    seq = [0, 3, 4]  # the 2- and 3-token contexts (3, 4) and (0, 3, 4) were never seen
    assert 4 in train and (3, 4) not in set(zip(train, train[1:], strict=False))
    torch.testing.assert_close(_probs(model3, seq)[-1], _probs(model1, seq)[-1])


def test_a_prediction_uses_only_the_last_context_tokens():
    train, seq = _ids(600, 4, seed=17), _ids(30, 4, seed=18)
    model = NGramLM.from_ids(train, context=3, vocab_size=4)
    full = _probs(model, seq)
    for t in range(3, len(seq)):
        torch.testing.assert_close(full[t], _probs(model, seq[t - 2 : t + 1])[-1])
    assert model.block_size == 3


def test_more_context_fits_the_training_text_better_with_ngram_lm():
    ids = torch.tensor(_ids(3000, 3, seed=19))
    losses = [
        NGramLM.from_ids(ids, k, vocab_size=3)(ids[None, :-1], ids[None, 1:])[1].item()
        for k in range(5)
    ]
    assert all(a > b for a, b in zip(losses, losses[1:], strict=False)), losses


def test_ngram_lm_works_with_generate_and_evaluate():
    ids = torch.tensor([0, 1, 2, 3] * 50)  # a deterministic cycle
    model = NGramLM.from_ids(ids, context=2, vocab_size=4)
    out = generate(model, torch.tensor([[1]]), max_new_tokens=7, temperature=0)
    assert out.tolist() == [[1, 2, 3, 0, 1, 2, 3, 0]]
    sampled = generate(
        model,
        torch.zeros(8, 1, dtype=torch.long),
        12,
        generator=torch.Generator().manual_seed(0),
        top_k=1,
    )
    assert torch.equal(sampled, torch.tensor([0, 1, 2, 3] * 4)[None, :13].expand(8, 13))
    assert evaluate(model, ids, block_size=16) < 0.1  # the cycle is almost certain
    assert all(not p.requires_grad for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) > 0


def test_ngram_lm_accepts_int32_ids_and_tensor_training_ids():
    model = NGramLM.from_ids(torch.tensor(_ids(100, 3, seed=20)), context=2, vocab_size=3)
    a, _ = model(torch.tensor([[0, 1, 2]], dtype=torch.int32))
    b, _ = model(torch.tensor([[0, 1, 2]]))
    torch.testing.assert_close(a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(vocab_size=0, context=2), ValueError, "vocab_size must be a positive int"),
        (dict(vocab_size=3.0, context=2), ValueError, "vocab_size must be a positive int"),
        (dict(vocab_size=4, context=1.5), ValueError, "context must be an int"),
        (dict(vocab_size=4, context=-1), ValueError, "context must be between 0 and 30"),
        (dict(vocab_size=1000, context=6), ValueError, "context must be between 0 and 5"),
        (dict(vocab_size=4, context=2, smoothing=0), ValueError, "smoothing must be a finite"),
        (dict(vocab_size=4, context=2, smoothing=-1), ValueError, "smoothing must be a finite"),
        (dict(vocab_size=4, context=2, smoothing=float("nan")), ValueError, "smoothing must"),
        (dict(vocab_size=4, context=2, smoothing=float("inf")), ValueError, "smoothing must"),
        (dict(vocab_size=4, context=2, smoothing=True), ValueError, "smoothing must"),
    ],
)
def test_ngram_lm_rejects_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        NGramLM(**kwargs)
    with pytest.raises(error, match=match):
        NGramLM.from_ids([0, 1, 0, 1, 0], **kwargs)


def test_ngram_lm_rejects_bad_training_ids():
    with pytest.raises(ValueError, match=r"train_ids holds ids outside 0\.\.2"):
        NGramLM.from_ids([0, 1, 3], context=1, vocab_size=3)
    with pytest.raises(ValueError, match="train_ids must be a 1-D sequence"):
        NGramLM.from_ids([[0, 1], [1, 0]], context=1, vocab_size=3)
    with pytest.raises(ValueError, match=r"train_ids has 2 ids: need more than context=2"):
        NGramLM.from_ids([0, 1], context=2, vocab_size=3)


def test_ngram_lm_rejects_bad_inputs_like_every_course_model():
    model = NGramLM.from_ids(_ids(50, 3, seed=21), context=2, vocab_size=3)
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        model(torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"vocabulary has ids 0\.\.2"):
        model(torch.tensor([[0, 5]]))
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.tensor([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="targets must have the input's shape"):
        model(torch.tensor([[0, 1]]), torch.tensor([[1, 2, 0]]))


def test_unseen_context_share_hand_example():
    # training contexts of length 2: (0,1) (1,0) (0,1); held-out: (0,1) (1,2) (2,2)
    share = unseen_context_share([0, 1, 0, 1, 2], [0, 1, 2, 2, 0], context=2, vocab_size=3)
    assert share == pytest.approx(2 / 3)
    assert unseen_context_share([0, 1, 2], [2, 1, 0], context=0, vocab_size=3) == 0.0


@pytest.mark.parametrize("context", [1, 2, 3])
def test_unseen_context_share_matches_sets_of_tuples(context):
    g = torch.Generator().manual_seed(context)
    train, held = (
        torch.randint(3, (60,), generator=g).tolist(),
        torch.randint(3, (40,), generator=g).tolist(),
    )
    seen = {tuple(train[t - context : t]) for t in range(context, len(train))}
    wanted = [tuple(held[t - context : t]) for t in range(context, len(held))]
    expected = sum(c not in seen for c in wanted) / len(wanted)
    assert unseen_context_share(train, held, context, 3) == pytest.approx(expected)


def test_unseen_context_share_needs_enough_tokens():
    with pytest.raises(ValueError, match="need more than context=3 tokens"):
        unseen_context_share([0, 1, 2], [0, 1, 2, 0], context=3, vocab_size=3)


def test_unseen_contexts_marks_each_prediction():
    mask = unseen_contexts([0, 1, 0, 1, 2], [0, 1, 2, 2, 0], context=2, vocab_size=3)
    # predictions of held[2], held[3], held[4] from (0,1), (1,2), (2,2)
    assert mask.tolist() == [False, True, True]


def test_contexts_seen_and_ngram_loss_name_bad_numbers():
    ids = [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError, match="context must be an int .* got 2.5"):
        contexts_seen(ids, 2.5, 3)
    with pytest.raises(ValueError, match="context must be between 0 and"):
        contexts_seen(ids, -1, 3)
    with pytest.raises(TypeError, match=r"smoothing must be a number, got '0.1' \(a str\)"):
        ngram_loss(ids, ids, 1, 3, smoothing="0.1")
    with pytest.raises(ValueError, match="vocab_size must be a positive int, got 0"):
        contexts_seen(ids, 1, 0)
