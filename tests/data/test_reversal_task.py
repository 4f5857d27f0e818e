"""Tests of data.reversal_task: letters, a separator, the letters backwards."""

from __future__ import annotations

import pytest
import torch

from lessons_lib import ReversalTask
from lessons_lib.data.reversal_task import IGNORE


def test_examples_are_letters_separator_reversal():
    task = ReversalTask(length=5)
    seq = task.examples(20, torch.Generator().manual_seed(0))
    assert seq.shape == (20, 11)
    first, sep, second = seq[:, :5], seq[:, 5], seq[:, 6:]
    assert bool((sep == len(task.letters)).all())
    assert torch.equal(second, first.flip(1))
    assert all(len(set(row.tolist())) == 5 for row in first)  # different letters
    assert bool((first < len(task.letters)).all())


def test_examples_are_reproducible_with_a_generator():
    task = ReversalTask()
    a = task.examples(4, torch.Generator().manual_seed(3))
    b = task.examples(4, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_batch_shifts_by_one_and_ignores_the_random_letters():
    task = ReversalTask(length=4)
    idx, targets = task.batch(3, torch.Generator().manual_seed(1))
    assert idx.shape == targets.shape == (3, task.block_size) == (3, 8)
    seq = torch.cat([idx, targets[:, -1:]], dim=1)
    assert torch.equal(targets[:, 3:], seq[:, 4:])  # the next token from the separator on
    assert bool((targets[:, :3] == IGNORE).all())


def test_encode_decode_and_vocab():
    task = ReversalTask(letters="abc", length=3)
    assert task.vocab == ["a", "b", "c", "|"] and task.vocab_size == 4
    assert task.encode("cab|bac") == [2, 0, 1, 3, 1, 0, 2]
    assert task.decode([2, 0, 1, 3]) == "c a b |"
    assert task.encode("c a b") == [2, 0, 1]
    with pytest.raises(ValueError, match=r"Unknown tokens \['x'\]: use only 'abc\|'"):
        task.encode("abx")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"letters": "aab"}, "must be distinct"),
        ({"letters": "ab|"}, "must not contain the separator"),
        ({"letters": "abc", "length": 4}, r"length must be 1..3"),
        ({"length": 0}, r"length \(how many letters .*\) must be a positive int, got 0"),
        ({"length": 2.5}, r"length \(how many letters .*\) must be a positive int, got 2.5"),
        ({"separator": "||"}, "separator must be one character, got '||'"),
    ],
)
def test_bad_task_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReversalTask(**kwargs)


def test_examples_needs_a_positive_count():
    with pytest.raises(ValueError, match="n must be a positive int"):
        ReversalTask().examples(0)


def test_bad_arguments_are_named():
    task = ReversalTask(letters="abc", length=3)
    with pytest.raises(TypeError, match=r"letters must be a str, got \['a', 'b'\]"):
        ReversalTask(letters=["a", "b"])
    with pytest.raises(ValueError, match="n must be a positive int, got True"):
        task.examples(True)
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator .*manual_seed\(0\)"):
        task.batch(4, generator=0)
    with pytest.raises(TypeError, match="text must be a str, got None"):
        task.encode(None)
    with pytest.raises(ValueError, match=r"ids must be 0\.\.3, got -1"):  # not the last token
        task.decode([0, -1])
    with pytest.raises(TypeError, match=r"ids must hold int token ids, got 1\.5"):
        task.decode([1.5])
