"""Chapter 04's exercises: each checker passes the model answer and explains common mistakes."""

from __future__ import annotations

import inspect
import math

import pytest
import torch
import torch.nn.functional as F

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch04
from lessons_lib.parts.sampling import top_k_filter as library_top_k

NAMES = ["stable_softmax", "cross_entropy_from_logits", "top_k_filter"]
INF = float("inf")


def _naive_softmax(x):
    return x.exp() / x.exp().sum(dim=-1, keepdim=True)


def _global_max_softmax(x):
    shifted = x - x.max()  # one max for the whole tensor: rows far below it underflow
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)


def _no_keepdim_softmax(x):
    shifted = x - x.max(dim=-1).values  # (3,) against (3, 5): broadcasts along the wrong dim
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)


def _global_max_cross_entropy(logits, targets):
    m = logits.max()  # one max for the whole batch: a row far below it underflows to 0
    log_probs = logits - (m + (logits - m).exp().sum(dim=-1, keepdim=True).log())
    return -log_probs[torch.arange(len(targets)), targets].mean()


def _sum_everything_softmax(x):
    shifted = x - x.max(dim=-1, keepdim=True).values
    return shifted.exp() / shifted.exp().sum()


def _ce(log_probs_of, reduce="mean", sign=-1.0):
    def cross_entropy(logits, targets):
        picked = log_probs_of(logits)[torch.arange(len(targets)), targets]
        return sign * (picked.mean() if reduce == "mean" else picked.sum())

    return cross_entropy


def _cut_with(value, compare=torch.lt, k_shift=0):
    def top_k(logits, k):
        kth = logits.topk(k + k_shift, dim=-1).values[..., -1:]
        return logits.masked_fill(compare(logits, kth), value)

    return top_k


def _in_place_top_k(logits, k):
    return logits.masked_fill_(logits < logits.topk(k, dim=-1).values[..., -1:], -INF)


def _lowest_k(logits, k):
    return logits.masked_fill(logits > logits.topk(k, largest=False).values[..., -1:], -INF)


def _one_row_only(logits, k):
    flat = logits.flatten()
    return logits.masked_fill(logits < flat.topk(k).values[-1], -INF)


WRONG = [
    ("stable_softmax", _naive_softmax, "exp(1000) overflows to inf. Subtract the largest"),
    ("stable_softmax", _global_max_softmax, "subtract each row's own max"),
    ("stable_softmax", _sum_everything_softmax, "each row must sum to 1"),
    ("stable_softmax", lambda x: torch.softmax(x, dim=-1), "write softmax yourself"),
    ("stable_softmax", lambda x: x.softmax(dim=-1), "write softmax yourself"),
    ("stable_softmax", lambda x: F.softmax(x, dim=-1), "write softmax yourself"),
    ("stable_softmax", lambda x: x.exp(), "must sum to 1"),
    ("stable_softmax", _no_keepdim_softmax, "keepdim=True"),
    ("cross_entropy_from_logits", _ce(lambda z: z.softmax(-1).log()), "softmax(...).log()"),
    ("cross_entropy_from_logits", _ce(lambda z: z.log_softmax(-1), sign=1.0), "*negative*"),
    ("cross_entropy_from_logits", _ce(lambda z: z.log_softmax(-1), "sum"), "the sum: take the"),
    ("cross_entropy_from_logits", lambda z, t: F.cross_entropy(z, t), "compute it yourself"),
    ("cross_entropy_from_logits", _ce(lambda z: z.log_softmax(0)), "average -log softmax"),
    ("cross_entropy_from_logits", _global_max_cross_entropy, "each row's own max"),
    ("top_k_filter", _cut_with(0.0), "not 0 (exp(0) = 1 is not probability 0)"),
    ("top_k_filter", _cut_with(-INF, torch.le), "kept 1 token, not 2: check for an off-by-one"),
    ("top_k_filter", _cut_with(-INF, k_shift=1), "kept 3 tokens, not 2"),
    ("top_k_filter", _lowest_k, "kept the 2 *lowest* scores"),
    ("top_k_filter", _in_place_top_k, "your function changed its input"),
    ("top_k_filter", _one_row_only, "each row of 9 scores must keep its own top 3"),
    ("top_k_filter", lambda z, k: _cut_with(-INF)(z, k).softmax(-1), "you returned probabilities"),
]


def test_chapter_04_exercises_are_registered():
    assert set(NAMES) <= set(ex.names())


@pytest.mark.parametrize(
    ("name", "answer", "words"), WRONG, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG)]
)
def test_a_wrong_answer_gets_a_specific_hint(name, answer, words):
    passed, message = ex.run_check(name, answer)
    assert not passed
    assert words in message, message
    assert message.endswith(f'(Hint: ex.solution("{name}") shows one answer.)')


@pytest.mark.parametrize("name", NAMES)
def test_a_model_solution_runs_where_only_torch_is_imported(name):
    """A learner pastes the shown solution into the notebook: it must not need this module."""
    source = inspect.getsource(ex.REGISTRY[name].solution)
    namespace = {"torch": torch}
    exec(source, namespace)  # the notebook imports torch, nothing from exercises.ch04
    passed, message = ex.run_check(name, namespace[name])
    assert passed, message


def test_forbidden_builtins_are_restored_after_a_check():
    ex.run_check("stable_softmax", lambda x: torch.softmax(x, dim=-1))
    ex.run_check("cross_entropy_from_logits", lambda z, t: F.cross_entropy(z, t))
    x = torch.tensor([1.0, 2.0])
    torch.testing.assert_close(torch.softmax(x, dim=-1), x.softmax(dim=-1))
    torch.testing.assert_close(F.softmax(x, dim=-1), F.log_softmax(x, dim=-1).exp())
    assert "softmax" not in vars(torch.Tensor)  # the inherited method shows through again
    loss = F.cross_entropy(torch.zeros(1, 2), torch.tensor([0]))
    assert loss.item() == pytest.approx(math.log(2))


def test_a_float_or_one_element_loss_is_accepted():
    def as_float(logits, targets):
        return ch04.cross_entropy_from_logits(logits, targets).item()

    def as_one_element(logits, targets):
        return ch04.cross_entropy_from_logits(logits, targets).reshape(1)

    assert ex.run_check("cross_entropy_from_logits", as_float)[0]
    assert ex.run_check("cross_entropy_from_logits", as_one_element)[0]


# --- the model answers themselves, against PyTorch and the library ------------------------------


def test_stable_softmax_matches_torch_and_survives_huge_scores():
    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(0)) * 500
    torch.testing.assert_close(ch04.stable_softmax(x), torch.softmax(x, dim=-1))
    x[1, :5] = -INF
    torch.testing.assert_close(ch04.stable_softmax(x), torch.softmax(x, dim=-1))


def test_cross_entropy_from_logits_matches_f_cross_entropy():
    logits = torch.randn(8, 5, generator=torch.Generator().manual_seed(1)) * 100
    targets = torch.randint(5, (8,), generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(
        ch04.cross_entropy_from_logits(logits, targets), F.cross_entropy(logits, targets)
    )


def test_top_k_filter_matches_the_library():
    logits = torch.randn(3, 4, 10, generator=torch.Generator().manual_seed(3))
    for k in (1, 4, 10):
        torch.testing.assert_close(ch04.top_k_filter(logits, k), library_top_k(logits, k))
