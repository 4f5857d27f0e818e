"""The pieces of data-parallel training that the rank program uses (chapter 10).

``torchrun`` starts one process per *rank*; each runs :mod:`lessons_lib.tools.ddp_rank`, the
program the chapter shows: it joins the process group, wraps chapter 06's GPT in
``DistributedDataParallel`` (or averages the gradients by hand), draws its windows with
``DistributedSampler`` and trains. This module holds what that program calls:

* :class:`TokenWindows`: every window of a token stream as a ``Dataset``, for the sampler;
* :func:`broadcast_parameters` and :func:`average_gradients`: DDP's two jobs written out;
* :func:`time_all_reduce`: how long one ``all_reduce`` takes (its bandwidth);
* the plumbing kept out of the program's way: the torchrun check, the epochs of a sampler,
  Ctrl-C, the step clock, and rank 0's closing report.

The global batch is the same whatever the number of ranks: ``DistributedSampler`` deals one
shuffled order of all windows out to ``N`` ranks like cards (rank ``r`` takes positions
``r, r + N, r + 2N ...``), so step ``s`` of ``N`` ranks with ``B/N`` windows each trains on
positions ``s·B ... (s+1)·B - 1`` of that order: exactly the windows of one process with ``B``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

from .._checks import positive_int
from .batches import as_token_tensor

STARTED_VARIABLE = "LESSONS_DDP_STARTED"
"""Set by ``python -m lessons_lib ddp`` to the time it started, to report the start-up too."""
SYNCS = ("ddp", "hand")
DEVICES = ("auto", "cpu", "cuda")  # where the ranks run: auto = a GPU per rank if there are enough
"""How the ranks agree on one gradient: PyTorch's DDP, or all_reduce written out."""


def require_torchrun() -> None:
    """Raise a clear error when the rank program was started without torchrun."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise RuntimeError(
            "This is one rank of a distributed run and needs torchrun's environment (RANK, "
            "WORLD_SIZE, ...). Start it with: python -m lessons_lib ddp --nproc 2 ..."
        )


class TokenWindows(Dataset):
    """Every window of ``block_size`` tokens in ``data``: item ``i`` is ``(x, y)``, both
    ``(block_size,)``, with ``x = data[i : i + T]`` and ``y`` the same window shifted by one."""

    def __init__(self, data, block_size: int):
        self.data = as_token_tensor(data, "data")
        self.block_size = positive_int(block_size, "block_size")
        if len(self.data) <= block_size:
            raise ValueError(
                f"data has {len(self.data)} tokens: no room for a window of block_size="
                f"{block_size} and its shifted target. Use more data or a smaller block_size."
            )

    def __len__(self) -> int:
        return len(self.data) - self.block_size  # the last start leaves room for the target

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        window = self.data[i : i + self.block_size + 1]  # (T + 1,)
        return window[:-1], window[1:]  # (T,), (T,)


def check_split(batch: object, world_size: object, accumulate: object, name: str) -> int:
    """Windows per micro-batch: ``batch / (world_size · accumulate)``, or a clear error when
    they do not split into equal parts (else some windows would be dropped)."""
    positive_int(batch, name)
    parts = positive_int(world_size, "world_size") * positive_int(accumulate, "accumulate")
    if batch % parts:
        lower, upper = batch // parts * parts, (batch // parts + 1) * parts
        works = f"{lower} or {upper}" if lower else f"{upper}"
        raise ValueError(
            f"{name}={batch} must split into world_size {world_size} x accumulate "
            f"{accumulate} = {parts} equal parts (else windows are dropped): use {name}="
            f"{works}, a multiple of {parts}."
        )
    return batch // parts


def endless(loader: DataLoader) -> Iterator:
    """``loader``'s batches forever: when an epoch runs out, ``set_epoch`` gives its sampler a
    new shuffled order (the same on every rank) and it starts again."""
    epoch = 0
    while True:
        loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def broadcast_parameters(model: nn.Module) -> None:
    """Copy rank 0's weights to every rank (DDP does this when it wraps a model)."""
    for tensor in model.state_dict().values():
        dist.broadcast(tensor, src=0)


def average_gradients(model: nn.Module) -> None:
    """Sum every gradient over the ranks with ``all_reduce``, divide by their number: each
    rank then holds the mean gradient over the whole global batch (what DDP does for you)."""
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= world_size


def time_all_reduce(n_numbers: int, repeats: int = 5) -> float:
    """The fastest of ``repeats`` timings, in seconds, of one ``all_reduce`` (sum) of
    ``n_numbers`` float32 numbers over the current process group (every rank must call it):
    the fastest is the one least disturbed by other work. The first, warm-up call is not
    timed."""
    buffer = torch.ones(positive_int(n_numbers, "n_numbers"))
    positive_int(repeats, "repeats")
    dist.all_reduce(buffer)  # warm-up: the connections open on first use
    seconds = []
    for _ in range(repeats):
        dist.barrier()  # start together, so a late rank's wait is not counted
        begun = time.perf_counter()
        dist.all_reduce(buffer)
        seconds.append(time.perf_counter() - begun)
    return min(seconds)


def report_all_reduce(sizes_mb: tuple[float, ...] = (0.01, 0.1, 1.0, 2.5, 10.0, 40.0)) -> None:
    """Time an all-reduce of each size (MB of float32); rank 0 prints time and bandwidth.

    Bus bandwidth counts what the ring algorithm moves: each rank sends (and receives)
    ``2 (N-1)/N`` times the tensor's bytes, so it is comparable across world sizes."""
    world_size = dist.get_world_size()
    for mb in sizes_mb:
        seconds = time_all_reduce(int(mb * 1e6 / 4), repeats=20 if mb < 10 else 5)  # small: fast
        if dist.get_rank() == 0:
            bus = 2 * (world_size - 1) / world_size * mb * 1e6 / seconds
            print(
                f"all_reduce {mb:g} MB: {1000 * seconds:.2f} ms, bus bandwidth {bus / 1e9:.3g} GB/s"
            )


@contextmanager
def stop_by_hand() -> Iterator[SimpleNamespace]:
    """Ctrl-C (or torchrun's SIGTERM) ends the ``with`` block without an error: the step in
    progress is dropped, ``.interrupted`` turns True, and further signals wait until the end."""

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    state = SimpleNamespace(interrupted=False)
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield state
    except KeyboardInterrupt:
        state.interrupted = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # torchrun forwards the signal again
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, previous)


class StepClock:
    """Steps done and tokens per second, timed from the end of the first step (which also
    warms up the kernels and the connections)."""

    def __init__(self, tokens_per_step: int):
        self.tokens_per_step = tokens_per_step
        self.begun = self.timed_from = time.perf_counter()
        self.steps = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps == 1:
            self.timed_from = time.perf_counter()

    def report(self, interrupted: bool) -> dict:
        end = time.perf_counter()
        timed = self.steps - 1 if self.steps > 1 else self.steps
        seconds = end - (self.timed_from if self.steps > 1 else self.begun)
        return dict(
            steps=self.steps,
            seconds=end - self.begun,
            tokens_per_s=timed * self.tokens_per_step / max(seconds, 1e-9),
            interrupted=interrupted,
        )


def log_loss(step: int, steps: int, loss_sum: torch.Tensor) -> None:
    """All ranks: average this step's training loss; rank 0 prints it."""
    mean = loss_sum.detach().clone()
    dist.all_reduce(mean, op=dist.ReduceOp.SUM)  # every rank takes part
    if dist.get_rank() == 0:
        print(f"{step}/{steps} steps done, train_loss={mean.item() / dist.get_world_size():.4f}")
        sys.stdout.flush()


def finish(model, tokenizer, val_ids, report: dict, args) -> None:
    """Rank 0 only: evaluate, save (with ``--save``) and print the run's last two lines."""
    from .checkpoint import save_checkpoint
    from .evaluation import estimate_loss

    world_size = dist.get_world_size()
    loss = estimate_loss(model, val_ids, model.config.block_size, 32, args.eval_batches)
    if args.save:
        save_checkpoint(model, tokenizer, args.save, world_size=world_size, **vars(args))
    if report["interrupted"]:
        print(f"Stopped by hand after {report['steps']} steps; the model keeps them.")
    started = float(os.environ.get(STARTED_VARIABLE, 0)) or None
    since = f"; {time.time() - started:.0f} s since the command started" if started else ""
    print(
        f"rank 0: validation loss {loss:.4f} nats per character ({args.eval_batches} x 32 "
        f"windows); {report['steps']} steps in {report['seconds']:.1f} s{since}"
    )
    print(
        f"loss={loss:.4f} tokens_per_s={report['tokens_per_s']:.0f} "
        f"world_size={world_size} seconds={report['seconds']:.1f}"
    )
