"""Tests of models.generation.generate."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from lessons_lib import BigramLM, generate

V = 5


def _model_with_table(table: torch.Tensor) -> BigramLM:
    model = BigramLM(table.shape[0])
    with torch.no_grad():
        model.logits_table.weight.copy_(table)
    return model


def _random_model(seed: int = 0) -> BigramLM:
    g = torch.Generator().manual_seed(seed)
    return _model_with_table(torch.randn(V, V, generator=g))


def _always(token: int) -> BigramLM:
    """A model whose every prediction puts all the probability on ``token``."""
    table = torch.full((V, V), -1e9)
    table[:, token] = 0.0
    return _model_with_table(table)


class Recorder(nn.Module):
    """A uniform model with a block_size that records what it was called with."""

    def __init__(self, block_size: int | None = None, vocab_size: int = V):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.vocab_size = vocab_size
        if block_size is not None:
            self.block_size = block_size
        self.lengths: list[int] = []
        self.modes: list[bool] = []

    def forward(self, idx, targets=None):
        self.lengths.append(idx.shape[1])
        self.modes.append(self.training)
        B, T = idx.shape
        return torch.zeros(B, T, self.vocab_size) + self.weight, None


def test_output_shape_and_prefix_kept():
    idx = torch.tensor([[0, 1, 2], [4, 4, 3]])
    out = generate(_random_model(), idx, max_new_tokens=6)
    assert out.shape == (2, 9)
    assert out.dtype == torch.long
    torch.testing.assert_close(out[:, :3], idx)
    assert int(out.min()) >= 0 and int(out.max()) < V


def test_one_dimensional_input_returns_one_dimensional_output():
    out = generate(_random_model(), torch.tensor([3, 1]), max_new_tokens=4)
    assert out.shape == (6,)
    assert out[:2].tolist() == [3, 1]


def test_list_input_is_accepted():
    out = generate(_random_model(), [2], max_new_tokens=3)
    assert out.shape == (4,) and out[0].item() == 2


def test_zero_new_tokens_returns_the_input():
    idx = torch.tensor([[1, 2]])
    torch.testing.assert_close(generate(_random_model(), idx, max_new_tokens=0), idx)


def test_seeded_generator_makes_samples_repeatable():
    model, idx = _random_model(), torch.zeros(3, 1, dtype=torch.long)
    a = generate(model, idx, 40, generator=torch.Generator().manual_seed(7))
    b = generate(model, idx, 40, generator=torch.Generator().manual_seed(7))
    c = generate(model, idx, 40, generator=torch.Generator().manual_seed(8))
    torch.testing.assert_close(a, b)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("token", [0, 3])
def test_model_with_all_mass_on_one_token_always_generates_it(token):
    out = generate(_always(token), torch.tensor([[1], [4]]), max_new_tokens=20)
    assert bool((out[:, 1:] == token).all())


def test_hand_worked_deterministic_cycle():
    # token i is always followed by (i + 1) % V: the output is fully determined
    table = torch.full((V, V), -1e9)
    for i in range(V):
        table[i, (i + 1) % V] = 0.0
    out = generate(_model_with_table(table), torch.tensor([3]), max_new_tokens=6)
    assert out.tolist() == [3, 4, 0, 1, 2, 3, 4]


def test_samples_follow_the_model_probabilities():
    # P(next = 1) = 0.8, P(next = 2) = 0.2 whatever the current token
    table = torch.full((3, 3), -1e9)
    table[:, 1], table[:, 2] = torch.tensor(0.8).log(), torch.tensor(0.2).log()
    out = generate(
        _model_with_table(table),
        torch.zeros(400, 1, dtype=torch.long),
        5,
        generator=torch.Generator().manual_seed(0),
    )
    new = out[:, 1:]
    assert set(new.unique().tolist()) == {1, 2}
    assert abs((new == 1).float().mean().item() - 0.8) < 0.03


@pytest.mark.parametrize("training", [True, False])
def test_mode_is_restored_and_eval_is_used_while_generating(training):
    model = Recorder()
    model.train(training)
    generate(model, torch.tensor([[0]]), max_new_tokens=3)
    assert model.training is training
    assert model.modes == [False, False, False]


def test_mode_is_restored_when_the_model_raises():
    class Broken(Recorder):
        def forward(self, idx, targets=None):
            raise RuntimeError("boom")

    model = Broken()
    model.train()
    with pytest.raises(RuntimeError, match="boom"):
        generate(model, torch.tensor([[0]]), max_new_tokens=2)
    assert model.training is True


def test_block_size_crops_the_context():
    model = Recorder(block_size=3)
    out = generate(model, torch.tensor([[0, 1]]), max_new_tokens=5)
    assert out.shape == (1, 7)
    assert model.lengths == [2, 3, 3, 3, 3]


def test_without_block_size_the_whole_sequence_is_seen():
    model = Recorder()
    generate(model, torch.tensor([[0, 1]]), max_new_tokens=3)
    assert model.lengths == [2, 3, 4]


@pytest.mark.parametrize("bad", [-1, 2.5, "3", None])
def test_max_new_tokens_must_be_a_non_negative_int(bad):
    with pytest.raises(ValueError, match="max_new_tokens must be an int >= 0"):
        generate(_random_model(), torch.tensor([[0]]), bad)


@pytest.mark.parametrize(
    "idx",
    [
        torch.zeros(1, 0, dtype=torch.long),
        torch.zeros(0, dtype=torch.long),
        torch.zeros(1, 2, 3, dtype=torch.long),
    ],
)
def test_idx_must_be_b_by_t_with_a_token(idx):
    with pytest.raises(ValueError, match=r"idx must be \(B, T\) with at least one token"):
        generate(_random_model(), idx, 2)


# --- sampling options (temperature, top-k, top-p) -----------------------------------------------


def test_default_sampling_matches_softmax_and_multinomial():
    model, idx = _random_model(3), torch.tensor([[0], [2]])
    out = generate(model, idx, 12, generator=torch.Generator().manual_seed(5))
    g, ref = torch.Generator().manual_seed(5), idx.clone()
    table = model.logits_table.weight.detach()
    for _ in range(12):
        probs = torch.softmax(table[ref[:, -1]], dim=-1)  # (B, V)
        ref = torch.cat([ref, torch.multinomial(probs, 1, generator=g)], dim=1)
    torch.testing.assert_close(out, ref)


def test_temperature_zero_is_greedy():
    model = _random_model(4)
    table = model.logits_table.weight.detach()
    out = generate(model, torch.tensor([0]), 10, temperature=0)
    for current, following in zip(out[:-1].tolist(), out[1:].tolist(), strict=True):
        assert following == int(table[current].argmax())
    torch.testing.assert_close(out, generate(model, torch.tensor([0]), 10, temperature=0))


def test_top_k_one_is_greedy_and_top_k_two_keeps_the_two_best():
    model = _random_model(6)
    greedy = generate(model, torch.tensor([1]), 8, temperature=0)
    torch.testing.assert_close(generate(model, torch.tensor([1]), 8, top_k=1), greedy)
    table = model.logits_table.weight.detach()
    best_two = table.topk(2, dim=1).indices  # (V, 2)
    out = generate(
        model,
        torch.zeros(50, 1, dtype=torch.long),
        6,
        top_k=2,
        generator=torch.Generator().manual_seed(0),
    )
    for row in out.tolist():
        for current, following in zip(row[:-1], row[1:], strict=True):
            assert following in best_two[current].tolist()


def test_small_top_p_keeps_only_the_most_likely_token():
    model = _random_model(7)
    greedy = generate(model, torch.tensor([2]), 8, temperature=0)
    torch.testing.assert_close(generate(model, torch.tensor([2]), 8, top_p=1e-6), greedy)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(temperature=-1.0), "temperature must be >= 0"),
        (dict(top_k=0), "top_k must be an int >= 1"),
        (dict(top_p=1.5), r"top_p must be a number in \(0, 1\]"),
    ],
)
def test_bad_sampling_options_are_rejected_before_generating(options, message):
    model = Recorder()
    with pytest.raises(ValueError, match=message):
        generate(model, torch.tensor([[0]]), 3, **options)
    assert model.lengths == []  # the model was never called


# --- bad input ----------------------------------------------------------------------------------


def test_text_float_ids_and_a_missing_model_are_named():
    model = BigramLM(5)
    with pytest.raises(TypeError, match=r"idx must be token ids, got the text 'ROMEO'.*encode"):
        generate(model, "ROMEO", 3)
    with pytest.raises(TypeError, match=r"idx must hold integer token ids, got torch.float32"):
        generate(model, torch.tensor([[1.0, 2.0]]), 3)
    with pytest.raises(TypeError, match="idx must hold integer token ids"):
        generate(model, [1.5, 2.0], 3)
    with pytest.raises(TypeError, match="model must be a model"):
        generate("model", torch.tensor([[1]]), 3)


def test_stop_id_ends_generation_once_every_sequence_drew_it():
    table = torch.full((V, V), -1e9)
    for i in range(V):
        table[i, (i + 1) % V] = 0.0  # i is followed by i + 1
    model = _model_with_table(table)
    assert generate(model, torch.tensor([1]), 10, temperature=0, stop_id=3).tolist() == [1, 2, 3]
    both = generate(model, torch.tensor([[2], [0]]), 10, temperature=0, stop_id=3)
    assert both.tolist() == [[2, 3, 4, 0], [0, 1, 2, 3]]  # until the slower row has drawn it
