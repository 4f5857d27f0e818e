"""Tests of tokenization.inputs: what every tokenizer checks on the way in."""

import doctest

import numpy as np
import pytest
import torch

from lessons_lib.tokenization import inputs
from lessons_lib.tokenization.inputs import (
    as_token_ids,
    check_special_tokens,
    check_text,
    split_specials,
)


def test_doctests():
    assert doctest.testmod(inputs).failed == 0


def test_check_text_says_how_to_fix_each_kind():
    assert check_text("abc") == "abc"
    with pytest.raises(TypeError, match=r"text must be a str, got b'ab'.*decode the bytes"):
        check_text(b"ab")
    with pytest.raises(TypeError, match=r"prompt must be a str.*encode each"):
        check_text(["a", "b"], "prompt")


def test_as_token_ids_takes_ints_only():
    assert as_token_ids([np.int64(3), 1]) == [3, 1]
    assert as_token_ids(torch.tensor([2, 0])) == [2, 0]
    for bad, message in [
        ([97.9], r"ids must hold int token ids, got 97.9 \(a float\) at position 0"),
        ([True], "at position 0"),
        ("012", "A str is text, not ids"),
        (5, r"wrap it in a list: \[5\]"),
        (torch.tensor([1.0]), "dtype torch.float32"),
        (torch.zeros(2, 2, dtype=torch.long), "decode each row"),
    ]:
        with pytest.raises(TypeError, match=message):
            as_token_ids(bad)


def test_check_special_tokens():
    assert check_special_tokens(("<a>", "<b>")) == ["<a>", "<b>"]
    with pytest.raises(TypeError, match=r"special_tokens must be a list .*\['<eos>'\]"):
        check_special_tokens("<eos>")
    with pytest.raises(TypeError, match="special_tokens must be strs"):
        check_special_tokens(["<a>", 3])
    with pytest.raises(ValueError, match="special_tokens must be non-empty"):
        check_special_tokens([""])


def test_split_specials():
    assert split_specials("a<e>b<eos>", ["<e>", "<eos>"]) == ["a", "<e>", "b", "<eos>", ""]
    assert split_specials("a<e>", []) == ["a<e>"]
