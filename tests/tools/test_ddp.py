"""``python -m lessons_lib ddp``: the plan's checks, and real torchrun runs on the CPU (gloo):
one process and two compute the same weights, by DDP and by hand; a crash stops every rank."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest
from safetensors.torch import load_file

from lessons_lib.tools.ddp import (
    ALL_REDUCE,
    BUCKETS,
    _timeline,
    check_plan,
    main,
    parser,
    port_in_use,
    run_ddp,
    torchrun_arguments,
)

LAST_LINE = re.compile(r"loss=(\S+) tokens_per_s=(\d+) world_size=(\d+) seconds=(\S+)$")


@pytest.mark.parametrize(
    "nproc, batch, accumulate, message",
    [
        (
            2,
            30,
            4,
            "--batch-size 30 must split into --nproc 2 x --accumulate 4 = 8 equal parts (one "
            "per rank and micro-step). Try --batch-size 32.",
        ),
        (2, 31, 1, "Try --batch-size 30"),  # the nearest that fits (32 is as near: the first wins)
        (0, 32, 1, "--nproc must be at least 1, got 0."),
        (1, 32, 0, "--accumulate must be at least 1, got 0."),
        (999, 999, 1, "--nproc 999 is more processes than this machine's"),
    ],
)
def test_a_plan_that_cannot_run_says_how_to_fix_it(nproc, batch, accumulate, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_plan(nproc, batch, accumulate)


def test_more_ranks_than_gpus_are_refused_on_cuda_and_run_on_the_cpu_by_default(monkeypatch):
    import torch

    from lessons_lib.tools.ddp_rank import rank_device

    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)  # a 1-GPU Colab runtime
    with pytest.raises(
        ValueError, match="this machine has 1: use --nproc 1 or less, or --device cpu"
    ):
        check_plan(2, 32, 1, device="cuda")
    check_plan(2, 32, 1, device="auto")  # no error: auto runs 2 ranks on the CPU
    assert rank_device("auto", 2) == "cpu" and rank_device("auto", 1) == "cuda"
    assert rank_device("cpu", 1) == "cpu"


def test_more_processes_than_cores_run_when_asked():
    check_plan(999, 999, 1, oversubscribe=True)  # no error


def test_the_command_refuses_bad_plans_before_starting_anything(capsys):
    assert main(["--nproc", "2", "--batch-size", "7"]) == 2
    assert "must split into --nproc 2 x --accumulate 1 = 2 equal parts" in capsys.readouterr().err
    for argv, message in [
        (["--steps", "0"], "argument --steps: must be an int >= 1, got '0'"),
        (["--nproc", "-2"], "argument --nproc: must be an int >= 1, got '-2'"),
        (["--lr", "0"], "argument --lr: must be a number > 0, got '0'"),
        (["--lr", "3e-3x"], "argument --lr: must be a number, got '3e-3x'"),
        (["--port", "80"], "argument --port: must be an int >= 1024, got '80'"),
        (["--port", "70000"], "argument --port: must be a port in 1024-65535, got '70000'"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_a_port_in_use_is_named(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert port_in_use(port)
        assert main(["--port", str(port)]) == 2
    assert f"port {port} is in use on this machine" in capsys.readouterr().err
    assert not port_in_use(port)  # free again once closed


def test_torchrun_gets_the_plan():
    args = parser().parse_args(["--nproc", "2", "--steps", "7", "--save", "out/run"])
    command = torchrun_arguments(args)
    assert command[0] == "--standalone"
    assert "--nproc-per-node=2" in command and "--steps=7" in command
    assert command[command.index("-m") + 1] == "lessons_lib.tools.ddp_rank"
    assert "--save=out/run" in command and "--device=auto" in command
    pinned = torchrun_arguments(parser().parse_args(["--port", "29511"]))
    assert "--standalone" not in pinned and "127.0.0.1:29511" in pinned


def _run(*options: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "lessons_lib", "ddp", "--preset", "tiny", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same 20 steps of 16 windows as 1 process, 2 processes (DDP) and 2 by hand."""
    folder = tmp_path_factory.mktemp("ddp")
    plan = ["--steps", "20", "--batch-size", "16", "--seed", "1"]
    variants = {
        "one": ["--nproc", "1"],
        "ddp": ["--nproc", "2", "--oversubscribe", "--measure-all-reduce"],
        "hand": ["--nproc", "2", "--oversubscribe", "--sync", "hand", "--accumulate", "2"],
    }
    done = {}
    for name, options in variants.items():
        result = _run(*plan, *options, "--save", str(folder / name))
        assert result.returncode == 0, result.stderr[-3000:]
        done[name] = (result, load_file(str(folder / f"{name}.safetensors")))
    return done


@pytest.mark.slow
def test_one_process_and_two_compute_the_same_weights(runs):
    _, one = runs["one"]
    for name in ("ddp", "hand"):
        _, other = runs[name]
        worst = max((one[k] - other[k]).abs().max().item() for k in one)
        # measured: at most 4.4e-6 over seeds 0 and 1 (20 AdamW steps of lr 3e-3)
        assert worst < 5e-5, (name, worst)


@pytest.mark.slow
def test_the_last_line_reports_loss_speed_and_world_size(runs):
    losses = {}
    for name, (result, _) in runs.items():
        lines = result.stdout.strip().splitlines()
        assert lines[0].startswith("torchrun --standalone --nnodes=1")  # what it runs, shown
        assert "since the command started" in lines[-2]  # the start-up, reported too
        last = LAST_LINE.search(lines[-1])
        assert last, result.stdout[-500:]
        loss, tokens_per_s, world_size, seconds = last.groups()
        assert int(world_size) == (1 if name == "one" else 2)
        assert int(tokens_per_s) > 0 and float(seconds) > 0
        losses[name] = float(loss)
    assert 3.0 < losses["one"] < 4.3  # below the uniform guess ln 76 = 4.33 after 20 steps
    assert max(losses.values()) - min(losses.values()) < 1e-3


@pytest.mark.slow
def test_the_all_reduce_is_timed_when_asked(runs):
    timings = ALL_REDUCE.findall(runs["ddp"][0].stdout)
    assert [mb for mb, _, _ in timings] == ["0.01", "0.1", "1", "2.5", "10", "40"]
    assert all(float(ms) > 0 and float(gbs) > 0 for _, ms, gbs in timings)
    assert not ALL_REDUCE.search(runs["one"][0].stdout)  # only when asked
    buckets = [int(b) for b in BUCKETS.search(runs["ddp"][0].stdout).group(1).split(",")]
    assert buckets and all(b > 0 for b in buckets)
    assert buckets[0] <= 1024 * 1024 + 64 * 1024  # the first closes once past 1 MiB
    assert not BUCKETS.search(runs["one"][0].stdout)
    timeline = _timeline(runs["ddp"][0].stdout)  # DDP's own record of its last step
    assert timeline["forward"][0] == 0.0
    assert timeline["forward"][1] == timeline["backward"][0] < timeline["backward"][1]
    assert timeline["all_reduce"][0] < timeline["all_reduce"][1]
    assert timeline["all_reduce"][1] >= timeline["backward"][1]  # the last bucket follows backward
    assert not _timeline(runs["one"][0].stdout)


def test_the_timeline_line_is_read_back_in_ms():
    out = (
        "DDP buckets (bytes): 10\n"
        "DDP timeline (ms): forward 0.0 4.5 backward 4.5 13.6 all_reduce 8.2 14.4\n"
    )
    assert _timeline(out) == {
        "forward": (0.0, 4.5),
        "backward": (4.5, 13.6),
        "all_reduce": (8.2, 14.4),
    }
    assert _timeline("loss=1.0 tokens_per_s=1 world_size=1 seconds=1") == {}


def test_run_ddp_shows_why_a_plan_cannot_run(capsys):
    assert run_ddp("--nproc", "2", "--batch-size", "31") is None
    captured = capsys.readouterr()
    assert captured.out.startswith("$ python -m lessons_lib ddp --nproc 2 --batch-size 31")
    assert "Try --batch-size 30" in captured.err


@pytest.mark.slow
def test_run_ddp_returns_what_the_last_line_says():
    result = run_ddp(
        "--preset", "tiny", "--nproc", "1", "--steps", "2", "--batch-size", "8", show=False
    )
    assert result["world_size"] == 1 and result["tokens_per_s"] > 0
    assert 3.0 < result["loss"] < 4.5 and result["all_reduce"] == {}


@pytest.mark.slow
def test_a_crashing_rank_brings_the_others_down_with_its_error():
    result = _run("--nproc", "2", "--oversubscribe", "--steps", "50", "--crash-rank", "1")
    assert result.returncode != 0
    assert "rank 1 crashed on purpose at step 2" in result.stderr  # torchrun's root cause
    assert "the run failed" in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_every_rank_and_rank_0_keeps_and_saves_the_model(tmp_path):
    import os
    import signal

    command = [sys.executable, "-m", "lessons_lib", "ddp", "--preset", "tiny", "--nproc", "2"]
    command += ["--oversubscribe", "--steps", "100000", "--log-every", "20"]
    command += ["--save", str(tmp_path / "stopped")]
    run = subprocess.Popen(  # its own process group, like a terminal's foreground job
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        for line in run.stdout:
            if line.startswith("40/"):  # training for real: press Ctrl-C
                os.killpg(run.pid, signal.SIGINT)
                break
        rest = run.communicate(timeout=60)[0]
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert "Stopped by hand after" in rest and "the model keeps them" in rest
    assert re.search(LAST_LINE.pattern, rest, re.M) and "world_size=2" in rest
    assert "stopped by hand; rank 0 kept (and saved) the model" in rest
    assert run.returncode == 130
    weights = load_file(str(tmp_path / "stopped.safetensors"))
    assert "tok_emb.weight" in weights


def test_threads_per_rank_are_what_was_asked(monkeypatch):
    from lessons_lib.tools import ddp

    seen = []

    def fake_torchrun(arguments):  # record what the ranks would inherit, start nothing
        seen.append(os.environ["OMP_NUM_THREADS"])
        return 0

    monkeypatch.setattr(ddp, "run_torchrun", fake_torchrun)
    for options, threads in ((["--threads", "1"], "1"), (["--threads", "3"], "3"), ([], None)):
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        assert ddp.main(["--nproc", "1", *options]) == 0
        assert seen[-1] == (threads or str(max(1, os.cpu_count() or 1)))


@pytest.mark.slow
def test_chapter_10s_bucket_rule_predicts_what_ddp_does():
    from lessons_lib.course.exercises.ch10_buckets import ddp_buckets, gpt_gradient_sizes

    plan = ["--preset", "cpu", "--steps", "3", "--warmup", "0", "--batch-size", "4"]  # rebuilt by 3
    result = _run("--nproc", "2", "--oversubscribe", *plan, "--measure-all-reduce")
    assert result.returncode == 0, result.stderr[-3000:]
    measured = [int(b) for b in BUCKETS.search(result.stdout).group(1).split(",")]
    assert measured == ddp_buckets(gpt_gradient_sizes()) == [1056768, 1427968]
