"""Tests of data.bias_words: the WEAT word lists of Caliskan et al. (2017) and SEAT sentences."""

from __future__ import annotations

import dataclasses

import pytest

from lessons_lib.data.bias_words import SEAT_TEMPLATES, WEAT_TESTS, WEATTest, seat_sentences


def test_the_four_tests_are_there_under_their_names():
    assert list(WEAT_TESTS) == ["WEAT 1", "WEAT 6", "WEAT 7", "WEAT 8"]
    for key, test in WEAT_TESTS.items():
        assert isinstance(test, WEATTest) and test.name == key
    assert WEAT_TESTS["WEAT 1"].title == "flowers vs insects × pleasant vs unpleasant"


@pytest.mark.parametrize("key, size", [("WEAT 1", 25), ("WEAT 6", 8), ("WEAT 7", 8), ("WEAT 8", 8)])
def test_list_sizes_as_in_the_paper(key, size):
    test = WEAT_TESTS[key]
    assert [len(test.x), len(test.y), len(test.a), len(test.b)] == [size] * 4


@pytest.mark.parametrize("key", list(WEAT_TESTS))
def test_no_word_twice_in_a_list_nor_in_both_targets(key):
    test = WEAT_TESTS[key]
    for words in (test.x, test.y, test.a, test.b):
        assert all(isinstance(w, str) and w == w.strip() and w for w in words)
        assert len(set(words)) == len(words)
    assert not set(test.x) & set(test.y)
    assert not set(test.a) & set(test.b)


def test_some_words_as_the_paper_spells_them():
    assert WEAT_TESTS["WEAT 1"].x[0] == "aster" and WEAT_TESTS["WEAT 1"].y[-1] == "weevil"
    assert WEAT_TESTS["WEAT 1"].a[-1] == "vacation" and WEAT_TESTS["WEAT 1"].b[-1] == "prison"
    assert WEAT_TESTS["WEAT 6"].y == tuple("Amy Joan Lisa Sarah Diana Kate Ann Donna".split())
    assert "sculpture" in WEAT_TESTS["WEAT 7"].y and "Shakespeare" in WEAT_TESTS["WEAT 8"].y
    assert WEAT_TESTS["WEAT 8"].b[-3:] == ("she", "hers", "her")


def test_a_test_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        WEAT_TESTS["WEAT 1"].x = ("rose",)


def test_seat_sentences_word_major_every_template():
    words = ["rose", "tulip", "John"]
    sentences = seat_sentences(words)
    assert len(sentences) == len(words) * len(SEAT_TEMPLATES) == 21
    assert sentences[: len(SEAT_TEMPLATES)] == [
        "This is rose.",
        "That is rose.",
        "There is rose.",
        "Here is rose.",
        "Rose is here.",  # the first letter of a sentence is upper case
        "Rose is there.",
        "It is rose.",
    ]
    assert sentences[len(SEAT_TEMPLATES)] == "This is tulip." and sentences[-1] == "It is John."
    assert seat_sentences(words, templates=("{}!",)) == ["Rose!", "Tulip!", "John!"]
    assert seat_sentences([]) == []


def test_seat_sentences_errors():
    with pytest.raises(TypeError, match="list of words"):
        seat_sentences("rose")
    with pytest.raises(ValueError, match="exactly one"):
        seat_sentences(["rose"], templates=("no slot.",))
