"""Tests of lessons_lib.ngram: context codes, counting n-gram losses, contexts seen."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch

from lessons_lib import BigramLM, bigram_probs, contexts_seen, count_bigrams, ngram_loss
from lessons_lib.ngram import context_codes


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
