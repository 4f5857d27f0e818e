"""Data-parallel training of chapter 06's GPT with PyTorch's own engine (chapter 10).

``torchrun`` starts one process per *rank*; every rank runs :func:`main`, holds a full copy
of the model and trains it on its own share of each batch. After the backward pass the ranks
average their gradients, so every copy takes the same step and stays the same model.

* ``sync="ddp"``: ``DistributedDataParallel`` averages the gradients, overlapping the
  communication with the backward pass; ``no_sync()`` skips it on all but the last micro-step
  of gradient accumulation.
* ``sync="hand"``: the same written out: :func:`broadcast_parameters` once, then
  :func:`average_gradients` (one ``all_reduce`` per tensor) after every accumulated step.

The global batch is the same computation whatever the number of ranks: window ``g`` of step
``s`` begins where a generator seeded with ``(seed, s, g)`` says, and rank ``r`` of ``N`` draws
only windows ``r·B/N ... (r+1)·B/N - 1``: which windows a rank draws depends on its rank. One
process with batch ``B`` and two processes with ``B/2`` each compute the same gradient, up to
float rounding. Start it with ``python -m lessons_lib ddp`` (:mod:`lessons_lib.tools.ddp`),
which checks the arguments and calls ``torchrun``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn

from .._checks import number, one_of, positive_int
from .batches import as_token_tensor
from .evaluation import estimate_loss
from .schedule import learning_rate

STARTED_VARIABLE = "LESSONS_DDP_STARTED"
"""Set by ``python -m lessons_lib ddp`` to the time it started, to report the start-up too."""
SYNCS = ("ddp", "hand")
"""How the ranks agree on one gradient: PyTorch's DDP, or all_reduce written out."""


def init_distributed() -> tuple[int, int, torch.device]:
    """Join the process group that torchrun prepared; return (rank, world_size, device).

    gloo on the CPU, nccl on CUDA GPUs (one GPU per rank: ``LOCAL_RANK`` picks it).
    """
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise RuntimeError(
            "This is one rank of a distributed run and needs torchrun's environment (RANK, "
            "WORLD_SIZE, ...). Start it with: python -m lessons_lib ddp --nproc 2 ..."
        )
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
        dist.init_process_group("nccl", device_id=device)
    else:
        device = torch.device("cpu")
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size(), device


def window_starts(n_tokens: int, block_size: int, step: int, windows: range, seed: int):
    """Where windows number ``windows`` of step ``step``'s global batch begin: (len(windows),).

    Window ``g`` has its own generator, seeded with ``(seed, step, g)``, so it is the same
    window whichever rank draws it and however many ranks there are.
    """
    positive_int(block_size, "block_size")
    if positive_int(n_tokens, "n_tokens") <= block_size:
        raise ValueError(
            f"n_tokens={n_tokens} leaves no room for a window of block_size={block_size} and "
            "its shifted target: use more data or a smaller block_size."
        )
    high = n_tokens - block_size  # the last start that leaves room for the shifted target
    starts = [np.random.default_rng([seed, step, g]).integers(high) for g in windows]
    return torch.tensor(starts, dtype=torch.long)


def rank_batches(data, block_size, step, global_batch, rank, world_size, accumulate, seed):
    """This rank's ``accumulate`` micro-batches of step ``step``: a list of (x, y), each
    (B / (world_size · accumulate), block_size). Rank r owns windows r·B/N ... (r+1)·B/N - 1."""
    data = as_token_tensor(data, "data")
    _check_split(global_batch, world_size, accumulate, "global_batch")
    if not 0 <= positive_int(rank, "rank", minimum=0) < world_size:
        raise ValueError(f"rank must be from 0 to world_size - 1 = {world_size - 1}, got {rank}.")
    positive_int(step, "step", minimum=0)
    positive_int(seed, "seed", minimum=0)
    per_rank = global_batch // world_size
    per_micro = per_rank // accumulate
    offsets = torch.arange(block_size)  # (T,)
    batches = []
    for micro in range(accumulate):
        first = rank * per_rank + micro * per_micro
        starts = window_starts(len(data), block_size, step, range(first, first + per_micro), seed)
        x = data[starts[:, None] + offsets]  # (b, T)
        y = data[starts[:, None] + offsets + 1]  # (b, T)
        batches.append((x, y))
    return batches


def _check_split(batch: object, world_size: object, accumulate: object, name: str) -> None:
    """Raise a clear error unless ``batch`` windows split into ``world_size`` ranks times
    ``accumulate`` micro-steps of the same size (else some windows would be dropped)."""
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


def train_data_parallel(
    model: nn.Module,
    train_ids: torch.Tensor,
    *,
    steps: int,
    batch_size: int,
    accumulate: int = 1,
    lr: float = 3e-3,
    warmup: int = 0,
    grad_clip: float = 1.0,
    seed: int = 0,
    sync: str = "ddp",
    log_every: int = 0,
    crash_rank: int | None = None,
) -> dict:
    """Train ``model`` (already on this rank's device) for ``steps`` steps of ``batch_size``
    windows in all, split over the ranks and ``accumulate`` micro-steps; AdamW with warm-up and
    a cosine schedule, as :func:`lessons_lib.train`. Returns what rank 0 reports: steps done,
    seconds of training, tokens per second (timed from the end of the first step, which also
    warms up the kernels and the communication), and whether it was stopped by hand.

    Ctrl-C (or torchrun's SIGTERM) stops every rank at once; the step in progress is dropped
    and the model keeps every step before it. ``crash_rank``: that rank raises at step 2 (to
    test failures).
    """
    rank, world_size = dist.get_rank(), dist.get_world_size()
    one_of(sync, SYNCS, "sync")
    positive_int(steps, "steps")
    _check_split(batch_size, world_size, accumulate, "batch_size")
    number(lr, "lr (the learning rate, e.g. 3e-3)", above=0)
    positive_int(warmup, "warmup (steps of linear warm-up; 0: none)", minimum=0)
    number(grad_clip, "grad_clip (the largest gradient norm, e.g. 1.0)", above=0)
    device = next(model.parameters()).device
    block_size = model.config.block_size
    if sync == "ddp":
        from torch.nn.parallel import DistributedDataParallel as DDP

        # device_ids only for a GPU: on the CPU, DDP refuses them
        wrapped = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
    else:
        broadcast_parameters(model)
        wrapped = model
    foreach = True if device.type == "cpu" else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, foreach=foreach)
    torch.manual_seed(seed + 1 + rank)  # dropout masks: each rank its own
    model.train()
    done, begun = 0, time.perf_counter()
    timed_from = begun  # from the end of step 1 once there is one
    try:
        for step in range(steps):
            if step == 2 and rank == crash_rank:
                raise RuntimeError(f"rank {rank} crashed on purpose at step {step} (a test)")
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, steps, lr, "cosine", warmup)
            batches = rank_batches(
                train_ids, block_size, step, batch_size, rank, world_size, accumulate, seed
            )
            loss_sum = torch.zeros((), device=device)
            for micro, (x, y) in enumerate(batches):
                last = micro == accumulate - 1
                skip_sync = wrapped.no_sync() if sync == "ddp" and not last else nullcontext()
                with skip_sync:
                    _, loss = wrapped(x.to(device), y.to(device))
                    (loss / accumulate).backward()  # gradients add up over the micro-steps
                loss_sum += loss.detach() / accumulate
            if sync == "hand":
                average_gradients(model)
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip, foreach=foreach)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            done = step + 1
            if done == 1:
                timed_from = time.perf_counter()
            if log_every and (done % log_every == 0 or done == steps):
                mean = loss_sum.clone()
                dist.all_reduce(mean, op=dist.ReduceOp.SUM)  # every rank takes part
                if rank == 0:
                    print(f"step {done}/{steps} train_loss={mean.item() / world_size:.4f}")
                    sys.stdout.flush()
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
        _ignore_further_stops()  # torchrun forwards the signal again: finish saving first
    end = time.perf_counter()
    model.eval()
    timed_steps = done - 1 if done > 1 else done
    timed_seconds = end - timed_from if done > 1 else end - begun
    return dict(
        steps=done,
        seconds=end - begun,
        tokens_per_s=timed_steps * batch_size * block_size / max(timed_seconds, 1e-9),
        interrupted=interrupted,
    )


def _stop_on_sigterm() -> None:
    """torchrun stops its workers with SIGTERM: raise KeyboardInterrupt, as Ctrl-C does."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _ignore_further_stops() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def worker_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib.tools.ddp_rank",
        description="One rank of a data-parallel run; start it with python -m lessons_lib ddp.",
    )
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--accumulate", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sync", choices=SYNCS, default="ddp")
    parser.add_argument("--eval-batches", type=int, default=20)
    parser.add_argument("--log-every", type=int, default=0)
    parser.add_argument("--save", default=None)
    parser.add_argument("--crash-rank", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """One rank: join the group, build the same GPT as every other rank, train, and let rank 0
    alone evaluate, print and save. The group is destroyed on every way out."""
    from torch.distributed.elastic.multiprocessing.errors import record

    return record(_main)(argv)


def _main(argv: list[str] | None) -> int:
    from ..models.gpt import GPT, GPTConfig
    from ..tools.pretrain import shakespeare_data
    from .checkpoint import save_checkpoint

    args = worker_parser().parse_args(argv)
    _stop_on_sigterm()
    rank, world_size, device = init_distributed()
    try:
        tokenizer, train_ids, val_ids = shakespeare_data()
        config = GPTConfig.preset(args.preset, vocab_size=tokenizer.vocab_size)
        torch.manual_seed(args.seed)  # the same initial weights on every rank
        model = GPT(config).to(device)
        report = train_data_parallel(
            model,
            train_ids,
            steps=args.steps,
            batch_size=args.batch_size,
            accumulate=args.accumulate,
            lr=args.lr,
            warmup=args.warmup,
            seed=args.seed,
            sync=args.sync,
            log_every=args.log_every,
            crash_rank=args.crash_rank,
        )
        if rank == 0:
            loss = estimate_loss(model, val_ids, config.block_size, 32, args.eval_batches)
            if args.save:
                save_checkpoint(
                    model, tokenizer, Path(args.save), world_size=world_size, **vars(args)
                )
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
    finally:
        dist.destroy_process_group()
    return 0
