"""Tests of parts.rms_norm: RMSNorm by hand against PyTorch's and Hugging Face's."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.parts.rms_norm import RMSNorm


def test_rms_norm_equals_torch_and_llama():
    from transformers.models.llama.modeling_llama import LlamaRMSNorm

    torch.manual_seed(0)
    x = torch.randn(2, 5, 16) * 3 + 1
    ours = RMSNorm(16, eps=1e-5)
    with torch.no_grad():
        ours.weight.normal_()
    theirs = LlamaRMSNorm(16, eps=1e-5)
    theirs.weight.data.copy_(ours.weight)
    torch.testing.assert_close(ours(x), theirs(x))
    if hasattr(torch.nn, "RMSNorm"):  # torch 2.4 and later
        reference = torch.nn.RMSNorm(16, eps=1e-5)
        reference.weight.data.copy_(ours.weight)
        torch.testing.assert_close(ours(x), reference(x))


def test_the_output_has_root_mean_square_one_and_keeps_the_mean():
    x = torch.tensor([[1.0, 2.0, 3.0, 6.0]])
    y = RMSNorm(4, eps=0.0)(x)
    assert y.pow(2).mean().item() == pytest.approx(1.0)
    assert (y > 0).all()  # unlike LayerNorm, the mean is not removed
    with pytest.raises(ValueError, match="n_embd"):
        RMSNorm(0)
