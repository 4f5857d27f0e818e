"""Tests of course.exercises: every exercise's check, and the check machinery itself."""

from __future__ import annotations

import functools
import inspect
import math

import pytest
import torch

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch01
from lessons_lib.models.lm import check_token_ids

ALL_NAMES = ex.names()  # every chapter's exercises
CH00_CH01 = ["negative_log_likelihood", "next_token_pairs", "perplexity", "vocabulary"]
NAMES = CH00_CH01  # this file tests the framework on chapters 00 and 01; others have their own


def _stub(*args, **kwargs):
    raise NotImplementedError


def _nll_sum(probs, ids):
    return -sum(math.log(float(probs[a, b])) for a, b in zip(ids[:-1], ids[1:], strict=True))


# A plausible learner's mistake for every exercise, and the words its message must contain.
WRONG = {
    "vocabulary": (lambda text: list(text), "vocabulary('hello') should be ['e', 'h', 'l', 'o']"),
    "next_token_pairs": (
        lambda ids, context=1: [
            (tuple(ids[t - context : t]), ids[t]) for t in range(context + 1, len(ids))
        ],
        "there are 3 pairs (one for each id after the first 1), you returned 2",
    ),
    "negative_log_likelihood": (_nll_sum, "the sum: divide by the number of pairs"),
    "perplexity": (
        lambda ps: -sum(math.log(p) for p in ps) / len(ps),
        "the NLL: perplexity is exp of it",
    ),
}


def test_names_lists_every_exercise():
    assert set(CH00_CH01) <= set(ALL_NAMES) and ALL_NAMES == sorted(ALL_NAMES)
    assert set(WRONG) == set(NAMES)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_registered_solution_passes(name):
    passed, message = ex.run_check(name, ex.REGISTRY[name].solution)
    assert passed, message
    assert message.startswith("correct:")


@pytest.mark.parametrize("name", ALL_NAMES)
def test_stub_is_not_done_yet(name):
    passed, message = ex.run_check(name, _stub)
    assert not passed
    assert message.startswith("not done yet: replace the `raise NotImplementedError` line")
    assert f'ex.solution("{name}")' in message


@pytest.mark.parametrize("name", NAMES)
def test_wrong_answer_fails_with_a_helpful_message(name):
    answer, expected_words = WRONG[name]
    passed, message = ex.run_check(name, answer)
    assert not passed
    assert expected_words in message
    assert message.endswith(f'(Hint: ex.solution("{name}") shows one answer.)')


@pytest.mark.parametrize("name", ALL_NAMES)
def test_forgotten_return_is_named(name):
    passed, message = ex.run_check(name, lambda *args, **kwargs: None)
    assert not passed
    assert "returned None: did you forget `return`?" in message


def _line_of(function, text: str) -> int:
    """The number of the line of ``function``'s source file that holds ``text``."""
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if text in line)


def _crashes(*args, **kwargs):
    return 1 / 0


def _crashes_inside_lessons_lib(text):
    check_token_ids(text, vocab_size=10)  # a str, not a tensor: lessons_lib raises TypeError
    return sorted(set(text))


@pytest.mark.parametrize("name", NAMES)
def test_learner_code_that_crashes_is_reported_with_its_line(name):
    passed, message = ex.run_check(name, _crashes)
    line = _line_of(_crashes, "return 1 / 0")
    assert not passed
    assert message.startswith(
        f"your code raised ZeroDivisionError: division by zero (line {line}: return 1 / 0)"
    )


def test_a_crash_inside_lessons_lib_names_the_learners_line_not_the_librarys():
    passed, message = ex.run_check("vocabulary", _crashes_inside_lessons_lib)
    line = _line_of(_crashes_inside_lessons_lib, "check_token_ids(text")
    assert not passed
    assert message.startswith("your code raised TypeError: idx must be a torch tensor")
    assert f"(line {line}: check_token_ids(text, vocab_size=10)" in message
    assert "raise TypeError" not in message  # lessons_lib's own line is not the learner's


def _crashes_inside_torch(text):
    torch.nn.Linear(2, 3)(torch.zeros(4))  # a shape error, raised inside torch.nn
    return sorted(set(text))


def test_a_crash_inside_torch_names_the_learners_line_not_torchs():
    passed, message = ex.run_check("vocabulary", _crashes_inside_torch)
    line = _line_of(_crashes_inside_torch, "torch.nn.Linear(2, 3)(")
    assert not passed
    assert f"(line {line}: torch.nn.Linear(2, 3)(torch.zeros(4))" in message, message


def test_a_crash_inside_lessons_lib_without_learner_code_is_not_blamed_on_them(monkeypatch):
    monkeypatch.setattr(ex, "REGISTRY", dict(ex.REGISTRY))
    # a checker that is lessons_lib's own code: the traceback holds no frame of the learner's
    ex.exercise("token_ids", solution=list)(functools.partial(check_token_ids, vocab_size=10))
    passed, message = ex.run_check("token_ids", "not a tensor")
    assert not passed
    assert message.startswith("your answer is not the kind of value expected (TypeError: idx")


@pytest.mark.parametrize("name", NAMES)
def test_answer_of_the_wrong_kind_is_reported(name):
    passed, message = ex.run_check(name, 42)  # a number, not a function
    assert not passed
    assert message.startswith("your answer is not the kind of value expected (TypeError")


@pytest.mark.parametrize("name", NAMES)
def test_check_prints_a_tick_or_a_cross_and_never_raises(name, capsys):
    ex.check(name, ex.REGISTRY[name].solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ correct:") and out.count("\n") == 1
    ex.check(name, _stub)
    out = capsys.readouterr().out
    assert out.startswith("✗ not done yet") and out.count("\n") == 1
    ex.check(name, WRONG[name][0])
    out = capsys.readouterr().out
    assert out.startswith("✗ ") and WRONG[name][1] in out


@pytest.mark.parametrize("name", NAMES)
def test_solution_shows_and_returns_the_solution(name, capsys):
    func = ex.solution(name)
    registered = ex.REGISTRY[name].solution
    assert f"def {registered.__name__}(" in capsys.readouterr().out  # the source was shown
    assert callable(func)
    assert func.function is registered
    assert repr(func) == f"<model solution of {name!r}: call it like your own function>"
    assert ex.run_check(name, func) == ex.run_check(name, registered)
    assert ex.run_check(name, func)[0]


@pytest.mark.parametrize("call", [ex.run_check, ex.check])
def test_unknown_name_lists_the_known_ones(call):
    with pytest.raises(KeyError, match=r"No exercise named 'nope'\. Known exercises: .*vocabulary"):
        call("nope", _stub)


def test_unknown_solution_raises_key_error():
    with pytest.raises(KeyError, match="negative_log_likelihood, next_token_pairs, .*perplexity"):
        ex.solution("nope")


def test_exercise_decorator_registers_checker_and_solution(monkeypatch):
    monkeypatch.setattr(ex, "REGISTRY", dict(ex.REGISTRY))

    def double(x):
        return 2 * x

    @ex.exercise("double", solution=double)
    def check_double(answer) -> str:
        assert answer(3) == 6, f"double(3) should be 6, got {answer(3)}"
        return "correct: double(3) == 6"

    assert check_double.__name__ == "check_double"  # the decorator returns the checker
    assert ex.REGISTRY["double"].checker is check_double
    assert ex.run_check("double", double) == (True, "correct: double(3) == 6")
    assert ex.run_check("double", lambda x: x)[1].startswith("double(3) should be 6, got 3")
    assert "double" in ex.names()


# --- the model solutions themselves, by hand ----------------------------------------------------


def test_next_token_pairs_by_hand():
    assert ch01.next_token_pairs([5, 2, 7, 1]) == [((5,), 2), ((2,), 7), ((7,), 1)]
    assert ch01.next_token_pairs([5, 2, 7, 1], 2) == [((5, 2), 7), ((2, 7), 1)]
    assert ch01.next_token_pairs([9], 1) == []


def test_negative_log_likelihood_by_hand():
    probs = torch.tensor([[0.5, 0.5], [0.25, 0.75]])
    # pairs (0, 1) and (1, 1): -(ln 0.5 + ln 0.75) / 2
    expected = -(math.log(0.5) + math.log(0.75)) / 2
    assert ch01.negative_log_likelihood(probs, [0, 1, 1]) == pytest.approx(expected)


def test_perplexity_by_hand():
    assert ch01.perplexity([0.25] * 4) == pytest.approx(4.0)
    assert ch01.perplexity([0.5, 0.125]) == pytest.approx(4.0)  # exp of mean(ln 2, ln 8)
    assert ch01.perplexity([1.0]) == pytest.approx(1.0)


def _nll_with(log, transpose=False):
    def nll(probs, ids):
        table = probs.T if transpose else probs
        pairs = list(zip(ids[:-1], ids[1:], strict=False))
        return sum(-log(float(table[a, b])) for a, b in pairs) / len(pairs)

    return nll


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (_nll_with(math.log10), "use the natural log"),
        (_nll_with(math.log2), "use the natural log"),
        (_nll_with(math.log, transpose=True), "use probs[current, next]"),
    ],
)
def test_common_nll_mistakes_get_specific_hints(answer, hint):
    passed, message = ex.run_check("negative_log_likelihood", answer)
    assert not passed and hint in message


def test_check_without_an_answer_says_how_to_call_it(capsys):
    ex.check("perplexity")
    out = capsys.readouterr().out
    assert out.startswith("✗") and 'ex.check("perplexity", perplexity)' in out
