"""Tests of ``python -m lessons_lib <command>``: one entry point for every course command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lessons_lib.__main__ import COMMANDS, main


def test_help_lists_every_command_with_one_line_each(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, (_, about) in COMMANDS.items():
        assert f"  {name}" in out and about in out
    assert set(COMMANDS) == {
        "check", "refresh", "badges", "bench", "pretrain", "translator", "summaries", "ddp",
    }  # fmt: skip


def test_no_command_prints_the_help(capsys):
    assert main([]) == 0
    assert "commands:" in capsys.readouterr().out


def test_an_unknown_command_names_the_known_ones(capsys):
    assert main(["publish"]) == 2
    err = capsys.readouterr().err
    assert "Unknown command 'publish'; choose one of: check, refresh" in err


def test_check_runs_the_environment_check(capsys):
    assert main(["check"]) == 0  # everything the course needs is installed in the test run
    assert "All set" in capsys.readouterr().out
    assert main(["check", "--verbose"]) == 2


@pytest.mark.parametrize("name", ["refresh", "badges", "bench", "pretrain", "ddp", "summaries"])
def test_each_command_has_its_own_help(name, capsys):
    with pytest.raises(SystemExit) as stop:
        main([name, "--help"])
    assert stop.value.code == 0
    assert f"python -m lessons_lib {name}" in capsys.readouterr().out


@pytest.mark.slow
def test_the_package_runs_as_a_program():
    done = subprocess.run(
        [sys.executable, "-m", "lessons_lib", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "python -m lessons_lib <command>" in done.stdout
