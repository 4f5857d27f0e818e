"""Tests of chapter 10's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import re

import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import FORGOT_RETURN, ch10, ch10_buckets

NAMES = [
    "accumulate_gradients",
    "checkpoint_blocks",
    "ddp_buckets",
    "ring_all_reduce",
    "to_bfloat16",
]


def _whole_batch(model, x, y, k):
    model.zero_grad()
    _, loss = model(x, y)
    loss.backward()
    return loss.item()


def _no_division(model, x, y, k):
    model.zero_grad()
    for xm, ym in zip(x.chunk(k), y.chunk(k), strict=True):
        model(xm, ym)[1].backward()
    return 1.0


def _no_zeroing(model, x, y, k):
    for xm, ym in zip(x.chunk(k), y.chunk(k), strict=True):
        (model(xm, ym)[1] / k).backward()
    return 1.0


def _wrap_all_blocks(model, n):
    return ex.REGISTRY["checkpoint_blocks"].solution(model, len(model.blocks))


def _keyword_call(model, x, y, k):
    model.zero_grad()
    total = 0.0
    for xm, ym in zip(x.chunk(k), y.chunk(k), strict=True):
        _, loss = model(idx=xm, targets=ym)  # keywords: the check must still see each pass
        (loss / k).backward()
        total = total + loss / k
    return total  # a tensor that requires grad: the check takes its value


def test_keyword_calls_and_a_tensor_loss_pass_without_warnings(recwarn):
    passed, message = ex.run_check("accumulate_gradients", _keyword_call)
    assert passed, message
    assert not [w for w in recwarn if "requires_grad" in str(w.message)]


def _last_loss_only(model, x, y, k):
    model.zero_grad()
    for xm, ym in zip(x.chunk(k), y.chunk(k), strict=True):
        _, loss = model(xm, ym)
        (loss / k).backward()
    return loss.item()


def _everyone_to_everyone(tensors, send):
    n = len(tensors)
    return [sum(send(src, dst, tensors[src]) for src in range(n)) for dst in range(n)]


def _no_communication(tensors, send):
    total = torch.stack(tensors).sum(0)
    return [total.clone() for _ in tensors]


def _ring_mean(tensors, send):
    return [t / len(tensors) for t in ex.REGISTRY["ring_all_reduce"].solution(tensors, send)]


def _whole_tensor_round_the_ring(tensors, send):
    n = len(tensors)
    totals = [t.clone() for t in tensors]
    passing = [t.clone() for t in tensors]
    for _ in range(n - 1):
        passing = [send((r - 1) % n, r, passing[(r - 1) % n]) for r in range(n)]
        totals = [a + b for a, b in zip(totals, passing, strict=True)]
    return totals


def _reduce_scatter_only(tensors, send):
    n = len(tensors)
    chunks = [list(t.clone().chunk(n)) for t in tensors]
    for step in range(n - 1):
        outgoing = [(r, (r - step) % n, chunks[r][(r - step) % n]) for r in range(n)]
        for r, c, piece in outgoing:
            chunks[(r + 1) % n][c] = chunks[(r + 1) % n][c] + send(r, (r + 1) % n, piece)
    return [torch.cat(c) for c in chunks]


def _wrap_last_blocks(model, n):
    for i in range(len(model.blocks) - n, len(model.blocks)):
        model.blocks[i] = ch10._Checkpointed(model.blocks[i])
    return model


def _cut_off(x):
    return (x.view(torch.int32) & -65536).view(torch.float32)


def _ties_away_from_zero(x):
    return ((x.view(torch.int32) + 0x8000) & -65536).view(torch.float32)


def _bucket_slip(slip):
    return lambda sizes, first_cap, cap: ch10_buckets._slip(sizes, first_cap, cap, slip)


WRONG = [
    ("ddp_buckets", _bucket_slip("after"), "Close a bucket as soon as it reaches the cap"),
    ("ddp_buckets", _bucket_slip("one cap"), "its own, smaller cap"),
    ("ddp_buckets", _bucket_slip("first cap"), "Only the first bucket closes at first_cap"),
    ("ddp_buckets", _bucket_slip("over"), "close it at >= cap"),
    ("ddp_buckets", lambda s, f, c: [*ch10_buckets.ddp_buckets(s, f, c), 0], "No empty bucket"),
    ("ddp_buckets", lambda sizes, first_cap, cap: [sum(sizes[:-1])], "the bytes must add up"),
    ("accumulate_gradients", _whole_batch, "run 4 micro-batches of 8"),
    ("accumulate_gradients", _no_division, "divide each micro-batch's loss by k"),
    ("accumulate_gradients", _no_zeroing, "call model.zero_grad() first"),
    ("accumulate_gradients", _last_loss_only, "return the batch's loss"),
    ("checkpoint_blocks", lambda model, n: model, "call torch.utils.checkpoint.checkpoint"),
    ("checkpoint_blocks", _wrap_all_blocks, "n = 0 wraps no block"),
    ("checkpoint_blocks", _wrap_last_blocks, "wrap the first n"),
    ("ring_all_reduce", _everyone_to_everyone, "each rank sends only to its neighbour"),
    ("ring_all_reduce", _no_communication, "chunks of 24/N = 12 numbers"),
    ("ring_all_reduce", _ring_mean, "that is the mean"),
    ("ring_all_reduce", _whole_tensor_round_the_ring, "one chunk per rank per step"),
    ("ring_all_reduce", _reduce_scatter_only, "then all-gather"),
    ("to_bfloat16", _cut_off, "add half of what you drop"),
    ("to_bfloat16", _ties_away_from_zero, "ties to even"),
    ("to_bfloat16", lambda x: x.to(torch.bfloat16), "return a float32 tensor"),
]


def test_chapter_10_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_model_solution_passes(name):
    passed, message = ex.run_check(name, ex.REGISTRY[name].solution)
    assert passed, message
    assert message.startswith("correct:")


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_typical_mistakes_get_a_specific_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


@pytest.mark.parametrize("name", NAMES)
def test_a_forgotten_return_is_named(name):
    passed, message = ex.run_check(name, lambda *args: None)
    assert not passed
    assert FORGOT_RETURN in message


def test_an_assert_in_the_learners_own_code_is_named_as_theirs():
    def checkpoint_blocks(model, n):
        assert n > 0
        return model

    passed, message = ex.run_check("checkpoint_blocks", checkpoint_blocks)
    assert not passed
    assert message.startswith("an assert in your code failed (")  # pytest rewrites the text
    assert "assert n > 0" in message


def test_the_checks_report_the_measured_effect():
    _, message = ex.run_check("accumulate_gradients", ex.REGISTRY["accumulate_gradients"].solution)
    assert "MB of activations instead of" in message
    _, message = ex.run_check("ring_all_reduce", ex.REGISTRY["ring_all_reduce"].solution)
    assert "1.00x for 2, 1.33x for 3, 1.50x for 4, 1.75x for 8 ranks" in message


def test_the_ring_hint_names_the_chunk_size():
    passed, message = ex.run_check("ring_all_reduce", _no_communication)
    assert not passed
    assert "2 (N-1) = 2 chunks of 24/N = 12 numbers, 24 in all" in message
    _, message = ex.run_check("checkpoint_blocks", ex.REGISTRY["checkpoint_blocks"].solution)
    assert "the activations kept fall with each block you wrap (0: " in message


def test_to_bfloat16_reports_the_relative_errors_it_measured():
    passed, message = ex.run_check("to_bfloat16", ex.REGISTRY["to_bfloat16"].solution)
    assert passed, message
    errors = [float(e) for e in re.findall(r"error ([0-9.]+)%|range: ([0-9.]+)%", message)[0] if e]
    assert errors and errors[0] <= 100 * 2**-8 + 1e-3
    assert "become inf" in message
