"""Tests of tools.bench_chat: the report's table, and (slow) a real run of both engines."""

from __future__ import annotations

import pytest

from lessons_lib.pretrained.smollm2 import transformers_reads_q4_1
from lessons_lib.tools.bench_chat import bench_chat, chat_report

READS_Q4_1 = pytest.mark.skipif(
    not transformers_reads_q4_1(), reason="transformers < 4.45 cannot read Q4_1 tensors"
)


def test_the_report_puts_both_engines_side_by_side():
    results = [
        {"engine": "ours", "prompt_tokens": 96, "prompt_tokens_per_s": 372.4,
         "tokens_per_s": 16.6, "peak_mb": 1134.0},
        {"engine": "transformers", "prompt_tokens": 96, "prompt_tokens_per_s": 340.0,
         "tokens_per_s": 16.3, "generate_tokens_per_s": 16.5, "peak_mb": 1230.0},
    ]  # fmt: skip
    lines = chat_report(results).splitlines()
    assert lines[0].startswith("SmolLM2-135M, a prompt of 96 tokens, greedy")
    assert lines[2].split()[-3:] == ["372", "16.6", "1134"]
    assert lines[3].split()[-3:] == ["340", "16.3", "1230"]
    assert lines[4].split()[-1] == "16.5"


@READS_Q4_1
@pytest.mark.slow
def test_both_engines_run_and_report():
    ours, theirs = bench_chat(new_tokens=4)
    assert ours["engine"] == "ours" and theirs["engine"] == "transformers"
    assert ours["prompt_tokens"] == theirs["prompt_tokens"] > 80
    for r in (ours, theirs):
        assert r["tokens_per_s"] > 0 and r["prompt_tokens_per_s"] > 0 and r["peak_mb"] > 100
