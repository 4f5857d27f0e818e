"""Tests of models.lm: the language-model contract every model shares."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lessons_lib as L
from lessons_lib.models.lm import (
    check_token_ids,
    count_parameters,
    evaluating,
    language_model_loss,
    model_device,
)


@pytest.mark.parametrize(
    ("idx", "error", "message"),
    [
        ([[1, 2]], TypeError, "must be a torch tensor"),
        (torch.tensor([1, 2]), ValueError, r"idx\[None\]"),
        (torch.tensor([[1.0, 2.0]]), TypeError, "integer token ids"),
        (
            torch.tensor([[0, 5]]),
            ValueError,
            r"ids from 0 to 5, but the model's vocabulary has ids 0\.\.4",
        ),
    ],
)
def test_check_token_ids_says_what_is_wrong(idx, error, message):
    with pytest.raises(error, match=message):
        check_token_ids(idx, vocab_size=5)


def test_the_loss_is_cross_entropy_over_every_position():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 7, generator=g)  # (B, T, V)
    targets = torch.randint(0, 7, (2, 3), generator=g)  # (B, T)
    want = F.cross_entropy(logits.reshape(6, 7), targets.reshape(6))
    torch.testing.assert_close(language_model_loss(logits, targets), want)
    assert language_model_loss(logits, None) is None


def test_ignored_targets_do_not_count():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(1, 4, 5, generator=g)
    targets = torch.tensor([[-1, 2, -1, 4]])
    kept = language_model_loss(logits[:, [1, 3]], targets[:, [1, 3]])
    torch.testing.assert_close(language_model_loss(logits, targets, ignore_index=-1), kept)
    with pytest.raises(ValueError, match="vocabulary has ids 0..4"):
        language_model_loss(logits, targets)  # -1 is not an id unless it is ignored


def test_targets_of_the_wrong_shape_are_a_clear_error():
    with pytest.raises(ValueError, match=r"targets must have the input's shape \(2, 3\)"):
        language_model_loss(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long))


def test_count_parameters_counts_a_tied_matrix_once():
    model = L.GPT(L.GPTConfig.preset("tiny"))
    assert model.head.weight is model.tok_emb.weight
    assert count_parameters(model) == sum(L.parameter_counts(model).values())
    assert count_parameters(nn.Linear(3, 2)) == 3 * 2 + 2


def test_model_device_without_parameters_is_the_cpu():
    assert model_device(nn.Identity()) == torch.device("cpu")
    assert model_device(nn.Linear(2, 2)) == torch.device("cpu")
    with_buffer = nn.Module()
    with_buffer.register_buffer("table", torch.zeros(2, device="meta"))
    assert model_device(with_buffer) == torch.device("meta")  # buffers count too


def test_evaluating_restores_the_mode_even_after_an_error():
    net = nn.Dropout(0.5)
    with evaluating(net):
        assert not net.training
    assert net.training
    net.eval()
    with evaluating(net):
        pass
    assert not net.training  # an eval-mode model stays in eval mode
    net.train()
    with pytest.raises(RuntimeError), evaluating(net):
        raise RuntimeError("stopped")
    assert net.training


@pytest.mark.parametrize(
    "model",
    [
        L.BigramLM(11),
        L.MLPLM(L.MLPConfig.preset("tiny", vocab_size=11)),
        L.AttentionOnlyLM(L.AttentionOnlyConfig()),
        L.GPT(L.GPTConfig.preset("tiny", vocab_size=11)),
    ],
    ids=lambda m: type(m).__name__,
)
def test_every_model_keeps_the_contract(model):
    idx = torch.randint(0, 11, (2, 8), generator=torch.Generator().manual_seed(2))
    logits, loss = model(idx)
    assert logits.shape == (2, 8, 11) and loss is None
    _, loss = model(idx, idx)
    assert loss.dim() == 0 and torch.isfinite(loss)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("helper", [count_parameters, model_device])
def test_a_model_is_expected(helper):
    with pytest.raises(TypeError, match=r"model must be a model \(a torch.nn.Module.*got str"):
        helper("gpt")
    with pytest.raises(TypeError, match="model must be a model"), evaluating("gpt"):
        pass


def test_loss_names_logits_of_the_wrong_shape_and_a_bad_vocabulary_size():
    with pytest.raises(ValueError, match=r"logits must be a \(B, T, V\) tensor, got \(6, 5\)"):
        language_model_loss(torch.zeros(6, 5), torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="vocab_size must be a positive int, got '5'"):
        check_token_ids(torch.zeros(1, 3, dtype=torch.long), "5")
