"""Tests of training.evaluation: the mean loss on held-out text, estimated or exact."""

from __future__ import annotations

import math

import pytest
import torch

from lessons_lib import BigramLM, estimate_loss, evaluate, get_batch

V = 5
DATA = torch.randint(V, (400,), generator=torch.Generator().manual_seed(0))


def test_estimate_loss_of_fresh_bigram_is_ln_v_and_repeatable(random_bigram):
    model = BigramLM(V)
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3) == pytest.approx(math.log(V))
    model = random_bigram(V)
    first = estimate_loss(model, DATA, 8, batch_size=4, batches=3)
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3) == first
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3, seed=99) != first


def test_estimate_loss_is_the_mean_loss_of_its_seeded_windows(random_bigram):
    model = random_bigram(V)
    g = torch.Generator().manual_seed(7)
    losses = [model(*get_batch(DATA, 8, 4, g))[1].item() for _ in range(3)]
    got = estimate_loss(model, DATA, 8, batch_size=4, batches=3, seed=7)
    assert got == pytest.approx(sum(losses) / 3)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_estimate_loss_and_evaluate_restore_the_mode(mode, random_bigram):
    model = random_bigram(V)
    getattr(model, mode)()
    estimate_loss(model, DATA, 8, batch_size=2, batches=1)
    assert model.training is (mode == "train")
    evaluate(model, DATA, block_size=16)
    assert model.training is (mode == "train")


def test_evaluate_matches_a_hand_computation(random_bigram):
    model = random_bigram(V)
    data = torch.tensor([0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2])  # 11 tokens
    # block_size 3: windows use x = data[0:9] and y = data[1:10]; the last token is unused
    log_probs = torch.log_softmax(model.logits_table.weight, dim=1)
    by_hand = -sum(log_probs[data[t], data[t + 1]].item() for t in range(9)) / 9
    assert evaluate(model, data, block_size=3) == pytest.approx(by_hand, rel=1e-6)
    assert evaluate(model, data.tolist(), block_size=3, batch_size=1) == pytest.approx(by_hand)


def test_evaluate_is_independent_of_batch_size(random_bigram):
    model = random_bigram(V)
    a = evaluate(model, DATA, block_size=16, batch_size=64)
    b = evaluate(model, DATA, block_size=16, batch_size=3)
    assert a == pytest.approx(b, rel=1e-6)


def test_evaluate_needs_more_than_one_window():
    with pytest.raises(ValueError, match=r"Need more than block_size=8 tokens, got 8"):
        evaluate(BigramLM(V), torch.arange(8) % V, block_size=8)
