"""Tests of data.markov: a Markov language with a known entropy rate."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from lessons_lib import MarkovLanguage, ngram_loss, toy_language


def _h(*ps: float) -> float:
    return -sum(p * math.log(p) for p in ps if p > 0)


def _two_state(dtype: torch.dtype = torch.float64) -> MarkovLanguage:
    return MarkovLanguage(["a", "b"], 1, torch.tensor([[0.9, 0.1], [0.5, 0.5]], dtype=dtype))


# --- construction ------------------------------------------------------------------------------


def test_toy_language_shape_rows_and_words():
    lang = toy_language()
    assert lang.words == ["ka", "lo", "mi", "nu", "pe", "ri", "su", "to"]
    assert lang.order == 2 and lang.vocab_size == 8
    assert lang.transitions.shape == (8, 8, 8)
    assert lang.transitions.dtype == torch.float64
    torch.testing.assert_close(lang.transitions.sum(-1), torch.ones(8, 8, dtype=torch.float64))
    assert bool((lang.transitions > 0).all())  # the chain never gets stuck


@pytest.mark.parametrize("order", [1, 3])
def test_toy_language_of_other_orders(order):
    lang = toy_language(words=3, order=order)
    assert lang.transitions.shape == (3,) * (order + 1)
    torch.testing.assert_close(lang.transitions.sum(-1), torch.ones((3,) * order).double())
    h = [lang.conditional_entropy(k) for k in range(order + 1)]
    assert all(a >= b - 1e-12 for a, b in zip(h, h[1:], strict=False))
    assert h[-1] == pytest.approx(lang.entropy_rate())


def test_toy_language_has_a_few_likely_choices_per_context():
    lang = toy_language(words=6, choices=2)
    likely = (lang.transitions > 0.05).sum(-1)
    assert bool((likely == 2).all())


def test_toy_language_is_seeded():
    torch.testing.assert_close(toy_language(seed=3).transitions, toy_language(seed=3).transitions)
    assert not torch.equal(toy_language(seed=3).transitions, toy_language(seed=4).transitions)


@pytest.mark.parametrize("kwargs", [dict(words=1), dict(words=13), dict(words=4, choices=5)])
def test_toy_language_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match=r"words must be 2\.\.12 and choices 1\.\.words, got"):
        toy_language(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(order=0), "order"),
        (dict(order=2.0), "order"),
        (dict(words="8"), "words"),
        (dict(choices=0), "choices"),
    ],
)
def test_toy_language_sizes_are_positive_ints(kwargs, name):
    # order=0 used to report "must have shape (8,) ... got (8,)"
    with pytest.raises(ValueError, match=rf"^{name}.* must be a positive int, got"):
        toy_language(**kwargs)


def test_toy_language_refuses_a_table_too_large_to_build():
    with pytest.raises(ValueError, match=r"words=8 and order=9 need a table of 1,073,741,824"):
        toy_language(order=9)


def test_transitions_shape_must_match_words_and_order():
    with pytest.raises(ValueError, match=r"transitions must have shape \(2, 2, 2\) .*got \(2, 2\)"):
        MarkovLanguage(["a", "b"], 2, torch.full((2, 2), 0.5))


def test_order_must_be_at_least_one():
    with pytest.raises(ValueError, match=r"order \(how many previous words.*\) must be a pos"):
        MarkovLanguage(["a", "b"], 0, torch.tensor([0.5, 0.5]))


def test_transitions_must_be_a_tensor():
    with pytest.raises(TypeError, match=r"transitions must be a torch.Tensor, got list"):
        MarkovLanguage(["a", "b"], 1, [[0.5, 0.5], [0.5, 0.5]])


@pytest.mark.parametrize(
    "table", [torch.tensor([[0.5, 0.6], [0.5, 0.5]]), torch.tensor([[1.5, -0.5], [0.5, 0.5]])]
)
def test_rows_must_be_probability_distributions(table):
    with pytest.raises(ValueError, match="Each row of transitions must be a probability"):
        MarkovLanguage(["a", "b"], 1, table)


# --- stationary distribution and entropies -------------------------------------------------------


def test_stationary_hand_example():
    # pi(a) * 0.1 = pi(b) * 0.5  ->  pi = (5/6, 1/6)
    pi = _two_state().stationary()
    torch.testing.assert_close(pi, torch.tensor([5 / 6, 1 / 6], dtype=torch.float64))


def test_float32_transitions_work():
    # torch.tensor([[0.9, 0.1], ...]) is float32 by default: its rows sum to 1 only within
    # float32 precision, which the constructor accepts. The language must still work.
    lang = _two_state(torch.float32)
    torch.testing.assert_close(lang.stationary(), _two_state().stationary())
    assert lang.entropy_rate() == pytest.approx(_two_state().entropy_rate(), rel=1e-6)


def test_stationary_is_invariant_and_sums_to_one():
    lang = toy_language(words=5)
    pi = lang.stationary()
    assert pi.shape == (5, 5)
    assert float(pi.sum()) == pytest.approx(1.0)
    torch.testing.assert_close((pi[..., None] * lang.transitions).sum(dim=0), pi)


def test_stationary_of_a_periodic_chain_raises():
    table = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    with pytest.raises(RuntimeError, match="did not settle"):
        MarkovLanguage(["a", "b", "c"], 1, table).stationary()


def test_entropies_of_the_two_state_chain_by_hand():
    lang = _two_state()
    rate = 5 / 6 * _h(0.9, 0.1) + 1 / 6 * _h(0.5, 0.5)
    assert lang.entropy_rate() == pytest.approx(rate, rel=1e-12)
    assert lang.conditional_entropy(0) == pytest.approx(_h(5 / 6, 1 / 6), rel=1e-12)
    assert lang.conditional_entropy(7) == pytest.approx(rate, rel=1e-12)


def test_block_probs_sum_to_one():
    block = toy_language(words=4).block_probs()
    assert block.shape == (4, 4, 4)
    assert float(block.sum()) == pytest.approx(1.0)


def test_conditional_entropies_match_brute_force_enumeration():
    lang = toy_language(words=4, seed=2)
    V, T, pi = 4, lang.transitions, lang.stationary()
    joint = {}  # P(a, b, c) for every window of three words
    for a, b, c in itertools.product(range(V), repeat=3):
        joint[a, b, c] = float(pi[a, b] * T[a, b, c])
    p_bc = {(b, c): sum(joint[a, b, c] for a in range(V)) for b in range(V) for c in range(V)}
    p_b = {b: sum(p_bc[b, c] for c in range(V)) for b in range(V)}
    p_c = {c: sum(p_bc[b, c] for b in range(V)) for c in range(V)}
    h2 = -sum(p * math.log(float(T[a, b, c])) for (a, b, c), p in joint.items())
    h1 = -sum(p * math.log(p / p_b[b]) for (b, _), p in p_bc.items())
    h0 = -sum(p * math.log(p) for p in p_c.values())
    assert lang.entropy_rate() == pytest.approx(h2, rel=1e-9)
    assert lang.conditional_entropy(2) == pytest.approx(h2, rel=1e-9)
    assert lang.conditional_entropy(1) == pytest.approx(h1, rel=1e-9)
    assert lang.conditional_entropy(0) == pytest.approx(h0, rel=1e-9)


def test_more_context_never_raises_the_floor():
    lang = toy_language()
    h = [lang.conditional_entropy(k) for k in range(4)]
    assert h[0] > h[1] > h[2] == h[3] == lang.entropy_rate()
    assert 0 < h[2] < math.log(8)


@pytest.mark.parametrize("context", [-1, 1.5, "2"])
def test_context_must_be_an_int_of_at_least_zero(context):
    with pytest.raises(ValueError, match=r"context \(how many previous words .*\) must be an int"):
        toy_language().conditional_entropy(context)


# --- sampling ----------------------------------------------------------------------------------


def test_sample_length_range_and_seed():
    lang = toy_language()
    ids = lang.sample(500, seed=1)
    assert ids.shape == (500,) and ids.dtype == torch.long
    assert int(ids.min()) >= 0 and int(ids.max()) < 8
    torch.testing.assert_close(ids, lang.sample(500, seed=1))
    assert not torch.equal(ids, lang.sample(500, seed=2))


def test_sample_of_exactly_order_words():
    assert toy_language().sample(2).shape == (2,)


def test_sample_needs_at_least_order_words():
    with pytest.raises(ValueError, match="n must be at least order=2, got 1"):
        toy_language().sample(1)
    with pytest.raises(ValueError, match="n must be a positive int, got 100.0"):
        toy_language().sample(100.0)


def test_sample_follows_the_transition_probabilities():
    ids = _two_state().sample(40_000, seed=0).tolist()
    after_a = [b for a, b in zip(ids[:-1], ids[1:], strict=True) if a == 0]
    assert abs(after_a.count(1) / len(after_a) - 0.1) < 0.01
    assert abs(ids.count(0) / len(ids) - 5 / 6) < 0.02


def test_empirical_loss_of_the_true_model_approaches_the_entropy_rate():
    lang = toy_language(words=4, seed=1)
    ids = lang.sample(60_000, seed=3)
    T = lang.transitions
    nll = -T[ids[:-2], ids[1:-1], ids[2:]].log().mean().item()
    assert nll == pytest.approx(lang.entropy_rate(), abs=0.02)


def test_counted_ngram_losses_approach_the_conditional_entropies():
    lang = toy_language(words=4, seed=1)
    train, held = lang.sample(60_000, seed=4), lang.sample(20_000, seed=5)
    for k in (0, 1, 2):
        got = ngram_loss(train, held, k, 4, smoothing=0.01)
        assert got == pytest.approx(lang.conditional_entropy(k), abs=0.03), k


def test_decode():
    assert toy_language().decode(torch.tensor([0, 1, 7])) == "ka lo to"
    assert toy_language().decode([]) == ""


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        ([0, -1], ValueError, r"ids must be 0\.\.7 \(one per word\), got -1"),  # not the last word
        ([0, 8], ValueError, r"ids must be 0\.\.7 \(one per word\), got 8"),
        ([2.7], TypeError, r"ids must hold int token ids, got 2\.7"),
        ("01", TypeError, r"ids must be a sequence of int token ids, got '01'"),
    ],
)
def test_decode_refuses_what_is_not_a_word_id(ids, error, message):
    with pytest.raises(error, match=message):
        toy_language().decode(ids)
