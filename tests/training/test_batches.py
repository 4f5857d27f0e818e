"""Tests of training.batches: random windows of token ids, the text labelling itself."""

from __future__ import annotations

import pytest
import torch

from lessons_lib import get_batch
from lessons_lib.training.batches import as_token_tensor


def test_get_batch_shapes_and_dtype():
    x, y = get_batch(torch.arange(50), block_size=6, batch_size=4)
    assert x.shape == (4, 6) and y.shape == (4, 6)
    assert x.dtype == torch.long


def test_get_batch_targets_are_inputs_shifted_by_one():
    data = torch.arange(100) * 3  # token value identifies its position
    x, y = get_batch(data, block_size=7, batch_size=16, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(x[:, 1:], y[:, :-1])
    for row_x, row_y in zip(x, y, strict=True):
        start = int(row_x[0]) // 3
        torch.testing.assert_close(row_x, data[start : start + 7])
        torch.testing.assert_close(row_y, data[start + 1 : start + 8])


def test_get_batch_windows_stay_inside_the_data():
    data = torch.arange(9)
    x, y = get_batch(data, block_size=8, batch_size=5)  # only one window fits
    torch.testing.assert_close(x, data[:8].expand(5, 8))
    torch.testing.assert_close(y, data[1:].expand(5, 8))


def test_get_batch_reaches_every_window():
    data = torch.arange(20)
    x, _ = get_batch(
        data, block_size=5, batch_size=2000, generator=torch.Generator().manual_seed(1)
    )
    assert set(x[:, 0].tolist()) == set(range(15))  # starts 0..14: the last one ends at 19


def test_get_batch_is_repeatable_with_a_generator():
    data = torch.arange(400) % 5
    a = get_batch(data, 8, 4, torch.Generator().manual_seed(3))
    b = get_batch(data, 8, 4, torch.Generator().manual_seed(3))
    c = get_batch(data, 8, 4, torch.Generator().manual_seed(4))
    torch.testing.assert_close(a, b)
    assert not torch.equal(a[0], c[0])  # a different seed, different windows


def test_get_batch_too_little_data():
    with pytest.raises(ValueError, match=r"The data has 8 tokens, too few for .*block_size=8"):
        get_batch(torch.arange(8), block_size=8, batch_size=2)


@pytest.mark.parametrize(
    "bad",
    [
        torch.zeros(5),
        torch.zeros(2, 3, dtype=torch.long),
        torch.ones(4, dtype=torch.bool),
        [0.5, 1.5],
    ],
)
def test_as_token_tensor_rejects_non_token_data(bad):
    with pytest.raises(ValueError, match="train_data must be a 1-D sequence of integer token ids"):
        as_token_tensor(bad, "train_data")


def test_as_token_tensor_accepts_lists_and_int32():
    torch.testing.assert_close(as_token_tensor([1, 2], "d"), torch.tensor([1, 2]))
    assert as_token_tensor(torch.tensor([1], dtype=torch.int32), "d").dtype == torch.long


@pytest.mark.parametrize(
    ("block_size", "batch_size", "name"),
    [(0, 2, "block_size"), (8, 0, "batch_size"), (-1, 2, "block_size"), (2.0, 2, "block_size")],
)
def test_get_batch_sizes_must_be_positive_ints(block_size, batch_size, name):
    # block_size=0 or batch_size=0 would return empty batches
    with pytest.raises(ValueError, match=f"{name} must be a positive int"):
        get_batch(torch.arange(50), block_size, batch_size)


def test_get_batch_needs_a_tensor_of_token_ids():
    with pytest.raises(TypeError, match=r"data must be a torch.Tensor, got list.*torch.tensor"):
        get_batch([1, 2, 3, 4, 5], 2, 2)
    with pytest.raises(ValueError, match=r"data must be a 1-D .*shape \(5, 10\)"):
        get_batch(torch.zeros(5, 10, dtype=torch.long), 2, 2)  # would give 3-D batches
    with pytest.raises(ValueError, match="data must be a 1-D .*dtype torch.float32"):
        get_batch(torch.zeros(50), 2, 2)


def test_get_batch_generator_is_a_generator():
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator .*manual_seed\(0\)"):
        get_batch(torch.arange(50), 4, 2, 0)


@pytest.mark.parametrize("bad", ["some text", None, b"ids"])
def test_as_token_tensor_explains_text_and_none(bad):
    with pytest.raises(TypeError, match=r"train_data must be token ids .*tokenizer.encode"):
        as_token_tensor(bad, "train_data")
