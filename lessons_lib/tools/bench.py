"""Benchmarks of the course's from-scratch code against the libraries (chapter 02 onwards).

    python -m lessons_lib bench bpe                     # our BPE vs Hugging Face tokenizers
    python -m lessons_lib bench bpe --chars 20000 --vocab-size 300 --repeats 1   # quick
    python -m lessons_lib bench gpt --seconds 180       # chapter 06's GPT, trained for 180 s
    python -m lessons_lib bench ablations               # chapter 06's GPT with parts removed
    python -m lessons_lib bench chat                    # SmolLM2: ours vs transformers

``bpe`` trains our byte-level BPE and Hugging Face's on the same Shakespeare text and vocab
size, prints both training times and their ratio, and the tokens per byte of both on held-out
text (the validation split). ``gpt`` trains chapter 06's CPU configuration on the
character-level Shakespeare corpus for a wall-clock budget (the learning-rate schedule fitted
to it) and ends with the line ``val_loss=<nats per char> tokens_per_s=<n> chars_per_s=<n>
seconds=<n> tokenizer=<char|bpe>``, the validation loss measured on the whole validation split
(``--tokenizer bpe`` trains on chapter 02's 512-token BPE instead of characters; the loss is
still per character). Each command is a subcommand.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .._checks import one_of
from ..data.shakespeare import shakespeare, train_val_split
from ..tokenization.bpe import BPETokenizer
from ..tokenization.hf_bridge import hf_merges, our_merges, train_hf_bpe
from .arguments import count, int_at_least, positive_int, positive_number

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
        return "\n".join(
            [
                f"BPE training on {self.train_chars:,} characters of Shakespeare to vocab "
                f"{self.vocab_size} (best of the repeats):",
                f"  ours, plain Python:       {self.ours_seconds:7.3f} s",
                f"  Hugging Face tokenizers:  {self.hf_seconds:7.3f} s",
                f"  time ratio ours / HF:     {self.ratio:7.2f}",
                f"held-out text ({self.heldout_bytes:,} bytes of the validation split):",
                f"  tokens per byte, ours:    {self.ours_tokens_per_byte:.4f}",
                f"  tokens per byte, HF:      {self.hf_tokens_per_byte:.4f}",
                f"merges learned by both:     {self.merges_in_common} of {self.num_merges}",
            ]
        )


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


TOKENIZERS = ("char", "bpe")
BENCH_BPE = dict(train_chars=300_000, vocab_size=512)  # chapter 02's BPE, as chapter 06 trains it


def _bench_data(tokenizer: str):
    """(vocab_size, train ids, validation ids, a function: how many characters ids decode to)."""
    from .pretrain import shakespeare_data

    if tokenizer == "char":
        chars, train_ids, val_ids = shakespeare_data()
        return chars.vocab_size, train_ids, val_ids, lambda ids: len(ids)
    import torch

    train_text, val_text = train_val_split(shakespeare(), 0.9)
    bpe = BPETokenizer.train(train_text[: BENCH_BPE["train_chars"]], BENCH_BPE["vocab_size"])
    train_ids, val_ids = torch.tensor(bpe.encode(train_text)), torch.tensor(bpe.encode(val_text))
    return bpe.vocab_size, train_ids, val_ids, lambda ids: len(bpe.decode(ids.tolist()))


def bench_gpt(
    seconds: float, preset: str = "cpu", val_tokens: int | None = None, tokenizer: str = "char"
) -> str:
    """Train chapter 06's GPT for ``seconds`` on characters or on chapter 02's BPE tokens; the
    report ends with ``val_loss=... tokens_per_s=... chars_per_s=... seconds=... tokenizer=...``,
    the loss in nats per *character* whatever the tokenizer, so the two compare."""
    import torch

    from ..models.gpt import GPT_PRESETS, GPTConfig
    from ..models.lm import count_parameters
    from ..training.evaluation import evaluate
    from .pretrain import BENCH_RECIPE, train_for

    one_of(tokenizer, TOKENIZERS, "tokenizer")
    one_of(preset, GPT_PRESETS, "preset")  # before the data loads
    vocab_size, train_ids, val_ids, count_chars = _bench_data(tokenizer)
    config = GPTConfig.preset(preset, vocab_size=vocab_size)
    val_ids = val_ids[:val_tokens]
    chars_per_token = count_chars(val_ids) / len(val_ids)
    model, history, speed = train_for(
        config, seconds, train_ids, val_ids, progress=False, **BENCH_RECIPE
    )
    per_token = evaluate(model, val_ids, block_size=min(config.block_size, len(val_ids) - 1))
    val_loss = per_token / chars_per_token  # nats per character
    cores = torch.get_num_threads()
    return (
        f"GPT preset {preset!r} on {tokenizer} tokens (vocabulary {vocab_size}, "
        f"{chars_per_token:.2f} characters a token): {count_parameters(model):,} parameters, "
        f"{history.steps[-1]:,} steps of {BENCH_RECIPE['batch_size']} x {config.block_size} "
        f"tokens\nvalidation loss over {len(val_ids):,} tokens: {per_token:.4f} nats per token\n"
        f"{speed / cores:.0f} tokens per second per core ({cores} threads)\n"
        f"val_loss={val_loss:.4f} tokens_per_s={speed:.0f} "
        f"chars_per_s={speed * chars_per_token:.0f} seconds={history.seconds[-1]:.0f} "
        f"tokenizer={tokenizer}"
    )


def run_sweep(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``bench scaling`` and ``bench overfitting`` (chapter 09): run, write the JSON, report."""
    from . import overfitting, scaling

    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be positive")
    if args.command == "scaling":
        options = {} if args.widths is None else {"widths": tuple(args.widths)}
        if args.quick:
            options.update(data_chars=(), noise_shares=())
        table = scaling.run_scaling(args.steps or scaling.STEPS, args.seed, **options)
        out = args.out or scaling.SCALING_FILE
    else:
        table = overfitting.run_overfitting(args.steps or overfitting.STEPS, args.seed)
        out = args.out or overfitting.OVERFITTING_FILE
    scaling.write_table(table, out)
    for row in table["rows"]:
        name = row.get("remedy") or f"{row['sweep']} n_embd={row['config']['n_embd']}"
        print(f"{name:32} {row['train_chars']:>9,} chars  val {row['final_val_loss']:.3f}")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons_lib bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bpe = commands.add_parser("bpe", help="our byte-level BPE vs Hugging Face tokenizers")
    bpe.add_argument(
        "--chars",
        type=positive_int,
        default=300_000,
        help="characters of the training split to train on (default 300,000)",
    )
    bpe.add_argument("--vocab-size", type=int_at_least(256), default=512, help="default 512")
    bpe.add_argument(
        "--heldout-chars",
        type=positive_int,
        default=None,
        help="characters of the validation split to measure on (default: all)",
    )
    bpe.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        help="time each training this many times and keep the best (default 3)",
    )
    gpt = commands.add_parser("gpt", help="train chapter 06's GPT for a time budget")
    gpt.add_argument(
        "--seconds", type=positive_number, default=180.0, help="training time (default 180)"
    )
    gpt.add_argument("--preset", default="cpu", help="GPTConfig preset (default: cpu)")
    gpt.add_argument(
        "--tokenizer",
        choices=TOKENIZERS,
        default="char",
        help="characters, or chapter 02's BPE with 512 tokens (default: char)",
    )
    gpt.add_argument(
        "--val-tokens",
        type=int_at_least(2),
        default=None,
        help="measure on the first N validation tokens (default: all of them)",
    )
    chat = commands.add_parser("chat", help="SmolLM2 in our code vs transformers (chapter 11)")
    chat.add_argument("--new-tokens", type=positive_int, default=100, help="default 100")
    ablations = commands.add_parser(
        "ablations", help="chapter 06's GPT with one part removed at a time (a few minutes)"
    )
    ablations.add_argument(
        "--steps", type=positive_int, default=800, help="steps each (default 800)"
    )
    ablations.add_argument("--seed", type=count, default=0)
    ablations.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the JSON table (default: the package's checkpoints/ablations.json)",
    )
    for name, minutes in (("scaling", "15–25"), ("overfitting", "8–10")):
        sweep = commands.add_parser(
            name, help=f"chapter 09's {name} runs (about {minutes} minutes)"
        )
        sweep.add_argument("--steps", type=positive_int, default=None, help="steps per run")
        sweep.add_argument("--seed", type=count, default=0)
        sweep.add_argument("--out", type=Path, default=None, help="JSON (default: shipped)")
        if name == "scaling":
            sweep.add_argument("--widths", type=positive_int, nargs="+", default=None)
            sweep.add_argument("--quick", action="store_true", help="one width, no data sweep")
    args = parser.parse_args(argv)

    if args.command in ("scaling", "overfitting"):
        return run_sweep(args, parser)

    if args.command == "chat":
        from .bench_chat import bench_chat, chat_report

        print(chat_report(bench_chat(args.new_tokens)))

    if args.command == "ablations":
        from .ablations import ABLATIONS_FILE, ablation_report, run_ablations, write_table

        table = run_ablations(args.steps, args.seed)
        write_table(table, args.out or ABLATIONS_FILE)
        print(ablation_report(table))

    if args.command == "gpt":
        try:
            report = bench_gpt(args.seconds, args.preset, args.val_tokens, args.tokenizer)
        except ValueError as error:  # an unknown preset, before any work
            parser.error(str(error))
        print(report)

    if args.command == "bpe":
        train_text, heldout_text = train_val_split(shakespeare(), 0.9)
        result = bench_bpe(
            train_text[: args.chars],
            heldout_text[: args.heldout_chars],
            args.vocab_size,
            args.repeats,
        )
        print(result.report())
    return 0
