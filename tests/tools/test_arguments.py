"""Tests of tools.arguments: the argparse types that check every command's flags."""

import argparse
import contextlib
import functools
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib.__main__ import COMMANDS
from lessons_lib.tools.arguments import count, int_at_least, port, positive_int, positive_number


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (positive_int, "3", 3),
        (count, "0", 0),
        (int_at_least(10), "10", 10),
        (positive_number, "0.02", 0.02),
        (positive_number, "1e3", 1000.0),
        (port, "29500", 29500),
    ],
)
def test_good_values_parse(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (positive_int, "0", "must be an int >= 1, got '0'"),
        (positive_int, "2.5", "must be a whole number, got '2.5'"),
        (count, "-1", "must be an int >= 0, got '-1'"),
        (int_at_least(10), "9", "must be an int >= 10, got '9'"),
        (positive_number, "-1", "must be a number > 0, got '-1'"),
        (positive_number, "0", "must be a number > 0, got '0'"),
        (positive_number, "nan", "must be a number > 0, got 'nan'"),
        (positive_number, "inf", "must be a number > 0, got 'inf'"),
        (positive_number, "ten", "must be a number, got 'ten'"),
        (port, "80", "must be an int >= 1024, got '80'"),
        (port, "65536", "must be a port in 1024-65535, got '65536'"),
    ],
)
def test_bad_values_say_what_is_expected(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        parse(text)


def test_argparse_names_the_flag(capsys):
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--steps", type=positive_int)
    with pytest.raises(SystemExit):
        parser.parse_args(["--steps", "-5"])
    assert "argument --steps: must be an int >= 1, got '-5'" in capsys.readouterr().err


# --- every command's numeric flags, with generated bad values --------------------------------


CHECKED_TYPES = {positive_int, count, positive_number, port}


class _Captured(Exception):
    pass


@functools.cache
def _parsers() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser (and each sub-command's), caught as the command starts to parse."""
    found = {}

    def capture(self, args=None, namespace=None):
        raise _Captured(self)

    with mock.patch.object(argparse.ArgumentParser, "parse_args", capture):
        for name, (run, _) in COMMANDS.items():
            try:
                run([])
            except _Captured as caught:
                found[name] = parser = caught.args[0]
                for action in parser._actions:
                    if isinstance(action, argparse._SubParsersAction):
                        found.update({f"{name} {s}": p for s, p in action.choices.items()})
    return found


def _is_checked(kind) -> bool:
    return kind in CHECKED_TYPES or getattr(kind, "__name__", "").startswith("int >= ")


def _numeric_flags() -> list[tuple[str, str, object]]:
    """(command, flag, type) for every option that takes a number, tests' hidden flags aside."""
    return [
        (command, action.option_strings[0], action.type)
        for command, parser in _parsers().items()
        for action in parser._actions
        if action.option_strings
        and action.help != argparse.SUPPRESS
        and (action.type in (int, float) or _is_checked(action.type))
    ]


def test_every_numeric_flag_of_every_command_is_checked():
    flags = _numeric_flags()
    assert {"bench gpt", "bench bpe", "ddp", "pretrain", "translator"} <= {c for c, *_ in flags}
    unchecked = [f"{command} {flag}" for command, flag, kind in flags if not _is_checked(kind)]
    assert unchecked == [], "give these flags a type from lessons_lib.tools.arguments"


def _minimum(kind) -> int:
    """The smallest value an int type takes (``int >= 10`` → 10)."""
    named = {positive_int: 1, count: 0, port: 1024}
    return named[kind] if kind in named else int(kind.__name__.removeprefix("int >= "))


def _parses(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _bad_texts(kind):
    """Texts the flag's type must refuse: wrong words, and numbers out of its range."""
    words = st.text(min_size=1, max_size=6).filter(lambda t: not _parses(t) and "=" not in t)
    if kind is positive_number:
        too_small = st.floats(max_value=0.0, allow_nan=False).map(repr)
        return st.one_of(too_small, words, st.sampled_from(["nan", "inf", "-inf", "", "two"]))
    below = st.integers(max_value=_minimum(kind) - 1).map(str)
    fractions = st.floats(min_value=0.1, max_value=1e6).filter(lambda x: x % 1).map(repr)
    specials = st.sampled_from(["nan", "inf", "", " ", "1e3", "0x10", "two"])
    strategies = [below, fractions, words, specials]
    if kind is port:
        strategies.append(st.integers(min_value=65536).map(str))
    return st.one_of(strategies)


@pytest.mark.parametrize(
    ("command", "flag", "kind"), _numeric_flags(), ids=lambda v: getattr(v, "__name__", v)
)
@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_bad_values_of_every_numeric_flag_stop_the_command_naming_it(command, flag, kind, data):
    text = data.draw(_bad_texts(kind))
    parser = _parsers()[command]
    errors = io.StringIO()
    with pytest.raises(SystemExit) as stop, contextlib.redirect_stderr(errors):
        parser.parse_args([f"{flag}={text}"])
    assert stop.value.code == 2
    assert f"argument {flag}: must be" in errors.getvalue(), (command, flag, text)
