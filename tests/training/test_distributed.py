"""The pieces the rank program uses, in one process (a gloo group of one rank): the windows
``DistributedSampler`` deals to each rank, the by-hand all-reduce, its timing, Ctrl-C."""

import os
import re
import signal

import pytest
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, DistributedSampler

from lessons_lib.training.distributed import (
    StepClock,
    TokenWindows,
    average_gradients,
    check_split,
    endless,
    require_torchrun,
    stop_by_hand,
    time_all_reduce,
)

DATA = torch.arange(1000) % 76  # (1000,) token ids
UNIQUE = torch.arange(1000)  # (1000,) token ids: every window different


@pytest.fixture
def one_rank_group():
    """A real process group of one rank, as torchrun --nproc 1 would make."""
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_a_window_is_the_text_and_its_target_shifted_by_one():
    windows = TokenWindows(DATA, 16)
    assert len(windows) == 1000 - 16
    x, y = windows[5]
    assert x.shape == y.shape == (16,)
    assert torch.equal(x, DATA[5:21]) and torch.equal(y, DATA[6:22])
    last_x, last_y = windows[len(windows) - 1]
    assert torch.equal(last_y[-1:], DATA[-1:])  # the last window ends at the last token


def _windows(world_size, accumulate, step, batch=16, seed=0):
    """The windows each rank trains on at ``step``, micro-batch by micro-batch."""
    windows = TokenWindows(UNIQUE, 16)
    micro = check_split(batch, world_size, accumulate, "batch_size")
    per_rank = []
    for rank in range(world_size):
        sampler = DistributedSampler(windows, world_size, rank, shuffle=True, seed=seed)
        batches = endless(DataLoader(windows, batch_size=micro, sampler=sampler))
        mine = [next(batches)[0] for _ in range((step + 1) * accumulate)][step * accumulate :]
        per_rank.append(torch.cat(mine))  # (B / N, T)
    return per_rank


def _as_set(x):
    return sorted(map(tuple, x.tolist()))


@pytest.mark.parametrize("world_size, accumulate", [(2, 1), (2, 2), (4, 2), (1, 8)])
def test_the_ranks_share_one_process_batch_between_them(world_size, accumulate):
    for step in (0, 3):
        (one,) = _windows(1, 1, step)
        shares = _windows(world_size, accumulate, step)
        assert all(share.shape == (16 // world_size, 16) for share in shares)
        assert _as_set(torch.cat(shares)) == _as_set(one)  # the same windows, dealt out
        if world_size > 1:  # and no window twice
            assert len(set(_as_set(torch.cat(shares)))) == 16
    assert _as_set(_windows(1, 1, 0)[0]) != _as_set(_windows(1, 1, 1)[0])  # a new step
    assert _as_set(_windows(1, 1, 0)[0]) != _as_set(_windows(1, 1, 0, seed=1)[0])  # new seed


def test_endless_starts_a_new_shuffled_epoch():
    windows = TokenWindows(torch.arange(12), 4)  # 8 windows
    sampler = DistributedSampler(windows, 1, 0, shuffle=True, seed=0)
    batches = endless(DataLoader(windows, batch_size=4, sampler=sampler))
    epochs = [torch.cat([next(batches)[0][:, 0] for _ in range(2)]) for _ in range(2)]
    assert all(sorted(e.tolist()) == list(range(8)) for e in epochs)  # each epoch: every window
    assert not torch.equal(epochs[0], epochs[1])  # in a new order


def test_without_torchrun_the_error_says_how_to_start(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(RuntimeError, match="python -m lessons_lib ddp --nproc 2"):
        require_torchrun()


def test_average_gradients_of_one_rank_leaves_them_as_they_are(one_rank_group):
    model = torch.nn.Linear(3, 2)
    model(torch.ones(4, 3)).sum().backward()
    before = [p.grad.clone() for p in model.parameters()]
    average_gradients(model)
    assert all(torch.equal(a, p.grad) for a, p in zip(before, model.parameters(), strict=True))


def test_an_all_reduce_is_timed(one_rank_group):
    seconds = time_all_reduce(1000, repeats=3)
    assert 0 < seconds < 5


def test_ctrl_c_ends_the_block_and_says_so():
    before = signal.getsignal(signal.SIGINT)
    try:
        with stop_by_hand() as stop:
            os.kill(os.getpid(), signal.SIGTERM)  # as torchrun stops its workers
            raise AssertionError("not reached: SIGTERM raised KeyboardInterrupt")
        assert stop.interrupted
    finally:
        signal.signal(signal.SIGINT, before)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with stop_by_hand() as stop:
        pass
    assert not stop.interrupted


def test_the_clock_times_from_the_end_of_the_first_step():
    clock = StepClock(tokens_per_step=100)
    for _ in range(3):
        clock.tick()
    report = clock.report(interrupted=False)
    assert report["steps"] == 3 and report["tokens_per_s"] > 0 and not report["interrupted"]


# --- bad input ----------------------------------------------------------------------------------


def test_a_batch_that_does_not_split_evenly_is_refused_with_one_that_does():
    message = (
        r"global_batch=10 must split into world_size 4 x accumulate 1 = 4 equal parts \(else "
        r"windows are dropped\): use global_batch=8 or 12"
    )
    with pytest.raises(ValueError, match=message):
        check_split(10, 4, 1, "global_batch")
    with pytest.raises(ValueError, match="use global_batch=4, a multiple of 4"):
        check_split(2, 2, 2, "global_batch")
    assert check_split(32, 2, 4, "batch_size") == 4


def test_token_windows_names_too_little_data_and_bad_ids():
    with pytest.raises(ValueError, match=re.escape("data has 10 tokens: no room for a window")):
        TokenWindows(torch.arange(10), 16)
    with pytest.raises(ValueError, match="data must be a 1-D sequence of integer token ids"):
        TokenWindows(DATA.float(), 16)
    with pytest.raises(ValueError, match="block_size must be a positive int"):
        TokenWindows(DATA, 0)
