"""The share of real words and distinct-n, on texts whose answers are counted by hand."""

import pytest

from lessons_lib.apps import text_quality as Q


def test_words_keep_inner_apostrophes_and_drop_the_rest():
    assert Q.words("O'er the hills, 'tis MINE!  I'll go-- now.") == [
        "o'er", "the", "hills", "tis", "mine", "i'll", "go", "now",
    ]  # fmt: skip
    assert Q.words("") == [] and Q.words("12 -- ?") == []


def test_real_word_share_counts_known_words():
    known = Q.vocabulary(["To be, or not to be", "that is the question"])
    assert known == {"to", "be", "or", "not", "that", "is", "the", "question"}
    assert Q.real_word_share("To be or nat tu be", known) == pytest.approx(4 / 6)
    assert Q.real_word_share("the question", known) == 1.0
    assert Q.real_word_share("... !", known) == 0.0


def test_distinct_n_falls_when_a_text_repeats_itself():
    assert Q.distinct_n("a b c d", 2) == 1.0  # ab bc cd: all different
    assert Q.distinct_n("the king the king the king", 2) == pytest.approx(2 / 5)
    assert Q.distinct_n("the king the king", 1) == pytest.approx(2 / 4)
    assert Q.distinct_n("one", 2) == 0.0  # no pair at all


def test_bad_input_is_refused_with_a_fix():
    with pytest.raises(TypeError, match="text must be a str"):
        Q.words(["not", "a", "string"])
    with pytest.raises(ValueError, match="vocabulary"):
        Q.real_word_share("text", set())
    with pytest.raises(ValueError, match="positive"):
        Q.distinct_n("text", 0)
    for n in (True, 2.0, "2"):
        with pytest.raises(ValueError, match=f"n must be a positive int, got {n!r}"):
            Q.distinct_n("the king the king", n)
    with pytest.raises(TypeError, match="texts must be a str or a list of strings, got NoneType"):
        Q.vocabulary(None)
