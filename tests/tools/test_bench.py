"""Tests of tools.bench, the command-line benchmarks (tiny sizes, so they are fast)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lessons_lib.data.shakespeare import shakespeare
from lessons_lib.tools import bench

pytest.importorskip("tokenizers")

TINY = [
    "bpe",
    "--chars",
    "5000",
    "--vocab-size",
    "280",
    "--repeats",
    "1",
    "--heldout-chars",
    "2000",
]


def test_bpe_command_prints_times_ratio_and_compression(capsys):
    assert bench.main(TINY) == 0
    out = capsys.readouterr().out
    assert "BPE training on 5,000 characters of Shakespeare to vocab 280" in out
    ours = float(re.search(r"ours, plain Python: +([\d.]+) s", out).group(1))
    hf = float(re.search(r"Hugging Face tokenizers: +([\d.]+) s", out).group(1))
    ratio = float(re.search(r"time ratio ours / HF: +([\d.]+)", out).group(1))
    assert ours > 0 and hf > 0 and ratio > 0  # (the printed times are rounded: no exact check)
    ours_tpb = float(re.search(r"tokens per byte, ours: +([\d.]+)", out).group(1))
    hf_tpb = float(re.search(r"tokens per byte, HF: +([\d.]+)", out).group(1))
    assert 0.3 < ours_tpb < 1.0 and ours_tpb == pytest.approx(hf_tpb, abs=0.01)
    assert "merges learned by both:     24 of 24" in out


def test_bench_bpe_returns_the_measurements():
    text = shakespeare()[:5_000]
    result = bench.bench_bpe(text, "Now is the winter of our discontent", 280, repeats=2)
    assert result.num_merges == 24 and result.merges_in_common == 24
    assert result.heldout_bytes == 35 and result.train_chars == 5_000
    assert result.ratio == result.ours_seconds / result.hf_seconds
    assert result.ours_tokens_per_byte == pytest.approx(result.hf_tokens_per_byte)
    assert result.ours_tokens_per_byte < 0.75  # e.g. ' the' is one token, not 4


@pytest.mark.slow
def test_module_runs_from_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "lessons_lib", "bench", *TINY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "time ratio ours / HF" in done.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["bpe", "--vocab-size", "100"], "argument --vocab-size: must be an int >= 256, got '100'"),
        (["bpe", "--chars", "0"], "argument --chars: must be an int >= 1, got '0'"),
        (["bpe", "--repeats", "-1"], "argument --repeats: must be an int >= 1, got '-1'"),
        (["bpe", "--chars", "1e5"], "argument --chars: must be a whole number, got '1e5'"),
        (["gpt", "--seconds", "0"], "argument --seconds: must be a number > 0, got '0'"),
        (["gpt", "--seconds", "inf"], "argument --seconds: must be a number > 0, got 'inf'"),
        (["gpt", "--val-tokens", "1"], "argument --val-tokens: must be an int >= 2, got '1'"),
        (["gpt", "--preset", "big"], "Unknown preset 'big'; choose one of: 'tiny', 'cpu', 'gpu'"),
        (["ablations", "--steps", "0"], "argument --steps: must be an int >= 1, got '0'"),
        (["scaling", "--widths", "32", "-8"], "argument --widths: must be an int >= 1, got '-8'"),
        (["overfitting", "--seed", "-1"], "argument --seed: must be an int >= 0, got '-1'"),
        (["nope"], "invalid choice: 'nope'"),
    ],
)
def test_bad_arguments_say_what_is_wrong(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        bench.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_empty_heldout_text_and_bad_repeats_are_rejected():
    with pytest.raises(ValueError, match="heldout_text is empty"):
        bench.bench_bpe("some text", "", 260)
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        bench.best_time(lambda: None, 0)


@pytest.mark.slow
def test_bench_gpt_ends_with_the_promised_line(capsys):
    assert bench.main(["gpt", "--seconds", "1", "--preset", "tiny", "--val-tokens", "2000"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    pattern = (
        r"val_loss=(\d+\.\d+) tokens_per_s=(\d+) chars_per_s=(\d+) seconds=(\d+) tokenizer=char"
    )
    match = re.fullmatch(pattern, last)
    assert match, last
    assert 0 < float(match.group(1)) < 5 and int(match.group(2)) > 0
    assert match.group(2) == match.group(3)  # one character a token


@pytest.mark.slow
def test_bench_gpt_on_bpe_reports_nats_per_character(capsys):
    argv = ["gpt", "--seconds", "1", "--preset", "tiny", "--val-tokens", "2000"]
    assert bench.main([*argv, "--tokenizer", "bpe"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    per_token = float(re.search(r"(\d+\.\d+) nats per token", out[1]).group(1))
    fields = dict(field.split("=") for field in out[-1].split())
    assert fields["tokenizer"] == "bpe"
    chars_per_token = int(fields["chars_per_s"]) / int(fields["tokens_per_s"])
    assert 1.5 < chars_per_token < 2.5  # 512 BPE tokens: about 1.9 characters each
    assert float(fields["val_loss"]) == pytest.approx(per_token / chars_per_token, rel=1e-2)


def test_bench_gpt_rejects_a_bad_budget():
    with pytest.raises(SystemExit):
        bench.main(["gpt", "--seconds", "0"])
