"""Tests of parts.feed_forward, and of the GPT options it brings: activation and norm_eps."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lessons_lib as L
from lessons_lib.models.gpt import GPT, Block, GPTConfig
from lessons_lib.parts.feed_forward import FFN_ACTIVATIONS, FeedForward

V = 11
HAMLET = (
    "To be, or not to be, that is the question:\n"
    "Whether 'tis nobler in the mind to suffer\n"
    "The slings and arrows of outrageous fortune,\n"
)


def _x(*shape: int, seed: int = 0, scale: float = 1.0) -> torch.Tensor:
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _by_hand(ffn: FeedForward, x: torch.Tensor, approximate: str) -> torch.Tensor:
    """F.gelu(x @ W1.T + b1) @ W2.T + b2, written out."""
    W1, b1, W2, b2 = ffn.up.weight, ffn.up.bias, ffn.down.weight, ffn.down.bias
    return F.gelu(x @ W1.T + b1, approximate=approximate) @ W2.T + b2


def _gpt(**overrides) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig.preset("tiny", vocab_size=V, **overrides)).eval()


# --- FeedForward on its own -----------------------------------------------------------------


def test_shapes_and_the_hidden_width_defaults_to_four_times_n_embd():
    ffn = FeedForward(8)
    assert (ffn.up.in_features, ffn.up.out_features) == (8, 32)
    assert (ffn.down.in_features, ffn.down.out_features) == (32, 8)
    assert ffn(_x(2, 5, 8)).shape == (2, 5, 8)
    narrow = FeedForward(8, hidden=12)
    assert narrow.up.out_features == 12 and narrow(_x(3, 8)).shape == (3, 8)
    assert sum(p.numel() for p in FeedForward(8).parameters()) == 8 * 32 + 32 + 32 * 8 + 8


def test_without_bias_there_are_only_the_two_matrices():
    ffn = FeedForward(6, hidden=10, bias=False)
    assert ffn.up.bias is None and ffn.down.bias is None
    assert [name for name, _ in ffn.named_parameters()] == ["up.weight", "down.weight"]
    x = _x(4, 6)
    torch.testing.assert_close(ffn(x), F.gelu(x @ ffn.up.weight.T) @ ffn.down.weight.T)


@pytest.mark.parametrize(("activation", "approximate"), [("gelu", "none"), ("gelu_tanh", "tanh")])
def test_equals_the_network_written_by_hand(activation, approximate):
    torch.manual_seed(0)
    ffn = FeedForward(8, hidden=20, activation=activation).eval()
    assert ffn.activation == activation
    x = _x(2, 7, 8, scale=3.0)
    torch.testing.assert_close(ffn(x), _by_hand(ffn, x, approximate))


def test_a_hand_worked_position():
    ffn = FeedForward(1, hidden=2)
    with torch.no_grad():
        ffn.up.weight.copy_(torch.tensor([[1.0], [-1.0]]))  # hidden units see x and -x
        ffn.up.bias.zero_()
        ffn.down.weight.copy_(torch.tensor([[1.0, -1.0]]))
        ffn.down.bias.fill_(0.5)
    # gelu(x) = x * Phi(x), and Phi(-x) = 1 - Phi(x): gelu(x) - gelu(-x) = x, so the output is
    # x + 0.5 = 2.5 for x = 2, while the first hidden unit alone is gelu(2) = 2 * Phi(2)
    phi_2 = 0.5 * (1 + math.erf(2 / math.sqrt(2)))
    assert ffn(torch.tensor([[2.0]])).item() == pytest.approx(2.5, abs=1e-6)
    hidden = F.gelu(ffn.up(torch.tensor([[2.0]])))
    assert hidden[0, 0].item() == pytest.approx(2 * phi_2, abs=1e-6)  # 1.9545
    assert hidden[0, 1].item() == pytest.approx(-2 * (1 - phi_2), abs=1e-6)  # -0.0455


def test_the_two_activations_differ_but_only_a_little():
    torch.manual_seed(0)
    exact = FeedForward(4, hidden=16)
    tanh = FeedForward(4, hidden=16, activation="gelu_tanh")
    tanh.load_state_dict(exact.state_dict())  # the same weights
    x = _x(50, 4, scale=3.0)
    gap = (exact(x) - tanh(x)).abs().max().item()
    assert 1e-6 < gap < 1e-2
    assert FFN_ACTIVATIONS == ("gelu", "gelu_tanh")


def test_dropout_only_while_training():
    torch.manual_seed(0)
    ffn = FeedForward(16, dropout=0.5)
    x = _x(4, 10, 16)
    ffn.eval()
    clean = ffn(x)
    torch.testing.assert_close(clean, _by_hand(ffn, x, "none"))
    torch.testing.assert_close(ffn(x), clean)  # eval: the same every call
    ffn.train()
    first, second = ffn(x), ffn(x)
    dropped = first == 0
    assert 0.3 < dropped.float().mean().item() < 0.7  # about half of the outputs are zeroed
    assert not torch.equal(first, second)  # a fresh mask every call
    torch.testing.assert_close(first[~dropped], clean[~dropped] / 0.5)  # the rest scaled up
    no_dropout = FeedForward(16).train()
    no_dropout.load_state_dict(ffn.state_dict())
    torch.testing.assert_close(no_dropout(x), clean)  # dropout=0: training changes nothing


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_embd": 0}, r"n_embd must be a positive int, got 0\."),
        ({"n_embd": 2.5}, r"n_embd must be a positive int, got 2\.5\."),
        ({"n_embd": True}, r"n_embd must be a positive int, got True\."),
        ({"n_embd": 8, "hidden": 0}, r"hidden \(the feed-forward width\) must be a positive int"),
        (
            {"n_embd": 8, "activation": "relu"},
            r"Unknown activation 'relu'; choose one of: 'gelu', 'gelu_tanh'\.",
        ),
        ({"n_embd": 8, "dropout": 1.0}, r"dropout is a fraction in \[0, 1\), got 1\.0"),
        ({"n_embd": 8, "dropout": -0.1}, r"dropout is a fraction in \[0, 1\)"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeedForward(**kwargs)


def test_a_missing_n_embd_is_a_clear_error():
    with pytest.raises(ValueError, match="n_embd must be a positive int, got None"):
        FeedForward(None)


# --- FeedForward inside the GPT ---------------------------------------------------------------


def test_every_block_uses_this_feed_forward():
    config = GPTConfig.preset("tiny", vocab_size=V)
    block = Block(config)
    assert type(block.ffn) is FeedForward and L.FeedForward is FeedForward
    assert block.ffn.up.out_features == 4 * config.n_embd
    assert block.ffn.activation == "gelu" and block.ffn.dropout == config.dropout
    model = _gpt(dropout=0.1)
    assert all(type(b.ffn) is FeedForward and b.ffn.dropout == 0.1 for b in model.blocks)


def test_the_default_gpt_keeps_the_exact_gelu_and_its_parameter_names():
    assert GPTConfig.preset("tiny", vocab_size=V).activation == "gelu"
    model = _gpt()
    keys = set(model.state_dict())
    assert {"blocks.0.ffn.up.weight", "blocks.0.ffn.down.weight"} <= keys
    assert {"blocks.0.ffn.up.bias", "blocks.0.ffn.down.bias"} <= keys
    ffn = model.blocks[0].ffn
    x = _x(2, 6, model.config.n_embd, scale=3.0)
    torch.testing.assert_close(ffn(x), _by_hand(ffn, x, "none"))  # what the chapter-06 GPT did
    explicit = _gpt(activation="gelu")
    idx = torch.arange(10)[None] % V
    torch.testing.assert_close(explicit(idx)[0], model(idx)[0], rtol=0, atol=0)


def test_the_shipped_checkpoint_still_loads_and_still_knows_hamlet():
    model, tokenizer = L.load_pretrained()
    assert model.config.activation == "gelu" and model.config.norm_eps == 1e-5
    assert {"blocks.0.ffn.up.weight", "blocks.0.ffn.down.weight"} <= set(model.state_dict())
    assert all(type(b.ffn) is FeedForward for b in model.blocks)
    ids = torch.tensor([tokenizer.encode(HAMLET)])[:, :100]
    with torch.no_grad():
        _, loss = model(ids[:, :-1], ids[:, 1:])
    assert loss.item() < 2.0  # trained: far below ln 76 = 4.33 of a guess


def test_gelu_tanh_changes_a_gpts_output_with_the_same_weights():
    model, _ = L.load_pretrained()
    tanh = GPT(dataclasses.replace(model.config, activation="gelu_tanh")).eval()
    tanh.load_state_dict(model.state_dict())  # the same parameter names: loads as it is
    assert all(b.ffn.activation == "gelu_tanh" for b in tanh.blocks)
    idx = torch.tensor([[0, 5, 20, 33, 40, 50, 60, 70] * 4])
    with torch.no_grad():
        exact_logits, tanh_logits = model(idx)[0], tanh(idx)[0]
    gap = (exact_logits - tanh_logits).abs().max().item()
    assert 1e-5 < gap < 0.5  # a different function, but a close approximation


def test_norm_eps_reaches_every_layer_norm():
    model = _gpt(norm_eps=1e-3)
    norms = [m for m in model.modules() if isinstance(m, nn.LayerNorm)]
    assert len(norms) == 2 * model.config.n_layer + 1  # two per block and the final one
    assert all(m.eps == 1e-3 for m in norms)
    assert all(m.eps == 1e-5 for m in _gpt().modules() if isinstance(m, nn.LayerNorm))
    big = _gpt(norm_eps=0.5)
    big.load_state_dict(_gpt().state_dict())
    idx = torch.arange(12)[None] % V
    assert not torch.allclose(big(idx)[0], _gpt()(idx)[0])  # the epsilon is really used


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"activation": "relu"},
            r"Unknown GPTConfig\.activation 'relu'; choose one of: 'gelu', 'gelu_tanh'\.",
        ),
        ({"activation": "gelu_new"}, r"Unknown GPTConfig\.activation 'gelu_new'"),
        ({"norm_eps": 0.0}, r"GPTConfig\.norm_eps must be in \(0, 1\), got 0\.0\."),
        ({"norm_eps": -1e-5}, r"GPTConfig\.norm_eps must be in \(0, 1\), got -1e-05\."),
        ({"norm_eps": 1.0}, r"GPTConfig\.norm_eps must be in \(0, 1\), got 1\.0\."),
    ],
)
def test_bad_activation_or_norm_eps_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        GPTConfig.preset("tiny", vocab_size=V, **overrides)


def test_swiglu_equals_llamas_mlp():
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaMLP

    from lessons_lib.parts.feed_forward import SwiGLU

    torch.manual_seed(0)
    ours = SwiGLU(16, 40)
    theirs = LlamaMLP(
        LlamaConfig(hidden_size=16, intermediate_size=40, num_attention_heads=4, hidden_act="silu")
    )
    for name in ("gate", "up", "down"):
        getattr(theirs, f"{name}_proj").weight.data.copy_(getattr(ours, name).weight)
    x = torch.randn(2, 3, 16)
    torch.testing.assert_close(ours(x), theirs(x))
    by_hand = ours.down(torch.sigmoid(ours.gate(x)) * ours.gate(x) * ours.up(x))
    torch.testing.assert_close(ours(x), by_hand)
    assert sum(p.numel() for p in ours.parameters()) == 3 * 16 * 40  # no biases
