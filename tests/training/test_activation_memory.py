"""Tests of saved_activation_bytes: hand-counted small cases and activation checkpointing."""

from __future__ import annotations

import pytest
import torch
from torch.utils.checkpoint import checkpoint

import lessons_lib as L


def test_a_linear_layer_keeps_its_input_and_relu_its_output():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    x = torch.randn(5, 4)  # (5, 4): 20 float32 numbers kept for the weight's gradient
    assert L.saved_activation_bytes(net, x) == 4 * (5 * 4 + 5 * 3)


def test_views_of_one_storage_count_once():
    class TwoViews(torch.nn.Module):
        def forward(self, h):
            h = h * 2  # (4, 6), a new storage of 96 bytes
            return (h[:2].exp() + h[2:].exp()).sum()  # exp keeps its outputs: 2 new storages

    h = torch.randn(4, 6, requires_grad=True)
    assert L.saved_activation_bytes(TwoViews(), h) == 2 * (2 * 6 * 4)


def test_it_grows_with_the_batch_and_shrinks_with_checkpointing():
    torch.manual_seed(0)
    model = L.GPT(L.GPTConfig.preset("tiny", vocab_size=76))
    x = torch.randint(0, 76, (8, 16))  # (B, T)
    whole, half = (
        L.saved_activation_bytes(model, x, x),
        L.saved_activation_bytes(model, x[:4], x[:4]),
    )
    assert abs(whole - 2 * half) < 0.01 * whole  # a few scalars do not grow with the batch

    class Wrapped(torch.nn.Module):
        def __init__(self, block):
            super().__init__()
            self.block = block

        def forward(self, h, cache=None):
            return checkpoint(self.block, h, use_reentrant=True)

    for i, block in enumerate(model.blocks):
        model.blocks[i] = Wrapped(block)
    assert L.saved_activation_bytes(model, x, x) < whole / 2


def test_it_names_a_wrong_model():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        L.saved_activation_bytes(lambda x: x, torch.ones(2))
