"""``python -m lessons_lib <command>``: the course's commands, one entry point.

``python -m lessons_lib --help`` lists them; ``python -m lessons_lib <command> --help`` tells
one command's options.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _check(argv: list[str]) -> int:
    from .course.environment_check import check_environment

    if argv:
        print("python -m lessons_lib check takes no options.", file=sys.stderr)
        return 2
    return 0 if check_environment() else 1


def _refresh(argv: list[str]) -> int:
    from .tools.notebooks import refresh_command

    return refresh_command(argv)


def _badges(argv: list[str]) -> int:
    from .tools.notebooks import badges_command

    return badges_command(argv)


def _bench(argv: list[str]) -> int:
    from .tools.bench import main

    return main(argv)


def _translator(argv: list[str]) -> int:
    from .tools.translator import main

    return main(argv)


def _summaries(argv: list[str]) -> int:
    from .tools.chapter_summaries import main

    return main(argv)


def _ddp(argv: list[str]) -> int:
    from .tools.ddp import main

    return main(argv)


def _pretrain(argv: list[str]) -> int:
    from .tools.pretrain import main

    return main(argv)


COMMANDS: dict[str, tuple[Callable[[list[str]], int], str]] = {
    "check": (_check, "is everything the course needs installed? (chapter 00's check)"),
    "refresh": (_refresh, "run notebooks in a fresh kernel and store their outputs"),
    "badges": (_badges, "point every Colab and Binder badge at the course's repository"),
    "bench": (
        _bench,
        "bench gpt | bpe | ablations | scaling | overfitting: speed, tokenizers, what helps",
    ),
    "pretrain": (_pretrain, "train the GPT checkpoint that chapter 06 ships (~28 min)"),
    "translator": (_translator, "train the date translator that chapter 08 ships (~3 min)"),
    "summaries": (_summaries, "chapter 08's summarization test set from the notebooks"),
    "ddp": (_ddp, "data-parallel training of chapter 06's GPT with torchrun (chapter 10)"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: python -m lessons_lib <command> [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {about}" for name, (_, about) in COMMANDS.items()]
    lines += ["", "python -m lessons_lib <command> --help tells a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"Unknown command {name!r}; choose one of: {', '.join(COMMANDS)}.\n", file=sys.stderr)
        print(usage(), file=sys.stderr)
        return 2
    return COMMANDS[name][0](rest)


if __name__ == "__main__":
    sys.exit(main())
