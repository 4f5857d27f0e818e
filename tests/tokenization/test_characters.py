"""Tests of tokenization.characters.CharTokenizer."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

from lessons_lib import CharTokenizer
from lessons_lib.tokenization import characters as char_tokenizer


def test_hand_worked_example():
    tok = CharTokenizer.from_text("hello")
    assert tok.vocab_size == 4
    assert tok.chars == ["e", "h", "l", "o"]  # ids 0, 1, 2, 3
    assert tok.encode("hole") == [1, 3, 2, 0]
    assert tok.decode([1, 0, 2, 2, 3]) == "hello"


def test_docstring_examples_are_correct():
    results = doctest.testmod(char_tokenizer, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0
    assert results.failed == 0


@pytest.mark.parametrize(
    "text", ["To be, or not to be:\nthat is the question.", "a", "  \n\t", "héllo wörld ✓"]
)
def test_round_trip(text):
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    assert len(ids) == len(text)
    assert tok.decode(ids) == text


def test_vocabulary_is_sorted_distinct_and_stoi_inverts_chars():
    tok = CharTokenizer.from_text("banana band\n")
    assert tok.chars == sorted(set("banana band\n"))
    assert tok.vocab_size == len(set("banana band\n"))
    assert all(tok.stoi[c] == i for i, c in enumerate(tok.chars))


def test_ids_are_in_range_and_follow_constructor_order():
    tok = CharTokenizer(["z", "a", " "])
    assert tok.encode("a z") == [1, 2, 0]
    assert all(0 <= i < tok.vocab_size for i in tok.encode("zz a"))


def test_empty_text_encodes_to_empty_list():
    tok = CharTokenizer.from_text("ab")
    assert tok.encode("") == []
    assert tok.decode([]) == ""


def test_decode_accepts_a_tensor():
    tok = CharTokenizer.from_text("abc")
    assert tok.decode(torch.tensor([2, 0, 1])) == "cab"


def test_repr():
    assert repr(CharTokenizer.from_text("abcab")) == "CharTokenizer(vocab_size=3)"


def test_empty_vocabulary_is_rejected():
    with pytest.raises(ValueError, match="vocabulary is empty"):
        CharTokenizer([])
    with pytest.raises(ValueError, match="vocabulary is empty"):
        CharTokenizer.from_text("")


@pytest.mark.parametrize("chars", [["a", "bc"], ["a", ""], ["a", 1]])
def test_entries_must_be_single_characters(chars):
    with pytest.raises(ValueError, match="must be a single character"):
        CharTokenizer(chars)


def test_duplicate_characters_are_rejected():
    with pytest.raises(ValueError, match="lists a character twice"):
        CharTokenizer(["a", "b", "a"])


def test_from_text_needs_a_str():
    with pytest.raises(TypeError, match=r"text must be a str, got \['a', 'b'\] \(a list\)"):
        CharTokenizer.from_text(["a", "b"])


@pytest.mark.parametrize(
    ("bad", "fix"),
    [
        (["a"], r"pass one text; for several, encode each: \[tok.encode\(t\) for t in texts\]"),
        (b"abc", r"decode the bytes first: data.decode\('utf-8'\)"),
        (None, "pass the text itself"),
        (3, "pass the text itself"),
    ],
)
def test_encode_needs_a_str(bad, fix):
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(TypeError, match=rf"text must be a str, got .*Fix: {fix}"):
        tok.encode(bad)


def test_chars_must_be_iterable():
    with pytest.raises(TypeError, match=r"chars must be a str or a list .*from_text"):
        CharTokenizer(None)
    assert CharTokenizer("abc").chars == ["a", "b", "c"]  # a str is a list of characters


def test_encode_unknown_character_names_it_and_the_fix():
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match=r"'z' \(U\+007A\) is not in the vocabulary of 3") as info:
        tok.encode("abz")
    assert "CharTokenizer.from_text(all_text)" in str(info.value)
    assert info.value.__suppress_context__  # no confusing KeyError chained above it


@pytest.mark.parametrize("bad", [-1, 3, 100])
def test_decode_out_of_range_ids(bad):
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match=f"Token id {bad} is out of range: ids must be 0..2"):
        tok.decode([0, bad])


def test_decode_accepts_numpy_and_tensor_ids():
    tok = CharTokenizer.from_text("abc")
    assert tok.decode(np.array([2, 0])) == "ca"
    assert tok.decode([np.int64(1), torch.tensor(2)]) == "bc"
    assert tok.decode(range(3)) == "abc"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("012", r"ids must be a sequence of int token ids, got '012'\. A str is text.*encode"),
        ([97.9], r"ids must hold int token ids, got 97\.9 \(a float\) at position 0\. Fix"),
        ([0, True], r"ids must hold int token ids, got True \(a bool\) at position 1"),
        ([None], r"ids must hold int token ids, got None"),
        (torch.tensor([1.0]), r"ids must be a 1-D sequence .*dtype torch\.float32.*Fix"),
        (torch.tensor([True]), r"ids must be a 1-D sequence .*dtype torch\.bool"),
        (torch.zeros(2, 2, dtype=torch.long), r"ids must be a 1-D .*shape \(2, 2\).*each row"),
        (np.array([0.5]), r"ids must be a 1-D sequence .*dtype float64"),
        (5, r"ids must be a sequence of int token ids, got 5\. .*wrap it in a list: \[5\]"),
        (None, r"ids must be a sequence of int token ids, got None"),
        (b"ab", r"ids must be a sequence of int token ids, got b'ab'"),
    ],
)
def test_decode_refuses_what_is_not_token_ids(bad, message):
    tok = CharTokenizer.from_text("0123abc")
    with pytest.raises(TypeError, match=message):
        tok.decode(bad)
