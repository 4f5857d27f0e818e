"""Benchmarks of the course's from-scratch code against the libraries (chapter 02 onwards).

    python -m lessons_lib.bench bpe                     # our BPE vs Hugging Face tokenizers
    python -m lessons_lib.bench bpe --chars 20000 --vocab-size 300 --repeats 1   # quick

``bpe`` trains our byte-level BPE and Hugging Face's on the same Shakespeare text and vocab
size, prints both training times and their ratio, and the tokens per byte of both on held-out
text (the validation split). Each command is a subcommand, so later chapters add their own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .bpe import BPETokenizer
from .data import shakespeare, train_val_split
from .hf_bpe import hf_merges, our_merges, train_hf_bpe

Result = TypeVar("Result")


@dataclass
class BPEBenchmark:
    """What :func:`bench_bpe` measured."""

    train_chars: int  # characters of training text
    heldout_bytes: int  # UTF-8 bytes of held-out text
    vocab_size: int  # vocabulary size asked of both trainers
    ours_seconds: float  # our training time (the best of the repeats)
    hf_seconds: float  # Hugging Face's training time (the best of the repeats)
    ours_tokens_per_byte: float  # on the held-out text
    hf_tokens_per_byte: float  # on the held-out text
    merges_in_common: int  # merges both learned (in any order)
    num_merges: int  # merges each learned

    @property
    def ratio(self) -> float:
        """Our training time divided by Hugging Face's."""
        return self.ours_seconds / self.hf_seconds

    def report(self) -> str:
        return "\n".join([
            f"BPE training on {self.train_chars:,} characters of Shakespeare to vocab "
            f"{self.vocab_size} (best of the repeats):",
            f"  ours, plain Python:       {self.ours_seconds:7.3f} s",
            f"  Hugging Face tokenizers:  {self.hf_seconds:7.3f} s",
            f"  time ratio ours / HF:     {self.ratio:7.2f}",
            f"held-out text ({self.heldout_bytes:,} bytes of the validation split):",
            f"  tokens per byte, ours:    {self.ours_tokens_per_byte:.4f}",
            f"  tokens per byte, HF:      {self.hf_tokens_per_byte:.4f}",
            f"merges learned by both:     {self.merges_in_common} of {self.num_merges}",
        ])


def best_time(function: Callable[[], Result], repeats: int) -> tuple[float, Result]:
    """The fastest of ``repeats`` runs of ``function()`` in seconds, and its last result."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def bench_bpe(
    train_text: str, heldout_text: str, vocab_size: int = 512, repeats: int = 3
) -> BPEBenchmark:
    """Train both BPEs on ``train_text`` and measure them on ``heldout_text``."""
    if not heldout_text:
        raise ValueError("heldout_text is empty: pass some text to measure compression on.")
    ours_seconds, ours = best_time(lambda: BPETokenizer.train(train_text, vocab_size), repeats)
    hf_seconds, hf = best_time(lambda: train_hf_bpe(train_text, vocab_size), repeats)
    heldout_bytes = len(heldout_text.encode("utf-8"))
    mine, theirs = our_merges(ours), hf_merges(hf)
    return BPEBenchmark(
        train_chars=len(train_text),
        heldout_bytes=heldout_bytes,
        vocab_size=vocab_size,
        ours_seconds=ours_seconds,
        hf_seconds=hf_seconds,
        ours_tokens_per_byte=len(ours.encode(heldout_text)) / heldout_bytes,
        hf_tokens_per_byte=len(hf.encode(heldout_text).ids) / heldout_bytes,
        merges_in_common=len(set(mine) & set(theirs)),
        num_merges=len(mine),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bpe = commands.add_parser("bpe", help="our byte-level BPE vs Hugging Face tokenizers")
    bpe.add_argument("--chars", type=int, default=300_000,
                     help="characters of the training split to train on (default 300,000)")
    bpe.add_argument("--vocab-size", type=int, default=512, help="default 512")
    bpe.add_argument("--heldout-chars", type=int, default=None,
                     help="characters of the validation split to measure on (default: all)")
    bpe.add_argument("--repeats", type=int, default=3,
                     help="time each training this many times and keep the best (default 3)")
    args = parser.parse_args(argv)

    if args.command == "bpe":
        if args.chars < 1 or args.repeats < 1 or (args.heldout_chars or 1) < 1:
            parser.error("--chars, --heldout-chars and --repeats must be positive")
        if args.vocab_size < 256:
            parser.error(f"--vocab-size must be at least 256 (one id per byte), got "
                         f"{args.vocab_size}")
        train_text, heldout_text = train_val_split(shakespeare(), 0.9)
        result = bench_bpe(train_text[: args.chars], heldout_text[: args.heldout_chars],
                           args.vocab_size, args.repeats)
        print(result.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
