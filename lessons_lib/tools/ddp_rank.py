"""The program that ``torchrun`` starts once per rank (chapter 10). Start it with
``python -m lessons_lib ddp``, which checks the plan and calls torchrun.

Every rank runs :func:`run_rank`: join the process group, build the same GPT, train it with
:func:`train` on its own share of each global batch, and let rank 0 alone evaluate, print and
save. :func:`train` is the loop of one rank: ``DistributedDataParallel`` (or the all-reduce by
hand), ``DistributedSampler`` and ``no_sync()`` for gradient accumulation. The plumbing
(Ctrl-C, timing, the report) lives in :mod:`lessons_lib.training.distributed`.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import nullcontext

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler

from .._checks import number, one_of, positive_int
from ..training.distributed import (
    DEVICES,
    SYNCS,
    StepClock,
    TokenWindows,
    average_gradients,
    broadcast_parameters,
    check_split,
    endless,
    finish,
    log_loss,
    report_all_reduce,
    require_torchrun,
    stop_by_hand,
)
from ..training.schedule import learning_rate


def run_rank(args: argparse.Namespace) -> None:
    """One rank of the run, from joining the group to leaving it."""
    from ..models.gpt import GPT, GPTConfig
    from .pretrain import shakespeare_data

    require_torchrun()  # a clear error when started by hand
    world_size = int(os.environ["WORLD_SIZE"])
    if rank_device(args.device, world_size) == "cuda":  # one GPU per rank: LOCAL_RANK picks it
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
        dist.init_process_group("nccl", device_id=device)
    else:
        device = torch.device("cpu")
        dist.init_process_group("gloo")  # torchrun set RANK, WORLD_SIZE, MASTER_ADDR/PORT
    try:
        if args.measure_all_reduce:
            report_all_reduce()
        tokenizer, train_ids, val_ids = shakespeare_data()
        config = GPTConfig.preset(args.preset, vocab_size=tokenizer.vocab_size)
        torch.manual_seed(args.seed)  # the same initial weights on every rank
        model = GPT(config).to(device)
        report = train(model, train_ids, args)
        if dist.get_rank() == 0:
            finish(model, tokenizer, val_ids, report, args)
    finally:
        dist.destroy_process_group()


def train(model: nn.Module, train_ids: torch.Tensor, args: argparse.Namespace) -> dict:
    """Train ``model`` (on this rank's device) for ``args.steps`` steps of ``args.batch_size``
    windows in all, split over the ranks and ``args.accumulate`` micro-steps; AdamW with
    warm-up and a cosine schedule. Returns steps, seconds, tokens per second, interrupted."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    micro = _check(args, world_size)  # windows per forward pass: B / (N x K)
    device = next(model.parameters()).device
    if args.sync == "ddp":  # copies rank 0's weights to every rank, all-reduces in backward
        ddp_model = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
    else:  # the same by hand: copy the weights now, average the gradients after backward
        broadcast_parameters(model)
        ddp_model = model
    windows = TokenWindows(train_ids, model.config.block_size)  # every window of the text
    sampler = DistributedSampler(windows, world_size, rank, shuffle=True, seed=args.seed)
    batches = endless(DataLoader(windows, batch_size=micro, sampler=sampler))  # rank's share
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    torch.manual_seed(args.seed + 1 + rank)  # dropout masks: each rank its own
    model.train()
    clock = StepClock(args.batch_size * model.config.block_size)
    with stop_by_hand() as stop:  # Ctrl-C: drop the step in progress, keep the model
        for step in range(args.steps):
            if step == 2 and rank == args.crash_rank:
                raise RuntimeError(f"rank {rank} crashed on purpose at step {step} (a test)")
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, args.steps, args.lr, "cosine", args.warmup)
            loss_sum = torch.zeros((), device=device)
            for k in range(args.accumulate):
                x, y = next(batches)  # (micro, T) each
                last = k == args.accumulate - 1
                # DDP all-reduces in every backward: skip it on all but the last micro-step
                with ddp_model.no_sync() if args.sync == "ddp" and not last else nullcontext():
                    _, loss = ddp_model(x.to(device), y.to(device))
                    (loss / args.accumulate).backward()  # gradients add up in .grad
                loss_sum += loss.detach() / args.accumulate
            if args.sync == "hand":
                average_gradients(model)  # one all_reduce per parameter tensor
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            clock.tick()
            if args.log_every and (clock.steps % args.log_every == 0 or clock.steps == args.steps):
                log_loss(clock.steps, args.steps, loss_sum)
    if args.sync == "ddp" and args.measure_all_reduce and rank == 0:
        report_buckets(ddp_model)
    return clock.report(stop.interrupted)


def rank_device(choice: str, world_size: int) -> str:
    """ "cuda" or "cpu" for each of ``world_size`` ranks: "auto" takes GPUs only when there is
    one per rank (a 1-GPU machine runs 2 ranks on the CPU, with gloo)."""
    if choice == "auto":
        return "cuda" if torch.cuda.device_count() >= world_size else "cpu"
    return choice


def report_buckets(ddp_model: DDP) -> None:
    """Print the bytes of each bucket DDP all-reduces, as it has arranged them by now, and
    DDP's own timeline of its last sampled step (ms from the forward pass's start): forward,
    backward (until the last gradient), all-reduce (first bucket sent to last bucket done)."""
    facts = ddp_model._get_ddp_logging_data()  # PyTorch's own record (a private method)
    sizes = facts.get("rebuilt_bucket_sizes") or facts["bucket_sizes"]  # e.g. "1056768, 1422336"
    print(f"DDP buckets (bytes): {sizes}")
    start = facts.get("forward_compute_time_start", 0)  # nanoseconds, as PyTorch records them
    spans = {"forward": ("forward_compute_time_start", "backward_compute_time_start"),
             "backward": ("backward_compute_time_start", "backward_compute_time_end"),
             "all_reduce": ("backward_comm_time_start", "backward_comm_time_end")}  # fmt: skip
    if start and all(facts.get(key, 0) for pair in spans.values() for key in pair):
        ms = {
            part: tuple((facts[key] - start) / 1e6 for key in pair) for part, pair in spans.items()
        }
        print(
            "DDP timeline (ms):", " ".join(f"{part} {a:.1f} {b:.1f}" for part, (a, b) in ms.items())
        )


def _check(args: argparse.Namespace, world_size: int) -> int:
    one_of(args.sync, SYNCS, "sync")
    positive_int(args.steps, "steps")
    number(args.lr, "lr (the learning rate, e.g. 3e-3)", above=0)
    positive_int(args.warmup, "warmup (steps of linear warm-up; 0: none)", minimum=0)
    return check_split(args.batch_size, world_size, args.accumulate, "batch_size")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m lessons_lib.tools.ddp_rank",
        description="One rank of a data-parallel run; start it with python -m lessons_lib ddp.",
    )
    p.add_argument("--preset", default="tiny")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--accumulate", type=int, default=1)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sync", choices=SYNCS, default="ddp")
    p.add_argument("--eval-batches", type=int, default=20)
    p.add_argument("--log-every", type=int, default=0)
    p.add_argument("--save", default=None)
    p.add_argument("--measure-all-reduce", action="store_true")
    p.add_argument("--device", choices=DEVICES, default="auto")
    p.add_argument("--crash-rank", type=int, default=None, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run this rank; torchrun's ``record`` reports an error."""
    from torch.distributed.elastic.multiprocessing.errors import record

    record(run_rank)(parser().parse_args(argv))
    return 0


if __name__ == "__main__":
    code = main()  # an error raises before this line: its traceback reaches torchrun's report
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # everything is saved and printed: skip the seconds of tearing down torch
