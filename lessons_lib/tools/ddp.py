"""``python -m lessons_lib ddp``: data-parallel training of chapter 06's GPT with torchrun.

    python -m lessons_lib ddp --nproc 2 --preset tiny --steps 50 --batch-size 32
    python -m lessons_lib ddp --nproc 1 --preset tiny --steps 50 --batch-size 32   # the same run

It checks the plan, then runs torchrun (``python -m torch.distributed.run --standalone``, in
this process) with ``--nproc`` copies of :mod:`lessons_lib.tools.ddp_rank`, one per rank, each
running :func:`lessons_lib.training.distributed.main` (chapter 10).
``--batch-size`` is the *global* batch: it is split over the ranks and the ``--accumulate``
micro-steps, so runs with the same batch, seed and steps compute the same thing whatever
``--nproc`` is. The last line reads ``loss=<x> tokens_per_s=<n> world_size=<n> seconds=<n>``:
the validation loss (nats per character) and the training speed (start-up not counted).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time

import torch

from ..models.gpt import GPT_PRESETS
from ..training.distributed import DEVICES, STARTED_VARIABLE, SYNCS
from .arguments import count, port, positive_int, positive_number

WORKER = "lessons_lib.tools.ddp_rank"
LAST_LINE = re.compile(r"loss=(\S+) tokens_per_s=(\d+) world_size=(\d+) seconds=(\S+)")
ALL_REDUCE = re.compile(r"all_reduce (\S+) MB: (\S+) ms, bus bandwidth (\S+) GB/s")
BUCKETS = re.compile(r"DDP buckets \(bytes\): ([\d, ]+)")
TIMELINE = re.compile(r"(forward|backward|all_reduce) (\S+) (\S+)")  # on the "DDP timeline" line


def check_plan(
    nproc: int, batch_size: int, accumulate: int, oversubscribe: bool = False, device: str = "auto"
) -> None:
    """Raise a ``ValueError`` that says how to fix a plan that cannot run (or would crawl)."""
    gpus = torch.cuda.device_count()
    if device == "cuda" and nproc > gpus:
        raise ValueError(
            f"--device cuda runs one rank per GPU, and this machine has {gpus}: use --nproc "
            f"{gpus} or less, or --device cpu (or auto) to run {nproc} ranks on the CPU."
        )
    for name, value in (
        ("--nproc", nproc),
        ("--batch-size", batch_size),
        ("--accumulate", accumulate),
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}.")
    cores = os.cpu_count() or 1
    if nproc > cores and not oversubscribe:
        raise ValueError(
            f"--nproc {nproc} is more processes than this machine's {cores} cores: they would "
            f"take turns on the cores and run slower than {cores} processes would. Use --nproc "
            f"{cores} or less, or add --oversubscribe to run them anyway (e.g. to test the code)."
        )
    if batch_size % (nproc * accumulate):
        fits = [b for b in range(nproc * accumulate, 4 * batch_size + 1, nproc * accumulate)]
        nearest = min(fits, key=lambda b: abs(b - batch_size))
        raise ValueError(
            f"--batch-size {batch_size} must split into --nproc {nproc} x --accumulate "
            f"{accumulate} = {nproc * accumulate} equal parts (one per rank and micro-step). "
            f"Try --batch-size {nearest}."
        )


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something on this machine already listens on ``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def torchrun_arguments(args: argparse.Namespace) -> list[str]:
    """torchrun's arguments for ``args``: ``--standalone`` picks a free port itself."""
    if args.port is None:
        rendezvous = ["--standalone"]
    else:
        rendezvous = ["--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{args.port}"]
    worker = [
        f"--preset={args.preset}",
        f"--steps={args.steps}",
        f"--batch-size={args.batch_size}",
        f"--accumulate={args.accumulate}",
        f"--lr={args.lr}",
        f"--warmup={args.warmup}",
        f"--seed={args.seed}",
        f"--sync={args.sync}",
        f"--log-every={args.log_every}",
        f"--device={args.device}",
    ]
    worker += [f"--save={args.save}"] if args.save else []
    worker += ["--measure-all-reduce"] if args.measure_all_reduce else []
    worker += [f"--crash-rank={args.crash_rank}"] if args.crash_rank is not None else []
    return [*rendezvous, "--nnodes=1", f"--nproc-per-node={args.nproc}", "-m", WORKER, *worker]


DESCRIPTION = """\
Data-parallel training of chapter 06's GPT with PyTorch's own engine (chapter 10): torchrun
starts --nproc processes (ranks) on this machine, each with a full copy of the model; they
average their gradients every step (gloo on CPUs, nccl on GPUs).

--batch-size is the global batch: it is split over the ranks and the --accumulate micro-steps,
so runs with the same batch, seed and steps compute the same weights whatever --nproc is (with
dropout 0, as in the tiny and cpu presets: dropout masks are drawn per rank). Rank 0 evaluates,
prints and saves; the last line reads

    loss=<validation loss> tokens_per_s=<n> world_size=<n> seconds=<training time>

examples:
    python -m lessons_lib ddp --nproc 2 --preset cpu --steps 200 --batch-size 32
    python -m lessons_lib ddp --nproc 1 --preset cpu --steps 200 --batch-size 32 --accumulate 4
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m lessons_lib ddp",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--nproc", type=positive_int, default=2, help="processes (ranks); default 2")
    p.add_argument("--preset", default="tiny", choices=list(GPT_PRESETS), help="default tiny")
    p.add_argument("--steps", type=positive_int, default=50, help="optimisation steps; default 50")
    p.add_argument(
        "--batch-size", type=positive_int, default=32, help="global batch in windows; default 32"
    )
    p.add_argument(
        "--accumulate",
        type=positive_int,
        default=1,
        help="micro-steps per step (gradient accumulation)",
    )
    p.add_argument(
        "--lr", type=positive_number, default=3e-3, help="peak learning rate; default 3e-3"
    )
    p.add_argument("--warmup", type=count, default=10, help="warm-up steps; default 10")
    p.add_argument("--seed", type=count, default=0, help="initial weights and windows; default 0")
    p.add_argument(
        "--sync", choices=SYNCS, default="ddp", help="ddp (default), or hand: all_reduce by hand"
    )
    p.add_argument(
        "--log-every", type=count, default=0, help="print the training loss every N steps"
    )
    p.add_argument("--save", default=None, help="rank 0 saves PATH.safetensors and PATH.json")
    p.add_argument("--port", type=port, default=None, help="rendezvous port (default: a free one)")
    p.add_argument("--oversubscribe", action="store_true", help="allow more ranks than cores")
    p.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="threads per rank; default: the cores divided between the ranks",
    )
    p.add_argument(
        "--measure-all-reduce",
        action="store_true",
        help="time all_reduce of 10 kB to 40 MB first (the bandwidth); print DDP's buckets",
    )
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="auto (default): a GPU per rank when there are enough GPUs, else the CPU (gloo)",
    )
    p.add_argument("--crash-rank", type=int, default=None, help=argparse.SUPPRESS)  # tests
    return p


def main(argv: list[str] | None = None) -> int:
    started = time.time()
    args = parser().parse_args(argv)
    try:
        check_plan(args.nproc, args.batch_size, args.accumulate, args.oversubscribe, args.device)
    except ValueError as error:
        print(f"python -m lessons_lib ddp: {error}", file=sys.stderr)
        return 2
    if args.port is not None and port_in_use(args.port):
        print(
            f"python -m lessons_lib ddp: port {args.port} is in use on this machine (another "
            "run still going?). Choose another --port, or leave --port out and a free one is "
            "picked.",
            file=sys.stderr,
        )
        return 2
    # split the cores between the ranks (torchrun alone would give each rank 1 thread)
    if args.threads is not None:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // args.nproc)))
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ[STARTED_VARIABLE] = str(started)
    arguments = torchrun_arguments(args)
    print("torchrun", " ".join(arguments), flush=True)
    return run_torchrun(arguments)


def run_torchrun(arguments: list[str]) -> int:
    """Run torchrun (``python -m torch.distributed.run``) in this process: it starts the ranks,
    watches them, and stops them all when one fails. Returns the exit code."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import main as torchrun

    try:
        torchrun(arguments)
    except ChildFailedError:  # torchrun has printed which rank failed first, and its error
        print(
            "python -m lessons_lib ddp: the run failed; torchrun's report above names the "
            "rank that failed first and its error.",
            file=sys.stderr,
        )
        return 1
    except (KeyboardInterrupt, SignalException):  # the ranks finish their step and save
        print("python -m lessons_lib ddp: stopped by hand; rank 0 kept (and saved) the model.")
        return 130
    return 0


def run_ddp(*options: str, show: bool = True) -> dict | None:
    """Run ``python -m lessons_lib ddp *options`` in a new process, as in a terminal; print its
    output (``show``); return what its last line reports (loss, tokens_per_s, world_size,
    seconds, and with ``--measure-all-reduce`` ``all_reduce``: {MB: (ms, GB/s)}, DDP's
    ``buckets``: [bytes, ...] and ``timeline``: {"forward" | "backward" | "all_reduce": (start
    ms, end ms)} of DDP's last sampled step), or None when it failed (its error is printed)."""
    options = [str(option) for option in options]
    if show:
        print("$ python -m lessons_lib ddp", " ".join(options))
    # no OMP_NUM_THREADS from outside: the command splits the cores between the ranks
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    command = [sys.executable, "-m", "lessons_lib", "ddp", *options]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if show:
        print(done.stdout.strip())
    last = LAST_LINE.search(done.stdout)
    if done.returncode or last is None:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    loss, tokens_per_s, world_size, seconds = last.groups()
    timings = {
        float(mb): (float(ms), float(gbs)) for mb, ms, gbs in ALL_REDUCE.findall(done.stdout)
    }
    return dict(
        loss=float(loss),
        tokens_per_s=int(tokens_per_s),
        world_size=int(world_size),
        seconds=float(seconds),
        all_reduce=timings,
        buckets=[int(b) for b in BUCKETS.findall(done.stdout)[-1].split(",")]
        if BUCKETS.search(done.stdout)
        else [],
        timeline=_timeline(done.stdout),
    )


def _timeline(stdout: str) -> dict[str, tuple[float, float]]:
    """The spans of the ``DDP timeline (ms): ...`` line, if the run printed one."""
    line = next((s for s in stdout.splitlines() if s.startswith("DDP timeline (ms):")), "")
    return {part: (float(a), float(b)) for part, a, b in TIMELINE.findall(line)}
