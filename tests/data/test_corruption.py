"""The noisy copy keeps every character and line, and shuffles only the share it says."""

from collections import Counter

import pytest

from lessons_lib.data.corruption import noisy_copy

TEXT = "\n".join(f"line number {i} of the play, spoken slowly" for i in range(200))


def test_characters_and_line_lengths_are_kept():
    noisy = noisy_copy(TEXT, 0.5, seed=1)
    assert Counter(noisy) == Counter(TEXT)
    assert [len(x) for x in noisy.split("\n")] == [len(x) for x in TEXT.split("\n")]


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_the_share_of_changed_lines_is_the_share_asked(share):
    pairs = zip(TEXT.split("\n"), noisy_copy(TEXT, share, seed=0).split("\n"), strict=True)
    changed = sum(a != b for a, b in pairs)
    assert changed == pytest.approx(share * 200, abs=2)  # a shuffle may rarely keep a line


def test_the_same_seed_gives_the_same_copy():
    assert noisy_copy(TEXT, 0.3, seed=4) == noisy_copy(TEXT, 0.3, seed=4)
    assert noisy_copy(TEXT, 0.3, seed=4) != noisy_copy(TEXT, 0.3, seed=5)


@pytest.mark.parametrize("share", [-0.1, 1.5, "half", True])
def test_a_bad_share_says_what_it_should_be(share):
    with pytest.raises(ValueError, match="fraction of lines to shuffle, 0 to 1"):
        noisy_copy(TEXT, share)


def test_the_text_must_be_a_str():
    with pytest.raises(TypeError, match=r"text must be a str, got \['a', 'b'\]"):
        noisy_copy(["a", "b"], 0.5)
