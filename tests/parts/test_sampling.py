"""Tests of parts.sampling (greedy, temperature, top-k, top-p) and of generate using it."""

from __future__ import annotations

import doctest
import importlib
import math
import sys
import types

import pytest
import torch

import lessons_lib
from lessons_lib import BigramLM, generate
from lessons_lib.parts.sampling import apply_temperature, sample, top_k_filter, top_p_filter
from lessons_lib.parts.softmax import softmax

INF = float("inf")
N_DRAWS = 20_000
# Each empirical frequency of N_DRAWS independent draws has the binomial standard error
# sqrt(p (1 - p) / N_DRAWS) <= 0.0036. Allowing 5 standard errors makes a false alarm
# (|z| > 5) a 6e-7 event per frequency, while a wrong distribution (e.g. a forgotten
# temperature, which moves frequencies by several percent) still fails by a wide margin.
N_STANDARD_ERRORS = 5.0

# hand-worked example: probabilities 0.1, 0.5, 0.15, 0.25 (sorted: 0.5, 0.25, 0.15, 0.1),
# cumulative mass in that order: 0.5, 0.75, 0.9, 1.0
PROBS = torch.tensor([0.1, 0.5, 0.15, 0.25])
LOGITS = PROBS.log()
sample_module = importlib.import_module("lessons_lib.parts.sampling")


def _draw(logits: torch.Tensor, n: int = N_DRAWS, seed: int = 0, **options) -> torch.Tensor:
    """``n`` draws from one row of logits: sample once from a batch of ``n`` identical rows."""
    batch = logits.expand(n, -1)  # (V,) -> (n, V), a view: no copy
    ids = sample(batch, generator=torch.Generator().manual_seed(seed), **options)  # (n, 1)
    assert ids.shape == (n, 1) and ids.dtype == torch.long
    return ids[:, 0]


def _assert_frequencies_match(ids: torch.Tensor, probs: torch.Tensor) -> None:
    n = ids.numel()
    freqs = torch.bincount(ids, minlength=probs.numel()).double() / n
    probs = probs.double()
    tolerance = N_STANDARD_ERRORS * (probs * (1 - probs) / n).sqrt()
    assert bool((freqs - probs).abs().le(tolerance).all()), (freqs, probs, tolerance)
    assert bool(freqs[probs == 0].eq(0).all())  # impossible tokens are never drawn


def _kept(filtered: torch.Tensor) -> set[int]:
    return set(torch.isfinite(filtered).nonzero().flatten().tolist())


# ---------------------------------------------------------------- frequencies and temperature


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_frequencies_follow_softmax_of_logits_over_temperature(temperature):
    logits = torch.tensor([1.0, 2.0, 0.5, -1.0, 1.5])
    ids = _draw(logits, temperature=temperature, seed=int(temperature * 10))
    _assert_frequencies_match(ids, softmax(logits / temperature))


def test_temperature_changes_the_frequencies():
    # the same draws cannot match two different temperatures: the test above has teeth
    logits = torch.tensor([1.0, 2.0, 0.5, -1.0, 1.5])
    ids = _draw(logits, temperature=2.0, seed=20)
    with pytest.raises(AssertionError):
        _assert_frequencies_match(ids, softmax(logits))


def test_apply_temperature_divides_the_logits():
    logits = torch.tensor([[2.0, -4.0, 1.0]])
    torch.testing.assert_close(apply_temperature(logits, 0.5), torch.tensor([[4.0, -8.0, 2.0]]))
    torch.testing.assert_close(apply_temperature(logits, 2), logits / 2)
    assert apply_temperature(logits, 1.0) is logits


def test_temperature_towards_zero_approaches_greedy():
    logits = torch.tensor([0.3, 1.2, 1.0, -0.5])  # the winner leads by only 0.2
    top_probs = [softmax(apply_temperature(logits, t))[1].item() for t in (2, 1, 0.5, 0.1, 0.01)]
    assert top_probs == sorted(top_probs) and top_probs[-1] > 1 - 1e-8
    assert bool((_draw(logits, n=5_000, temperature=0.01) == 1).all())
    assert bool((_draw(logits, n=5_000, temperature=1e-6) == 1).all())  # huge scores stay stable


def test_high_temperature_approaches_uniform():
    probs = softmax(apply_temperature(torch.tensor([5.0, -3.0, 0.0]), 1e4))
    torch.testing.assert_close(probs, torch.full((3,), 1 / 3), atol=1e-3, rtol=0)


# --------------------------------------------------------------------------------- greedy


def test_greedy_equals_argmax():
    logits = torch.randn(4, 3, 10, generator=torch.Generator().manual_seed(0))
    greedy = sample(logits, temperature=0)
    torch.testing.assert_close(greedy, logits.argmax(dim=-1, keepdim=True))
    # top-k and top-p cannot change the greedy choice
    torch.testing.assert_close(sample(logits, temperature=0, top_k=3, top_p=0.2), greedy)


def test_greedy_uses_no_randomness_and_breaks_ties_by_the_first_id():
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    assert sample(torch.tensor([1.0, 3.0, 3.0, -INF]), temperature=0, generator=g).item() == 1
    assert torch.equal(g.get_state(), state)


# -------------------------------------------------------------------------------- top-k


def test_top_k_keeps_the_k_highest_on_a_hand_worked_example():
    logits = torch.tensor([1.0, 3.0, 2.0, 0.5, 2.5])
    assert _kept(top_k_filter(logits, 1)) == {1}
    assert _kept(top_k_filter(logits, 2)) == {1, 4}
    assert _kept(top_k_filter(logits, 3)) == {1, 2, 4}
    filtered = top_k_filter(logits, 3)
    torch.testing.assert_close(filtered[[1, 2, 4]], logits[[1, 2, 4]])  # kept scores unchanged
    assert filtered[0].item() == -INF and filtered[3].item() == -INF


def test_top_k_larger_than_the_vocabulary_is_clamped():
    logits = torch.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, -INF]])
    torch.testing.assert_close(top_k_filter(logits, 3), logits)
    torch.testing.assert_close(top_k_filter(logits, 1000), logits)
    assert sample(logits, top_k=1000).shape == (2, 1)


def test_top_k_works_row_by_row_and_keeps_ties():
    logits = torch.tensor([[2.0, 1.0, 1.0, 0.0], [0.0, 5.0, 4.0, 3.0]])
    filtered = top_k_filter(logits, 2)
    assert _kept(filtered[0]) == {0, 1, 2}  # tied with the 2nd highest: both kept
    assert _kept(filtered[1]) == {1, 2}


def test_top_k_never_draws_outside_its_set_and_renormalises():
    logits = torch.tensor([1.0, 3.0, 2.0, 0.5, 2.5])
    ids = _draw(logits, top_k=3, seed=1)
    assert set(ids.unique().tolist()) == {1, 2, 4}
    expected = torch.zeros(5)
    expected[[1, 2, 4]] = softmax(logits[[1, 2, 4]])
    _assert_frequencies_match(ids, expected)


# -------------------------------------------------------------------------------- top-p


@pytest.mark.parametrize(
    ("top_p", "kept"),
    [
        (0.05, {1}),
        (0.3, {1}),
        (0.6, {1, 3}),
        (0.8, {1, 3, 2}),
        (0.95, {0, 1, 2, 3}),
        (1.0, {0, 1, 2, 3}),
    ],
)
def test_top_p_keeps_the_smallest_set_reaching_p_on_a_hand_worked_example(top_p, kept):
    filtered = top_p_filter(LOGITS, top_p)
    assert _kept(filtered) == kept
    torch.testing.assert_close(filtered[sorted(kept)], LOGITS[sorted(kept)])


def test_top_p_works_row_by_row_with_masked_tokens_and_ties():
    logits = torch.stack([LOGITS, torch.tensor([0.0, 0.0, -INF, math.log(2.0)])])
    filtered = top_p_filter(logits, 0.6)  # row 1: probabilities 0.25, 0.25, 0, 0.5
    assert _kept(filtered[0]) == {1, 3}
    assert _kept(filtered[1]) == {0, 1, 3}  # 0.5 + 0.25 reaches 0.6; the tied 0.25 stays too


def test_top_p_never_draws_outside_its_set_and_renormalises():
    ids = _draw(LOGITS, top_p=0.8, seed=2)
    assert set(ids.unique().tolist()) == {1, 2, 3}
    expected = PROBS.clone()
    expected[0] = 0.0
    _assert_frequencies_match(ids, expected / expected.sum())


def test_top_p_applies_after_the_temperature():
    # at T = 0.5 the probabilities become 0.5^2 : 0.25^2 : ... so token 1 alone has 0.70
    sharpened = softmax(apply_temperature(LOGITS, 0.5))
    assert sharpened[1].item() > 0.6
    assert set(_draw(LOGITS, n=2_000, temperature=0.5, top_p=0.6).unique().tolist()) == {1}
    assert set(_draw(LOGITS, n=2_000, top_p=0.6).unique().tolist()) == {1, 3}


def test_top_k_applies_before_top_p():
    # top-k 2 keeps {1, 3}: renormalised 0.67 and 0.33, so top-p 0.6 then keeps only token 1
    assert set(_draw(LOGITS, n=2_000, top_k=2, top_p=0.6).unique().tolist()) == {1}
    assert set(_draw(LOGITS, n=2_000, top_k=3, top_p=0.95).unique().tolist()) == {1, 2, 3}


# -------------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("shape", [(7,), (3, 7), (2, 4, 7)])
@pytest.mark.parametrize(
    "options",
    [{}, {"temperature": 0}, {"temperature": 0.7, "top_k": 3, "top_p": 0.9}],
    ids=["default", "greedy", "filtered"],
)
def test_shapes_dots_by_vocab_give_dots_by_one(shape, options):
    logits = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    ids = sample(logits, generator=torch.Generator().manual_seed(2), **options)
    assert ids.shape == (*shape[:-1], 1) and ids.dtype == torch.long
    assert int(ids.min()) >= 0 and int(ids.max()) < shape[-1]
    for name, fn, arg in [
        ("t", apply_temperature, 0.5),
        ("k", top_k_filter, 2),
        ("p", top_p_filter, 0.5),
    ]:
        assert fn(logits, arg).shape == logits.shape, name


def test_each_row_is_sampled_from_its_own_logits():
    # three different one-hot rows, 3-D: every draw must pick the row's own token
    logits = torch.full((2, 3, 4), -INF)
    for i, token in enumerate([2, 0, 3, 1, 1, 2]):
        logits.view(6, 4)[i, token] = 0.0
    ids = sample(logits, generator=torch.Generator().manual_seed(0))
    assert ids.flatten().tolist() == [2, 0, 3, 1, 1, 2]


def test_seeded_generator_makes_draws_repeatable():
    logits = torch.zeros(50, 10)
    a = sample(logits, generator=torch.Generator().manual_seed(3))
    b = sample(logits, generator=torch.Generator().manual_seed(3))
    c = sample(logits, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [-1, -0.01, float("nan"), INF, "1", None, True])
def test_bad_temperature_is_rejected(bad):
    with pytest.raises(ValueError, match=rf"temperature must be .*>= 0.*got {bad!r}"):
        sample(LOGITS, temperature=bad)


def test_apply_temperature_needs_a_positive_temperature_and_points_to_greedy():
    with pytest.raises(ValueError, match=r"temperature > 0.*greedy.*temperature=0"):
        apply_temperature(LOGITS, 0)
    with pytest.raises(ValueError, match=r"temperature must be >= 0.*got -2"):
        apply_temperature(LOGITS, -2)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "3", True])
def test_bad_top_k_is_rejected(bad):
    with pytest.raises(ValueError, match=rf"top_k must be an int >= 1.*got {bad!r}"):
        sample(LOGITS, top_k=bad)
    with pytest.raises(ValueError, match=rf"top_k must be an int >= 1.*got {bad!r}"):
        top_k_filter(LOGITS, bad)


@pytest.mark.parametrize("bad", [0, 0.0, -0.1, 1.5, float("nan"), "0.5"])
def test_bad_top_p_is_rejected(bad):
    with pytest.raises(ValueError, match=rf"top_p must be a number in \(0, 1\].*got {bad!r}"):
        sample(LOGITS, top_p=bad)
    with pytest.raises(ValueError, match=rf"top_p must be a number in \(0, 1\].*got {bad!r}"):
        top_p_filter(LOGITS, bad)


def test_options_are_checked_even_for_greedy():
    with pytest.raises(ValueError, match="top_k must be an int >= 1"):
        sample(LOGITS, temperature=0, top_k=0)


@pytest.mark.parametrize(
    ("logits", "error", "match"),
    [
        (torch.tensor([1, 2, 3]), TypeError, r"floating-point scores.*\.float\(\)"),
        ([1.0, 2.0], TypeError, r"torch tensor of shape \(\.\.\., vocab\), got list"),
        (torch.tensor(1.0), ValueError, r"shape \(\.\.\., vocab\) with vocab >= 1, got \(\)"),
        (torch.zeros(3, 0), ValueError, r"vocab >= 1, got \(3, 0\)"),
    ],
)
def test_bad_logits_are_rejected(logits, error, match):
    for options in ({}, {"temperature": 0}):
        with pytest.raises(error, match=match):
            sample(logits, **options)


@pytest.mark.parametrize("options", [{}, {"temperature": 0}, {"top_p": 0.5}])
def test_a_row_with_every_token_masked_is_rejected(options):
    logits = torch.tensor([[0.0, 1.0], [-INF, -INF]])
    with pytest.raises(ValueError, match=r"sample: the row at index \[1\].*is all -inf"):
        sample(logits, **options)


# ------------------------------------------------------------------------------ generate

V = 4


def _bigram(table: torch.Tensor) -> BigramLM:
    model = BigramLM(table.shape[0])
    with torch.no_grad():
        model.logits_table.weight.copy_(table)
    return model


# row i: the scores of the token after token i; each row has a clear winner
TABLE = torch.tensor(
    [[0.1, 2.0, 0.3, 1.0], [0.0, 0.5, 0.2, 1.9], [3.0, 1.0, 1.0, 0.0], [0.4, 0.3, 2.2, 0.1]]
)


def _repeated_argmax(start: list[int], steps: int) -> list[int]:
    out = list(start)
    for _ in range(steps):
        out.append(int(TABLE[out[-1]].argmax()))
    return out


def test_generate_with_temperature_zero_is_repeated_argmax():
    model = _bigram(TABLE)
    out = generate(model, torch.tensor([[0], [2]]), max_new_tokens=8, temperature=0)
    assert out.tolist() == [_repeated_argmax([0], 8), _repeated_argmax([2], 8)]
    assert _repeated_argmax([0], 4) == [0, 1, 3, 2, 0]  # the hand-worked cycle 0 1 3 2


def test_generate_with_temperature_zero_is_deterministic():
    model = _bigram(TABLE)
    runs = [
        generate(
            model, torch.tensor([1]), 12, generator=torch.Generator().manual_seed(s), temperature=0
        )
        for s in (0, 1, 2)
    ]
    assert runs[0].shape == (13,)  # 1-D in, 1-D out
    assert all(torch.equal(run, runs[0]) for run in runs)


def test_generate_with_top_k_one_or_a_tiny_top_p_is_greedy():
    model, idx = _bigram(TABLE), torch.zeros(5, 1, dtype=torch.long)
    greedy = generate(model, idx, 6, temperature=0)
    g = torch.Generator().manual_seed(0)
    assert torch.equal(generate(model, idx, 6, generator=g, top_k=1), greedy)
    assert torch.equal(generate(model, idx, 6, generator=g, top_p=0.01), greedy)


def test_generate_default_still_samples_from_the_softmax_of_the_logits():
    # the same draws as the chapter 01 recipe: torch.softmax, then torch.multinomial
    model, idx = _bigram(TABLE), torch.zeros(64, 1, dtype=torch.long)
    out = generate(model, idx, 20, generator=torch.Generator().manual_seed(5))
    g, expected = torch.Generator().manual_seed(5), idx
    for _ in range(20):
        probs = torch.softmax(TABLE[expected[:, -1]], dim=-1)  # (B, V)
        expected = torch.cat([expected, torch.multinomial(probs, 1, generator=g)], dim=1)
    assert torch.equal(out, expected)


def test_generate_passes_temperature_and_top_k_on():
    model = _bigram(TABLE)
    g = torch.Generator().manual_seed(6)
    out = generate(
        model, torch.full((N_DRAWS // 4, 1), 2), 1, generator=g, temperature=2.0, top_k=3
    )
    expected = torch.zeros(V)
    expected[[0, 1, 2]] = softmax(TABLE[2, [0, 1, 2]] / 2.0)  # token 3 is cut by top-k
    _assert_frequencies_match(out[:, 1], expected)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"temperature": -1.0}, "temperature must be >= 0"),
        ({"top_k": 0}, "top_k must be"),
        ({"top_p": 2.0}, "top_p must be"),
    ],
)
def test_generate_rejects_bad_options_before_generating(options, match):
    model = _bigram(TABLE)
    model.train()
    with pytest.raises(ValueError, match=match):
        generate(model, torch.tensor([[0]]), 0, **options)
    assert model.training is True


# ------------------------------------------------------------------------ docs and naming


def test_docstring_examples_hold():
    result = doctest.testmod(sample_module, extraglobs={"torch": torch})
    assert result.attempted >= 3 and result.failed == 0


def test_top_level_sample_is_the_function_and_its_module_keeps_its_own_name():
    assert lessons_lib.sample is sample  # L.sample(logits): the function
    assert lessons_lib.parts.sampling is sample_module  # no longer shadowed by the function
    assert "sample" in lessons_lib.__all__
    assert isinstance(sample_module, types.ModuleType)
    assert sys.modules["lessons_lib.parts.sampling"] is sample_module
    assert sample_module.top_p_filter is top_p_filter
    assert "chapter 04" in sample_module.__doc__
    from lessons_lib.parts.sampling import top_k_filter as from_the_module

    assert from_the_module is top_k_filter


def test_generate_works_for_a_model_without_parameters():
    class Cycle(torch.nn.Module):  # no parameters, no buffers: token i -> token (i + 1) % 3
        def forward(self, idx, targets=None):
            return torch.nn.functional.one_hot((idx + 1) % 3, 3).float() * 50, None

    out = generate(Cycle(), torch.tensor([[1]]), 4, generator=torch.Generator().manual_seed(0))
    assert out.tolist() == [[1, 2, 0, 1, 2]]


# ------------------------------------------------------------- one temperature per row


def test_a_tensor_temperature_gives_each_row_its_own():
    logits = torch.tensor([1.0, 2.0, 0.5, -1.0, 1.5])
    batch = logits.expand(2 * N_DRAWS, -1)  # (2N, V)
    temperature = torch.tensor([0.5, 2.0]).repeat_interleave(N_DRAWS)  # (2N,)
    ids = sample(batch, temperature=temperature, generator=torch.Generator().manual_seed(7))
    assert ids.shape == (2 * N_DRAWS, 1)
    _assert_frequencies_match(ids[:N_DRAWS, 0], softmax(logits / 0.5))
    _assert_frequencies_match(ids[N_DRAWS:, 0], softmax(logits / 2.0))


def test_rows_with_temperature_zero_are_greedy_and_filters_still_apply_to_the_others():
    logits = torch.randn(6, 3, 10, generator=torch.Generator().manual_seed(8))
    temperature = torch.tensor([0.0, 1.0, 0.0]).expand(6, 3)  # (6, 3): column 0 and 2 greedy
    ids = sample(logits, temperature=temperature, top_k=2, generator=torch.Generator())
    argmax = logits.argmax(dim=-1, keepdim=True)  # (6, 3, 1)
    assert torch.equal(ids[:, [0, 2]], argmax[:, [0, 2]])
    best_two = logits[:, 1].topk(2, dim=-1).indices  # (6, 2)
    assert bool((ids[:, 1] == best_two).any(dim=-1).all())


def test_apply_temperature_with_a_tensor_divides_each_row():
    logits = torch.tensor([[2.0, -4.0], [1.0, 3.0]])
    got = apply_temperature(logits, torch.tensor([0.5, 2.0]))
    torch.testing.assert_close(got, torch.tensor([[4.0, -8.0], [0.5, 1.5]]))
    with pytest.raises(ValueError, match=r"every temperature > 0.*greedy"):
        apply_temperature(logits, torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize(
    "bad",
    [
        torch.tensor([1.0, -0.5]),
        torch.tensor([1.0, float("nan")]),
        torch.tensor([INF, 1.0]),
        torch.tensor([1, 2]),
    ],
)
def test_bad_tensor_temperatures_are_rejected(bad):
    with pytest.raises(ValueError, match=r"or a float tensor of them with one per row"):
        sample(torch.zeros(2, 3), temperature=bad)


def test_a_tensor_temperature_needs_one_value_per_row():
    with pytest.raises(ValueError, match=r"one value per row: shape \(2,\).*got \(3,\)"):
        sample(torch.zeros(2, 3), temperature=torch.ones(3))
    with pytest.raises(ValueError, match=r"one value per row: shape \(2,\).*got \(2, 1\)"):
        apply_temperature(torch.zeros(2, 3), torch.ones(2, 1))


def test_generate_with_one_temperature_per_sequence():
    model = _bigram(TABLE)
    idx = torch.tensor([[0], [0], [2], [2]])
    temperature = torch.tensor([0.0, 1.5, 0.0, 1.5])
    out = generate(
        model, idx, 10, generator=torch.Generator().manual_seed(0), temperature=temperature
    )
    assert out[0].tolist() == _repeated_argmax([0], 10)
    assert out[2].tolist() == _repeated_argmax([2], 10)
    assert out[1].tolist() != _repeated_argmax([0], 10)  # sampled: leaves the greedy cycle
    with pytest.raises(ValueError, match="one value per row"):
        generate(model, idx, 2, temperature=torch.ones(3))
