"""The pieces of a data-parallel run, in one process (a gloo group of one rank): the windows
each rank draws, accumulation, and the by-hand all-reduce against DDP."""

import re

import pytest
import torch
import torch.distributed as dist

from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.training.distributed import (
    average_gradients,
    init_distributed,
    rank_batches,
    train_data_parallel,
    window_starts,
)

DATA = torch.arange(1000) % 76  # (1000,) token ids


@pytest.fixture
def one_rank_group():
    """A real process group of one rank, as torchrun --nproc 1 would make."""
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_a_window_is_the_same_whoever_draws_it():
    all_at_once = window_starts(1000, 16, step=3, windows=range(8), seed=0)
    one_by_one = torch.cat([window_starts(1000, 16, 3, range(g, g + 1), 0) for g in range(8)])
    assert torch.equal(all_at_once, one_by_one)
    assert not torch.equal(all_at_once, window_starts(1000, 16, 4, range(8), 0))  # new step
    assert not torch.equal(all_at_once, window_starts(1000, 16, 3, range(8), 1))  # new seed
    assert all_at_once.min() >= 0 and all_at_once.max() <= 1000 - 16


@pytest.mark.parametrize("world_size, accumulate", [(2, 1), (2, 2), (4, 2), (1, 8)])
def test_the_ranks_micro_batches_make_up_the_global_batch(world_size, accumulate):
    one = rank_batches(DATA, 16, 5, 16, rank=0, world_size=1, accumulate=1, seed=0)
    (x_all, y_all) = one[0]
    assert x_all.shape == (16, 16) and torch.equal(x_all[:, 1:], y_all[:, :-1])
    parts = [
        batch
        for rank in range(world_size)
        for batch in rank_batches(DATA, 16, 5, 16, rank, world_size, accumulate, 0)
    ]
    assert len(parts) == world_size * accumulate
    assert all(x.shape == (16 // (world_size * accumulate), 16) for x, _ in parts)
    assert torch.equal(torch.cat([x for x, _ in parts]), x_all)
    assert torch.equal(torch.cat([y for _, y in parts]), y_all)


def test_without_torchrun_the_error_says_how_to_start(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(RuntimeError, match="python -m lessons_lib ddp --nproc 2"):
        init_distributed()


def _trained(accumulate, sync, steps=4):
    torch.manual_seed(0)
    model = GPT(GPTConfig.preset("tiny"))
    report = train_data_parallel(
        model, DATA, steps=steps, batch_size=8, accumulate=accumulate, lr=1e-2, sync=sync
    )
    return model, report


def test_accumulated_micro_batches_train_like_one_big_batch(one_rank_group):
    big, report = _trained(accumulate=1, sync="ddp")
    for accumulate, sync in [(4, "ddp"), (8, "hand")]:
        small, _ = _trained(accumulate, sync)
        for (name, a), b in zip(big.state_dict().items(), small.state_dict().values(), strict=True):
            # measured: at most 6e-5 after 4 AdamW steps of lr 1e-2 (the weights move ~4e-2);
            # Adam divides by sqrt(v), so early steps magnify rounding differences
            assert (a - b).abs().max() < 3e-4, (accumulate, sync, name)
    assert report["steps"] == 4 and report["tokens_per_s"] > 0 and not report["interrupted"]
    changed = GPT(GPTConfig.preset("tiny"))  # an untrained copy differs: training did something
    assert not torch.allclose(changed.tok_emb.weight, big.tok_emb.weight, atol=1e-3)


def test_average_gradients_of_one_rank_leaves_them_as_they_are(one_rank_group):
    model = torch.nn.Linear(3, 2)
    model(torch.ones(4, 3)).sum().backward()
    before = [p.grad.clone() for p in model.parameters()]
    average_gradients(model)
    assert all(torch.equal(a, p.grad) for a, p in zip(before, model.parameters(), strict=True))


def test_a_crashing_rank_raises_its_error(one_rank_group):
    model = GPT(GPTConfig.preset("tiny"))
    with pytest.raises(RuntimeError, match="rank 0 crashed on purpose at step 2"):
        train_data_parallel(model, DATA, steps=5, batch_size=8, crash_rank=0)


@pytest.mark.parametrize(
    "options, message",
    [
        (
            dict(batch_size=6, accumulate=4),
            "batch_size=6 must split into world_size 1 x accumulate 4",
        ),
        (dict(batch_size=8, sync="allreduce"), "Unknown sync 'allreduce'; choose one of"),
        (dict(batch_size=0), "batch_size must be a positive int"),
    ],
)
def test_a_bad_plan_is_refused_with_a_clear_error(one_rank_group, options, message):
    model = GPT(GPTConfig.preset("tiny"))
    with pytest.raises(ValueError, match=re.escape(message)):
        train_data_parallel(model, DATA, steps=2, **options)


# --- bad input ----------------------------------------------------------------------------------


def test_a_batch_that_does_not_split_evenly_is_refused_with_one_that_does():
    message = (
        r"global_batch=10 must split into world_size 4 x accumulate 1 = 4 equal parts \(else "
        r"windows are dropped\): use global_batch=8 or 12"
    )
    with pytest.raises(ValueError, match=message):
        rank_batches(DATA, 16, 0, 10, rank=0, world_size=4, accumulate=1, seed=0)
    with pytest.raises(ValueError, match="use global_batch=4, a multiple of 4"):
        rank_batches(DATA, 16, 0, 2, rank=0, world_size=2, accumulate=2, seed=0)


def test_rank_batches_names_a_bad_rank_and_too_little_data():
    with pytest.raises(ValueError, match=r"rank must be from 0 to world_size - 1 = 1, got 2"):
        rank_batches(DATA, 16, 0, 8, rank=2, world_size=2, accumulate=1, seed=0)
    with pytest.raises(
        ValueError, match="n_tokens=10 leaves no room for a window of block_size=16"
    ):
        window_starts(10, 16, 0, range(2), seed=0)
    with pytest.raises(ValueError, match="data must be a 1-D sequence of integer token ids"):
        rank_batches(DATA.float(), 16, 0, 8, rank=0, world_size=1, accumulate=1, seed=0)
