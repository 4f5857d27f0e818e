"""Tests of models.mlp_lm: the MLP language model, its window, its padding and its errors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import lessons_lib as L
from lessons_lib.models.lm import count_parameters
from lessons_lib.models.mlp_lm import MLP_PRESETS, MLPLM, MLPConfig


def _model(seed: int = 0, **overrides) -> MLPLM:
    torch.manual_seed(seed)
    config = MLPConfig.preset("tiny", vocab_size=7, **overrides)
    model = MLPLM(config)
    with torch.no_grad():  # a non-trivial output layer, so the tests see real logits
        model.head.weight.normal_()
        model.head.bias.normal_()
    return model.eval()


def _ids(shape, vocab_size: int = 7, seed: int = 1) -> torch.Tensor:
    return torch.randint(vocab_size, shape, generator=torch.Generator().manual_seed(seed))


def _by_hand(model: MLPLM, context: list[int]) -> torch.Tensor:
    """The logits after one context, computed step by step from the model's weights."""
    block_size = model.block_size
    window = [model.pad_id] * (block_size - len(context)) + context[-block_size:]
    x = model.tok_emb.weight[window].reshape(-1)  # (block_size * n_embd,)
    for layer in model.hidden:
        if isinstance(layer, torch.nn.Linear):
            x = x @ layer.weight.T + layer.bias  # the seed's [in, out] weight is weight.T
        elif isinstance(layer, torch.nn.Tanh):
            x = torch.tanh(x)
    return x @ model.head.weight.T + model.head.bias  # (vocab_size,)


# --- the config ---------------------------------------------------------------------------------


def test_presets_fill_every_field_and_overrides_win():
    config = MLPConfig.preset("small", vocab_size=76, dropout=0.2)
    assert config.vocab_size == 76 and config.dropout == 0.2
    assert config.n_hidden == MLP_PRESETS["small"]["n_hidden"]
    for name in MLP_PRESETS:
        assert MLPLM(MLPConfig.preset(name, vocab_size=5)).block_size >= 1


def test_small_preset_has_the_parameters_the_chapter_states():
    model = MLPLM(MLPConfig.preset("small", vocab_size=76))
    embedding = 77 * 16  # 76 tokens + the padding row
    hidden = 8 * 16 * 256 + 256
    output = 256 * 76 + 76
    assert count_parameters(model) == embedding + hidden + output == 53_788


def test_wide_preset_is_about_the_size_its_comment_states():
    model = MLPLM(MLPConfig.preset("wide", vocab_size=76))
    assert 350_000 < count_parameters(model) < 450_000


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("vocab_size", 0),
        ("block_size", -1),
        ("n_embd", 2.5),
        ("n_hidden", "8"),
        ("n_layer", 0),
        ("block_size", True),
    ],
)
def test_config_rejects_bad_sizes(field, bad):
    with pytest.raises(ValueError, match=rf"MLPConfig\.{field} must be a positive int"):
        MLPConfig(**{"vocab_size": 5, field: bad})


def test_config_rejects_unknown_activation_and_bad_dropout():
    with pytest.raises(ValueError, match="Unknown activation 'swish'; choose one of: 'sigmoid'"):
        MLPConfig(vocab_size=5, activation="swish")
    with pytest.raises(ValueError, match=r"dropout is a fraction in \[0, 1\)"):
        MLPConfig(vocab_size=5, dropout=1.0)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown preset 'huge'; choose one of: 'tiny', 'small'"):
        MLPConfig.preset("huge", vocab_size=5)


def test_model_needs_a_config():
    with pytest.raises(TypeError, match=r"MLPLM expects an MLPConfig, got dict"):
        MLPLM({"vocab_size": 5})


# --- forward: shapes, windows, padding ----------------------------------------------------------


def test_forward_shapes_and_no_loss_without_targets():
    model = _model()
    logits, loss = model(_ids((3, 8)))
    assert logits.shape == (3, 8, 7)
    assert loss is None


def test_context_windows_pad_on_the_left():
    model = _model()
    windows = model.context_windows(torch.tensor([[1, 2, 3]]))
    pad = model.pad_id
    assert pad == 7
    assert windows.shape == (1, 3, 8)
    assert windows[0, 0].tolist() == [pad] * 7 + [1]
    assert windows[0, 1].tolist() == [pad] * 6 + [1, 2]
    assert windows[0, 2].tolist() == [pad] * 5 + [1, 2, 3]


def test_a_full_window_has_no_padding_at_its_last_position():
    model = _model()
    idx = _ids((2, 8))
    windows = model.context_windows(idx)
    assert torch.equal(windows[:, -1], idx)
    assert int((windows == model.pad_id).sum()) == 2 * (7 * 8 // 2)  # 7 + 6 + ... + 0 per row


def test_logits_match_a_step_by_step_computation():
    model = _model()
    idx = _ids((2, 8))
    logits, _ = model(idx)
    for b in range(2):
        for t in range(8):
            expected = _by_hand(model, idx[b, : t + 1].tolist())
            torch.testing.assert_close(logits[b, t], expected, rtol=1e-5, atol=1e-5)


def test_position_t_sees_only_tokens_up_to_t():
    model = _model()
    idx = _ids((1, 8))
    changed = idx.clone()
    changed[0, 5:] = (changed[0, 5:] + 1) % 7  # change the future of position 4
    before, _ = model(idx)
    after, _ = model(changed)
    torch.testing.assert_close(before[0, :5], after[0, :5])
    assert not torch.allclose(before[0, 5:], after[0, 5:])


def test_each_position_equals_the_last_position_of_its_prefix():
    # so a model trained on windows and a model generating from a short prompt agree
    model = _model()
    idx = _ids((2, 8))
    logits, _ = model(idx)
    for t in range(8):
        prefix_logits, _ = model(idx[:, : t + 1])
        torch.testing.assert_close(logits[:, t], prefix_logits[:, -1])


def test_padding_row_is_learned():
    model = _model()
    model.train()
    idx = _ids((4, 8))
    _, loss = model(idx, _ids((4, 8), seed=2))
    loss.backward()
    assert model.tok_emb.weight.grad[model.pad_id].abs().sum() > 0


def test_loss_matches_cross_entropy():
    model = _model()
    idx, targets = _ids((3, 8)), _ids((3, 8), seed=5)
    logits, loss = model(idx, targets)
    torch.testing.assert_close(loss, F.cross_entropy(logits.reshape(-1, 7), targets.reshape(-1)))


def test_first_loss_is_close_to_a_uniform_guess():
    torch.manual_seed(0)
    model = MLPLM(MLPConfig.preset("small", vocab_size=76))
    idx = _ids((4, 8), 76)
    _, loss = model(idx, _ids((4, 8), 76, seed=3))
    assert abs(loss.item() - math.log(76)) < 0.05


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "gelu"])
def test_every_activation_and_depth_runs(activation):
    model = _model(activation=activation, n_layer=2)
    logits, loss = model(_ids((2, 5)), _ids((2, 5), seed=4))
    assert logits.shape == (2, 5, 7) and torch.isfinite(loss)


def test_dropout_acts_only_in_training_mode():
    model = _model(dropout=0.5)
    idx = _ids((2, 8))
    model.eval()
    torch.testing.assert_close(model(idx)[0], model(idx)[0])
    model.train()
    torch.manual_seed(0)
    first = model(idx)[0]
    assert not torch.allclose(first, model(idx)[0])


# --- errors -------------------------------------------------------------------------------------


def test_a_context_longer_than_the_window_is_a_clear_error():
    with pytest.raises(ValueError, match=r"holds 9 tokens per row.*block_size=8.*idx\[:, -8:\]"):
        _model()(_ids((1, 9)))


def test_an_empty_context_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no tokens \(T = 0\)"):
        _model()(torch.zeros(1, 0, dtype=torch.long))


def test_bad_ids_are_clear_errors():
    model = _model()
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        model(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"vocabulary has ids 0\.\.6"):
        model(torch.tensor([[1, 7]]))  # the padding id is not an input id
    with pytest.raises(ValueError, match=r"targets must have the input's shape"):
        model(_ids((1, 4)), _ids((1, 5)))


# --- with the course's trainer and generator ----------------------------------------------------


@pytest.mark.slow
def test_trains_with_L_train_and_learns_a_pattern_a_bigram_cannot():
    # each token is the sum of the two before it, mod 7: one previous token is not enough
    ids = [1, 2]
    for _ in range(3000):
        ids.append((ids[-1] + ids[-2]) % 7)
    torch.manual_seed(0)
    model = MLPLM(MLPConfig.preset("tiny", vocab_size=7, n_hidden=64))
    history = L.train(
        model,
        ids[:2500],
        ids[2500:],
        steps=300,
        batch_size=32,
        lr=0.01,
        device="cpu",
        progress=False,
    )
    assert history.val_loss[-1] < history.val_loss[0] / 2
    # from the second position on, two tokens of context determine the next one exactly
    x = torch.tensor([ids[2600:2608]])
    logits, _ = model(x)
    predicted = logits[0, 1:].argmax(dim=-1)
    assert torch.equal(predicted, torch.tensor(ids[2602:2609]))


def test_generate_crops_a_long_prompt_to_the_window():
    model = _model()
    prompt = _ids((1, 20))
    out = L.generate(model, prompt, max_new_tokens=5, generator=torch.Generator().manual_seed(0))
    assert out.shape == (1, 25)
    assert torch.equal(out[:, :20], prompt)


def test_evaluate_with_the_window_works_and_default_window_says_how_to_fix():
    model = _model()
    ids = _ids((600,)).tolist()
    assert L.evaluate(model, ids, block_size=8) > 0
    with pytest.raises(ValueError, match=r"block_size=8 windows"):
        L.evaluate(model, ids)
