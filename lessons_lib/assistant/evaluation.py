"""What a 135 M chat model can and cannot do, measured (chapter 11).

:data:`ASSISTANT_QUESTIONS` is a small evaluation written for the course: questions whose
answer can be checked by a program, in five kinds (facts, arithmetic, following a format, a
question in Chinese, chapter 08's dates). Each asks for a short answer. A reply scores on two
counts: **exact** (the whole reply, lower-cased and stripped of punctuation, is an accepted
answer) and **contains** (an accepted answer appears in it as a word), the looser count that
forgives "The capital of France is Paris." Real evaluations (MMLU, GSM8K, IFEval) work the
same way with thousands of questions.

:func:`few_shot_dates` measures **in-context learning**: the model is shown ``k`` worked
examples of chapter 08's task (an English date, then the date in Chinese) and asked for the
next one, with no training.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import torch

from ..data.dates import date_pairs
from ..models.generation import generate
from .chat import chat


@dataclass(frozen=True)
class Question:
    kind: str  # "fact", "arithmetic", "format", "Chinese" or "date"
    prompt: str
    answers: tuple[str, ...]  # accepted answers, any one of them
    case_sensitive: bool = False  # True where the case is the point (capital letters)


ASSISTANT_QUESTIONS = (
    Question("fact", "What is the capital of France? Answer with one word.", ("Paris",)),
    Question("fact", "What is the capital of Japan? Answer with one word.", ("Tokyo",)),
    Question("fact", "How many legs does a spider have? Answer with a number.", ("8", "eight")),
    Question(
        "fact",
        "What gas do plants take in to make food? Answer in two words.",
        ("carbon dioxide", "CO2"),
    ),  # fmt: skip
    Question(
        "fact",
        "Who wrote Romeo and Juliet? Answer with the name only.",
        ("William Shakespeare", "Shakespeare"),
    ),  # fmt: skip
    Question("arithmetic", "What is 12 + 7? Answer with the number only.", ("19",)),
    Question("arithmetic", "What is 9 times 8? Answer with the number only.", ("72",)),
    Question("arithmetic", "What is 100 minus 37? Answer with the number only.", ("63",)),
    Question("format", "Reply with the single word yes.", ("yes",)),
    Question("format", "Write the word cat in capital letters, nothing else.", ("CAT",), True),
    Question(
        "format",
        "List the first three letters of the English alphabet, separated by commas, nothing else.",
        ("a, b, c", "a,b,c"),
    ),  # fmt: skip
    Question("Chinese", "中国的首都是哪里？只回答城市名。", ("北京",)),
    Question("Chinese", "一加一等于几？只回答数字。", ("2", "二")),
    Question(
        "date",
        "Write the date March 5, 2021 in Chinese, as 年 月 日, nothing else.",
        ("2021年3月5日",),
    ),  # fmt: skip
    Question(
        "date",
        "Write the date 1999-12-31 in Chinese, as 年 月 日, nothing else.",
        ("1999年12月31日",),
    ),  # fmt: skip
)


def _normal(text: str, case_sensitive: bool = False) -> str:
    """Lower case (unless ``case_sensitive``), no punctuation, single spaces."""
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    return " ".join((text if case_sensitive else text.lower()).split())


def score_reply(reply: str, answers: tuple[str, ...], case_sensitive: bool = False) -> dict:
    """``{"exact": ..., "contains": ...}`` of one reply against its accepted answers."""
    got = _normal(reply, case_sensitive)
    wants = [_normal(a, case_sensitive) for a in answers]
    contains = any(
        re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", got) or (w in got and not w.isascii())
        for w in wants
    )
    return {"exact": got in wants, "contains": bool(contains)}


def evaluate_assistant(model, tokenizer, questions=ASSISTANT_QUESTIONS, max_new_tokens=24):
    """One row per question: kind, prompt, the greedy reply and its two scores."""
    rows = []
    for q in questions:
        reply = chat(model, tokenizer, [{"role": "user", "content": q.prompt}], max_new_tokens)
        rows.append({"kind": q.kind, "prompt": q.prompt, "reply": reply,
                     **score_reply(reply, q.answers, q.case_sensitive)})  # fmt: skip
    return rows


def few_shot_prompt(examples: list[tuple[str, str]], english: str) -> str:
    """Plain text, no chat template: ``examples`` (english, chinese) as ``english = chinese``
    lines, then ``english =`` for the model to complete. (Wrapped in the chat template, the
    same examples work worse: SmolLM2 then tends to copy one of the shown answers.)"""
    return "".join(f"{e} = {c}\n" for e, c in examples) + f"{english} ="


def few_shot_dates(model, tokenizer, k: int, n: int = 20, seed: int = 0) -> float:
    """Exact match on ``n`` held-out dates of chapter 08's task with ``k`` worked examples in
    the prompt (greedy, up to the end of the line)."""
    shots = [(e, c) for e, c, _ in date_pairs(k, seed=seed + 100)] if k else []
    newline = tokenizer.encode("\n")[0]
    right = 0
    for english, chinese, _ in date_pairs(n, seed=seed, split="test"):
        ids = torch.tensor([tokenizer.encode(few_shot_prompt(shots, english))])
        out = generate(model, ids, 20, temperature=0, use_cache=True, stop_id=newline)
        right += tokenizer.decode(out[0, ids.shape[1] :].tolist()).strip() == chinese
    return right / n
