"""The program torchrun starts per rank: its training loop in a one-rank gloo group (DDP and
by hand, with accumulation), and outside torchrun it says how to start a run."""

import re
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist

from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.tools.ddp_rank import parser, train

DATA = torch.arange(1000) % 76  # (1000,) token ids


@pytest.fixture
def one_rank_group():
    """A real process group of one rank, as torchrun --nproc 1 would make."""
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def _args(*options):
    return parser().parse_args(["--steps", "4", "--batch-size", "8", "--lr", "1e-2", *options])


def _trained(*options):
    torch.manual_seed(0)
    model = GPT(GPTConfig.preset("tiny"))
    return model, train(model, DATA, _args(*options))


def test_accumulated_micro_batches_train_like_one_big_batch(one_rank_group):
    big, report = _trained("--accumulate", "1")
    for options in [("--accumulate", "4"), ("--accumulate", "8", "--sync", "hand")]:
        small, _ = _trained(*options)
        for (name, a), b in zip(big.state_dict().items(), small.state_dict().values(), strict=True):
            # measured: at most 6e-5 after 4 AdamW steps of lr 1e-2 (the weights move ~4e-2);
            # Adam divides by sqrt(v), so early steps magnify rounding differences
            assert (a - b).abs().max() < 3e-4, (options, name)
    assert report["steps"] == 4 and report["tokens_per_s"] > 0 and not report["interrupted"]
    changed = GPT(GPTConfig.preset("tiny"))  # an untrained copy differs: training did something
    assert not torch.allclose(changed.tok_emb.weight, big.tok_emb.weight, atol=1e-3)


def test_a_crashing_rank_raises_its_error(one_rank_group):
    model = GPT(GPTConfig.preset("tiny"))
    with pytest.raises(RuntimeError, match="rank 0 crashed on purpose at step 2"):
        train(model, DATA, _args("--steps", "5", "--crash-rank", "0"))


@pytest.mark.parametrize(
    "options, message",
    [
        (("--batch-size", "6", "--accumulate", "4"), "batch_size=6 must split into world_size 1"),
        (("--batch-size", "0"), "batch_size must be a positive int"),
        (("--lr", "0"), "lr (the learning rate, e.g. 3e-3)"),
    ],
)
def test_a_bad_plan_is_refused_with_a_clear_error(one_rank_group, options, message):
    model = GPT(GPTConfig.preset("tiny"))
    with pytest.raises(ValueError, match=re.escape(message)):
        train(model, DATA, _args(*options))


@pytest.mark.slow
def test_started_by_hand_it_names_the_command_to_use():
    done = subprocess.run(
        [sys.executable, "-m", "lessons_lib.tools.ddp_rank", "--steps", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert done.returncode != 0
    assert "needs torchrun's environment" in done.stderr
    assert "python -m lessons_lib ddp --nproc 2" in done.stderr
