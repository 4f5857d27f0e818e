"""Tests of models.bigram: the bigram model, bigram counts and probabilities."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from lessons_lib import BigramLM, bigram_probs, count_bigrams


def _random_model(vocab_size: int = 5, seed: int = 0) -> BigramLM:
    model = BigramLM(vocab_size)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.logits_table.weight.copy_(torch.randn(vocab_size, vocab_size, generator=g))
    return model


def _random_ids(shape, vocab_size: int = 5, seed: int = 1) -> torch.Tensor:
    return torch.randint(vocab_size, shape, generator=torch.Generator().manual_seed(seed))


# --- BigramLM -----------------------------------------------------------------------------------


def test_forward_shapes_and_no_loss_without_targets():
    model = BigramLM(7)
    logits, loss = model(torch.zeros(3, 4, dtype=torch.long))
    assert logits.shape == (3, 4, 7)
    assert loss is None


def test_first_loss_is_exactly_ln_vocab_size():
    model = BigramLM(6)
    idx = _random_ids((2, 8), 6)
    logits, loss = model(idx, _random_ids((2, 8), 6, seed=2))
    assert torch.count_nonzero(logits) == 0
    assert loss.item() == pytest.approx(math.log(6), abs=1e-6)


def test_logits_are_the_table_row_of_each_token():
    model = _random_model(5)
    idx = torch.tensor([[4, 0, 0, 2]])
    logits, _ = model(idx)
    table = model.logits_table.weight
    for t, token in enumerate(idx[0].tolist()):
        torch.testing.assert_close(logits[0, t], table[token])


def test_loss_matches_cross_entropy_reference():
    model = _random_model(5)
    idx, targets = _random_ids((3, 6)), _random_ids((3, 6), seed=9)
    logits, loss = model(idx, targets)
    reference = F.cross_entropy(logits.reshape(-1, 5), targets.reshape(-1))
    torch.testing.assert_close(loss, reference)
    # and the same number by hand: mean of -log softmax at the target
    log_probs = torch.log_softmax(model.logits_table.weight, dim=1)
    by_hand = -log_probs[idx, targets].mean()
    torch.testing.assert_close(loss, by_hand)


def test_int32_ids_are_accepted():
    # check_token_ids allows int32 ids and targets, so the model must work with them.
    model = _random_model(5)
    idx, targets = _random_ids((2, 5)), _random_ids((2, 5), seed=3)
    _, loss64 = model(idx, targets)
    _, loss32 = model(idx.int(), targets.int())
    torch.testing.assert_close(loss32, loss64)


def test_loss_backpropagates_into_the_table():
    model = BigramLM(4)
    _, loss = model(torch.tensor([[0, 1]]), torch.tensor([[1, 2]]))
    loss.backward()
    grad = model.logits_table.weight.grad
    assert grad is not None
    # only rows 0 and 1 (the tokens seen) get a gradient
    assert grad[0].abs().sum() > 0 and grad[1].abs().sum() > 0
    assert grad[2].abs().sum() == 0 and grad[3].abs().sum() == 0


@pytest.mark.parametrize("bad", [0, -3, 2.5, "5"])
def test_vocab_size_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        BigramLM(bad)


def test_idx_must_be_a_tensor():
    with pytest.raises(TypeError, match="idx must be a torch tensor of token ids, got list"):
        BigramLM(3)([[0, 1]])


def test_idx_must_be_two_dimensional():
    with pytest.raises(ValueError, match=r"shape \(B, T\).*got \(3,\).*idx\[None\]"):
        BigramLM(3)(torch.tensor([0, 1, 2]))


def test_idx_must_hold_integers():
    with pytest.raises(TypeError, match=r"integer token ids \(torch.long\), got torch.float32"):
        BigramLM(3)(torch.zeros(1, 2))


@pytest.mark.parametrize("bad_id", [-1, 3])
def test_idx_out_of_range(bad_id):
    with pytest.raises(ValueError, match=r"idx holds ids .* vocabulary has ids 0\.\.2"):
        BigramLM(3)(torch.tensor([[0, bad_id]]))


def test_targets_out_of_range():
    with pytest.raises(ValueError, match=r"targets holds ids from 0 to 7"):
        BigramLM(3)(torch.tensor([[0, 1]]), torch.tensor([[0, 7]]))


def test_targets_shape_must_match():
    with pytest.raises(ValueError, match=r"targets must have the input's shape \(1, 2\)"):
        BigramLM(3)(torch.tensor([[0, 1]]), torch.tensor([[0, 1, 2]]))


# --- count_bigrams ------------------------------------------------------------------------------


def test_count_bigrams_hand_example():
    counts = count_bigrams(torch.tensor([0, 1, 1, 2, 0, 1]), 3)
    expected = torch.tensor([[0, 2, 0], [0, 1, 1], [1, 0, 0]])
    torch.testing.assert_close(counts, expected)


def test_count_bigrams_matches_python_loop():
    vocab_size = 6
    ids = _random_ids((300,), vocab_size)
    reference = [[0] * vocab_size for _ in range(vocab_size)]
    seq = ids.tolist()
    for a, b in zip(seq[:-1], seq[1:], strict=True):
        reference[a][b] += 1
    counts = count_bigrams(ids, vocab_size)
    assert counts.shape == (vocab_size, vocab_size)
    torch.testing.assert_close(counts, torch.tensor(reference))
    assert int(counts.sum()) == len(seq) - 1


def test_count_bigrams_accepts_a_list():
    torch.testing.assert_close(count_bigrams([1, 0], 2), torch.tensor([[0, 0], [1, 0]]))


@pytest.mark.parametrize("ids", [[], [2]])
def test_count_bigrams_of_fewer_than_two_tokens_is_all_zero(ids):
    counts = count_bigrams(torch.tensor(ids, dtype=torch.long), 3)
    assert counts.shape == (3, 3)
    assert int(counts.sum()) == 0


def test_count_bigrams_rejects_2d_ids():
    with pytest.raises(ValueError, match=r"ids must be a 1-D sequence of token ids, got shape"):
        count_bigrams(torch.zeros(2, 3, dtype=torch.long), 3)


def test_count_bigrams_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match=r"ids holds ids from 0 to 5.*ids 0\.\.2"):
        count_bigrams(torch.tensor([0, 5]), 3)


# --- bigram_probs and from_counts -------------------------------------------------------------


def test_bigram_probs_hand_example():
    counts = torch.tensor([[1, 3], [0, 0]])
    probs = bigram_probs(counts, smoothing=1.0)
    torch.testing.assert_close(probs, torch.tensor([[2 / 6, 4 / 6], [0.5, 0.5]]))
    assert probs.dtype == torch.float32


def test_bigram_probs_without_smoothing_is_plain_frequency():
    probs = bigram_probs(torch.tensor([[1, 3], [2, 2]]), smoothing=0.0)
    torch.testing.assert_close(probs, torch.tensor([[0.25, 0.75], [0.5, 0.5]]))


def test_bigram_probs_rows_sum_to_one_and_are_positive():
    counts = count_bigrams(_random_ids((200,), 7), 7)
    probs = bigram_probs(counts, smoothing=0.5)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(7))
    assert bool((probs > 0).all())


def test_bigram_probs_zero_row_without_smoothing():
    with pytest.raises(ValueError, match="A row of counts is all zero.*use smoothing > 0"):
        bigram_probs(torch.tensor([[1, 1], [0, 0]]), smoothing=0.0)


def test_bigram_probs_negative_smoothing():
    with pytest.raises(ValueError, match=r"smoothing .* must be >= 0, got -1"):
        bigram_probs(torch.ones(2, 2), smoothing=-1)


def test_from_counts_table_is_log_probs_and_softmax_gives_them_back():
    counts = count_bigrams(_random_ids((100,), 4), 4)
    model = BigramLM.from_counts(counts, smoothing=1.0)
    probs = bigram_probs(counts, smoothing=1.0)
    torch.testing.assert_close(model.logits_table.weight.exp(), probs)
    torch.testing.assert_close(torch.softmax(model.logits_table.weight, dim=1), probs)


def test_from_counts_loss_is_mean_negative_log_probability():
    ids = _random_ids((60,), 4, seed=5)
    counts = count_bigrams(ids, 4)
    model = BigramLM.from_counts(counts, smoothing=0.1)
    probs = bigram_probs(counts, smoothing=0.1)
    _, loss = model(ids[None, :-1], ids[None, 1:])
    expected = -probs[ids[:-1], ids[1:]].log().mean()
    torch.testing.assert_close(loss, expected)


def test_counted_model_beats_a_random_table_on_its_own_data():
    ids = _random_ids((400,), 5, seed=6)
    counted = BigramLM.from_counts(count_bigrams(ids, 5), smoothing=1e-3)
    x, y = ids[None, :-1], ids[None, 1:]
    assert counted(x, y)[1] < _random_model(5)(x, y)[1]
    assert counted(x, y)[1] < BigramLM(5)(x, y)[1]  # and the uniform start


def test_bigram_probs_names_bad_smoothing_and_counts():
    counts = torch.ones(3, 3)
    with pytest.raises(TypeError, match=r"smoothing .* must be a number, got '1' \(a str\)"):
        bigram_probs(counts, smoothing="1")
    with pytest.raises(ValueError, match=r"counts must be a square \(V, V\) table.*\(3, 4\)"):
        bigram_probs(torch.ones(3, 4))
    with pytest.raises(TypeError, match="counts must be a torch.Tensor, got list"):
        BigramLM.from_counts([[1, 2], [3, 4]])
