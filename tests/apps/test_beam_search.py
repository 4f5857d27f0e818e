"""Beam search: one beam is greedy, a wider beam finds the more probable sequence."""

import itertools
import math

import pytest
import torch

from lessons_lib.apps.beam_search import beam_search, greedy_decode

BOS, EOS = 0, 1


def random_model(V: int = 5, seed: int = 0):
    """A next-token model whose distribution depends on the last two tokens: (K, t) -> (K, V)."""
    g = torch.Generator().manual_seed(seed)
    table = torch.randn(V, V, V, generator=g).mul(2).log_softmax(-1)  # (prev2, prev1, next)
    table[:, :, BOS] = -math.inf  # bos never comes again

    def step(prefixes: torch.Tensor) -> torch.Tensor:
        before = prefixes[:, -2] if prefixes.shape[1] > 1 else torch.full_like(prefixes[:, 0], BOS)
        return table[before, prefixes[:, -1]]

    return step


def sequence_log_prob(step, tokens: list[int], finished: bool = True) -> float:
    prefix, total = [BOS], 0.0
    for token in tokens + ([EOS] if finished else []):
        total += step(torch.tensor([prefix]))[0, token].item()
        prefix.append(token)
    return total


@pytest.mark.parametrize("seed", range(5))
def test_one_beam_is_the_greedy_loop(seed):
    step = random_model(seed=seed)
    prefix = [BOS]
    while len(prefix) <= 6:
        token = step(torch.tensor([prefix]))[0].argmax().item()
        prefix.append(token)
        if token == EOS:
            break
    tokens, log_prob = greedy_decode(step, BOS, EOS, max_len=6)
    assert tokens == [t for t in prefix[1:] if t != EOS]
    assert log_prob == pytest.approx(sequence_log_prob(step, tokens, prefix[-1] == EOS), abs=1e-5)


def test_a_wider_beam_finds_the_sequence_greedy_misses():
    table = torch.tensor(
        [
            [0.0, 0.1, 0.5, 0.4],  # after bos: a (2) looks best
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.3, 0.3, 0.4],  # after a: nothing is likely
            [0.0, 0.9, 0.05, 0.05],  # after b: eos, surely
        ]
    )

    def step(prefixes):
        return table[prefixes[:, -1]].log()

    greedy, greedy_lp = greedy_decode(step, BOS, EOS)
    (best, best_lp), _ = beam_search(step, BOS, EOS, beam_size=2)
    assert greedy == [2, 3] and greedy_lp == pytest.approx(math.log(0.5 * 0.4 * 0.9))
    assert best == [3] and best_lp == pytest.approx(math.log(0.4 * 0.9))
    assert best_lp > greedy_lp


@pytest.mark.parametrize("seed", range(4))
def test_a_wide_beam_finds_the_most_probable_sequence_of_all(seed):
    V, max_len = 4, 4
    step = random_model(V, seed=seed)
    candidates = [  # every finished sequence of up to max_len tokens, eos included
        (list(body), sequence_log_prob(step, list(body)))
        for length in range(max_len)
        for body in itertools.product(range(2, V), repeat=length)
    ]
    best = max(candidates, key=lambda c: c[1])
    found = beam_search(step, BOS, EOS, beam_size=V**max_len, max_len=max_len)
    finished = [hyp for hyp in found if len(hyp[0]) < max_len]
    assert finished[0][0] == best[0]
    assert finished[0][1] == pytest.approx(best[1], abs=1e-5)
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)


def test_beams_come_back_best_first_and_never_more_than_asked():
    step = random_model(6, seed=1)
    found = beam_search(step, BOS, EOS, beam_size=3, max_len=8)
    assert 1 <= len(found) <= 3
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(BOS not in tokens and EOS not in tokens for tokens, _ in found)


def test_bad_arguments_and_a_bad_model_get_clear_errors():
    step = random_model()
    with pytest.raises(ValueError, match="beam_size must be a positive int"):
        beam_search(step, BOS, EOS, beam_size=0)
    with pytest.raises(ValueError, match="max_len must be a positive int"):
        beam_search(step, BOS, EOS, max_len=0)
    with pytest.raises(ValueError, match=r"must return \(K, V\) log-probabilities for K = 1"):
        beam_search(lambda prefixes: torch.zeros(5), BOS, EOS)
    with pytest.raises(ValueError, match=r"next_log_probs must return \(K, V\).*got \(tensor"):
        beam_search(lambda prefixes: (step(prefixes), None), BOS, EOS)  # a model's (logits, loss)
    with pytest.raises(TypeError, match=r"next_log_probs, a function .* bos='<bos>'"):
        beam_search(step, "<bos>", EOS)
    with pytest.raises(TypeError, match="next_log_probs, a function"):
        beam_search(torch.zeros(1, 5), BOS, EOS)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda scores: scores * float("nan"), "next_log_probs returned NaN"),
        (lambda scores: scores.exp(), r"next_log_probs returned 0\.\d+: .* probs\.log\(\)"),
        (lambda scores: scores + 3.0, r"next_log_probs returned \d.*logits\.log_softmax"),
        (lambda scores: scores.clamp(min=0) + float("inf"), "next_log_probs returned inf"),
    ],
)
def test_scores_that_are_not_log_probabilities_are_refused(broken, message):
    step = random_model()
    with pytest.raises(ValueError, match=message):
        beam_search(lambda prefixes: broken(step(prefixes)), BOS, EOS)


def test_length_normalisation_can_prefer_a_longer_sequence():
    # after bos (0): eos (1) 0.5, a (2) 0.5; after a: eos 0.9. Plain sum: "" (log 0.5) beats
    # "a" (log 0.45); per token, "a" scores log(0.45) / 2 = -0.40 against log(0.5) / 1 = -0.69
    table = torch.tensor(
        [[0.0, 0.5, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.9, 0.05, 0.05], [0.0, 1.0, 0.0, 0.0]]
    )

    def step(prefixes):
        return table[prefixes[:, -1]].log()

    plain = beam_search(step, 0, 1, beam_size=2)
    per_token = beam_search(step, 0, 1, beam_size=2, length_penalty=1.0)
    assert plain[0][0] == [] and per_token[0][0] == [2]
    assert per_token[0][1] == pytest.approx(math.log(0.45))  # the raw log-probability
    assert {tuple(t) for t, _ in plain} == {tuple(t) for t, _ in per_token}
    for bad, error in ((-0.5, ValueError), (3, ValueError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(error):
            beam_search(step, 0, 1, length_penalty=bad)
