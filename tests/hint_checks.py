"""A helper shared by the chapters' exercise tests (imported as ``from hint_checks import ...``)."""

from lessons_lib import exercises as ex


def assert_specific_hint(name: str, answer, hint: str) -> None:
    """A wrong ``answer`` fails the check of exercise ``name`` with ``hint`` in its message,
    followed by the pointer to the model solution."""
    passed, message = ex.run_check(name, answer)
    assert not passed
    assert hint in message, message
    assert message.endswith(f'(Hint: ex.solution("{name}") shows one answer.)')
