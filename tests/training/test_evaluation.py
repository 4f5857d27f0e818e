"""Tests of training.evaluation: the mean loss on held-out text, estimated or exact."""

from __future__ import annotations

import math

import pytest
import torch

from lessons_lib import MLPLM, BigramLM, MLPConfig, estimate_loss, evaluate, get_batch, token_losses

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
    data = torch.tensor([0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2])  # 11 tokens: 10 predictions
    log_probs = torch.log_softmax(model.logits_table.weight, dim=1)
    by_hand = -sum(log_probs[data[t], data[t + 1]].item() for t in range(10)) / 10
    assert evaluate(model, data, block_size=3) == pytest.approx(by_hand, rel=1e-6)
    assert evaluate(model, data.tolist(), block_size=3, batch_size=1) == pytest.approx(by_hand)


@pytest.mark.parametrize("stride", [1, 2, 5, 7, 8])
def test_a_model_without_context_scores_the_same_at_every_stride(stride, random_bigram):
    model = random_bigram(V)
    every_pair = evaluate(model, DATA, block_size=8, stride=1)
    assert evaluate(model, DATA, block_size=8, stride=stride) == pytest.approx(every_pair, rel=1e-6)


def _mlp(block_size):
    torch.manual_seed(0)
    return MLPLM(MLPConfig(vocab_size=V, block_size=block_size, n_embd=4, n_hidden=16))


def _by_hand(model, data, T, stride):
    """Each target j once, predicted from the window that first scores it (brute force)."""
    starts = list(range(0, len(data) - 1 - T + 1, stride))
    if starts[-1] != len(data) - 1 - T:
        starts.append(len(data) - 1 - T)
    total, done = 0.0, 0  # done: targets 1..done are scored
    with torch.no_grad():
        for s in starts:
            logits, _ = model(data[None, s : s + T])  # (1, T, V)
            for t in range(T):
                j = s + t + 1  # the target of position t
                if j > done:
                    total -= torch.log_softmax(logits[0, t], -1)[data[j]].item()
                    done = j
    assert done == len(data) - 1
    return total / done


@pytest.mark.parametrize("stride", [1, 3, 4, 6])
def test_evaluate_slides_its_window_as_documented(stride):
    model, data = _mlp(6), DATA[:101]
    got = evaluate(model, data, block_size=6, stride=stride, batch_size=5)
    assert got == pytest.approx(_by_hand(model, data, 6, stride), rel=1e-5)


def test_a_longer_context_lowers_the_loss_of_a_model_that_uses_it():
    # data that repeats a period of 6 tokens: predictable only from 5 tokens back or more
    period = torch.randint(V, (6,), generator=torch.Generator().manual_seed(3))
    data = period.repeat(80)
    model = _mlp(6)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(150):
        x, y = get_batch(data, 6, 16, torch.Generator().manual_seed(len(data)))
        _, loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    full = evaluate(model, data, block_size=6, stride=1)
    cut = evaluate(model, data, block_size=6, stride=6)
    assert full < cut


def test_evaluate_explains_a_bad_stride():
    with pytest.raises(ValueError, match=r"stride=9 would skip tokens: use at most block_size=8"):
        evaluate(BigramLM(V), DATA, block_size=8, stride=9)
    with pytest.raises(ValueError, match=r"stride must be a positive int, got 0"):
        evaluate(BigramLM(V), DATA, block_size=8, stride=0)


def test_evaluate_is_independent_of_batch_size(random_bigram):
    model = random_bigram(V)
    a = evaluate(model, DATA, block_size=16, batch_size=64)
    b = evaluate(model, DATA, block_size=16, batch_size=3)
    assert a == pytest.approx(b, rel=1e-6)


def test_evaluate_needs_more_than_one_window():
    with pytest.raises(ValueError, match=r"Need more than block_size=8 tokens, got 8"):
        evaluate(BigramLM(V), torch.arange(8) % V, block_size=8)


def test_token_losses_are_the_losses_evaluate_averages():
    model, data = _mlp(6), DATA[:101]
    losses = token_losses(model, data, block_size=6, stride=2)
    assert losses.shape == (100,)  # one per prediction: data[1] .. data[100]
    assert losses.mean().item() == pytest.approx(evaluate(model, data, block_size=6, stride=2))
    with torch.no_grad():  # the first window predicts data[1..6] from its own start
        logits, _ = model(data[None, :6])
    first = torch.nn.functional.cross_entropy(logits[0], data[1:7], reduction="none")
    assert torch.allclose(losses[:6], first, atol=1e-6)


def test_bad_sizes_are_named():
    model = BigramLM(V)
    with pytest.raises(ValueError, match=r"batches \(how many windows .*\) must be a positive int"):
        estimate_loss(model, DATA, 8, batches=0)
    with pytest.raises(ValueError, match="block_size must be a positive int, got '8'"):
        estimate_loss(model, DATA, "8")
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        evaluate(model, DATA, 8, batch_size=0)
    with pytest.raises(TypeError, match="model must be a model"):
        evaluate(None, DATA, 8)
