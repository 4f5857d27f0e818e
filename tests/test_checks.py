"""Tests of lessons_lib._checks: the argument checks every room shares, one wording each."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from lessons_lib import _checks as C


def test_number_takes_finite_reals_in_range_and_names_the_argument():
    assert C.number(3, "lr", above=0) == 3.0 and C.number(np.float32(0.5), "x") == 0.5
    with pytest.raises(TypeError, match=r"lr must be a number, got '0.1' \(a str\) \(write it"):
        C.number("0.1", "lr")
    for bad in (None, True, [1.0], torch.tensor(1.0)):
        with pytest.raises(TypeError, match="lr must be a number"):
            C.number(bad, "lr")
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="lr must be a finite number"):
            C.number(bad, "lr")
    with pytest.raises(ValueError, match="lr must be > 0, got 0"):
        C.number(0, "lr", above=0)
    with pytest.raises(ValueError, match="beta must be < 1, got 1"):
        C.number(1, "beta", minimum=0, below=1)
    with pytest.raises(ValueError, match="p must be <= 1, got 1.5"):
        C.number(1.5, "p", maximum=1)


def test_whole_numbers_and_seeds():
    assert C.positive_int(np.int64(4), "n") == 4 and type(C.positive_int(np.int64(4), "n")) is int
    for bad in (0, 2.0, True, "3", None):
        with pytest.raises(ValueError, match="n must be a positive int"):
            C.positive_int(bad, "n")
    assert C.seed(0) == 0 and C.seed(2**32 - 1) == 2**32 - 1
    with pytest.raises(ValueError, match=r"seed must be an int from 0 to 2\*\*32 - 1"):
        C.seed(-1)
    with pytest.raises(TypeError, match=r"seed must be an int .* got None \(a NoneType\)"):
        C.seed(None)


def test_booleans_texts_paths_and_tensors():
    assert C.boolean(False, "flag") is False
    with pytest.raises(TypeError, match=r"do_lower_case must be True or False, got 'False'"):
        C.boolean("False", "do_lower_case")
    with pytest.raises(TypeError, match=r"flag must be True or False, got 0 \(an int\)"):
        C.boolean(0, "flag")
    assert C.text("abc", "t") == "abc"
    with pytest.raises(TypeError, match=r"t must be a str, got b'abc' \(a bytes\)"):
        C.text(b"abc", "t")
    assert C.path_like("runs/try", "stem") == Path("runs/try")
    with pytest.raises(TypeError, match=r"stem must be a path .* got 3 \(an int\)"):
        C.path_like(3, "stem")
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got list; wrap it"):
        C.tensor([1.0], "x")


def test_finite_and_same_length():
    C.finite(torch.tensor([1.0, 2.0]), "scores")
    C.finite(torch.tensor([1, 2]), "ids")  # integers are always finite
    with pytest.raises(ValueError, match=r"scores has 2 NaN or infinite value\(s\)"):
        C.finite(torch.tensor([1.0, math.nan, math.inf]), "scores")
    assert C.same_length([1, 2], "ab", "ids", "text") == 2
    with pytest.raises(ValueError, match="predictions and labels must be the same length, got 5"):
        C.same_length(range(5), range(4), "predictions", "labels")


def test_long_values_are_cut_short_in_messages():
    with pytest.raises(TypeError) as caught:
        C.text(["word"] * 1000, "text")
    assert len(str(caught.value)) < 120 and "..." in str(caught.value)
