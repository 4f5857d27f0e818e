"""Sinusoidal encodings and rotary embeddings (RoPE), and the GPT with each kind of position."""

import math

import pytest
import torch

from lessons_lib.models.generation import generate
from lessons_lib.models.gpt import GPT, GPTConfig, torch_reference_block
from lessons_lib.parts.positions import apply_rope, rope_angles, sinusoidal_positions


def test_sinusoids_follow_the_formula_by_hand():
    table = sinusoidal_positions(50, 8, base=10_000.0)
    assert table.shape == (50, 8)
    for t in (0, 1, 7, 49):
        for i in range(4):
            angle = t / 10_000 ** (2 * i / 8)
            assert table[t, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert table[t, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    torch.testing.assert_close(table[0], torch.tensor([0.0, 1.0] * 4))  # position 0


def test_each_sinusoid_pair_has_length_one_and_slower_pairs_turn_slower():
    table = sinusoidal_positions(100, 16)
    lengths = table.view(100, 8, 2).norm(dim=-1)  # every (sin, cos) pair
    torch.testing.assert_close(lengths, torch.ones(100, 8))
    turn = (table[1:, 0::2] - table[:-1, 0::2]).abs().mean(0)  # (8,): change per step
    assert torch.all(turn[:-1] > turn[1:])


def test_rope_keeps_lengths_and_position_zero_is_no_rotation():
    x = torch.randn(2, 3, 10, 8)  # (B, H, T, head_size)
    angles = rope_angles(10, 8)
    rotated = apply_rope(x, angles)
    torch.testing.assert_close(rotated.norm(dim=-1), x.norm(dim=-1))
    torch.testing.assert_close(rotated[..., 0, :], x[..., 0, :])


def test_rope_scores_depend_only_on_the_distance():
    torch.manual_seed(0)
    q, k = torch.randn(16), torch.randn(16)
    angles = rope_angles(64, 16)

    def score(m, n):  # query at position m, key at position n
        q_m = apply_rope(q[None], angles[m : m + 1])[0]
        k_n = apply_rope(k[None], angles[n : n + 1])[0]
        return (q_m @ k_n).item()

    for m, n, shift in [(5, 2, 10), (20, 20, 30), (3, 9, 40), (0, 7, 50)]:
        assert score(m + shift, n + shift) == pytest.approx(score(m, n), abs=1e-4)
    assert score(5, 2) != pytest.approx(score(5, 3), abs=1e-3)  # the distance does matter


def test_rope_rotates_each_pair_by_its_angle_by_hand():
    x = torch.tensor([[1.0, 0.0, 0.0, 2.0]])  # one position, two pairs: (1, 0) and (0, 2)
    angles = torch.tensor([[math.pi / 2, math.pi]])  # a quarter turn, a half turn
    torch.testing.assert_close(apply_rope(x, angles), torch.tensor([[0.0, 1.0, 0.0, -2.0]]))


def test_bad_sizes_are_clear_errors():
    with pytest.raises(ValueError, match="must be even"):
        sinusoidal_positions(4, 5)
    with pytest.raises(ValueError, match="must be even"):
        rope_angles(4, 3)
    with pytest.raises(ValueError, match="to match the angles"):
        apply_rope(torch.randn(5, 8), rope_angles(4, 8))
    with pytest.raises(ValueError, match="head size n_embd // n_head = 3 must be even"):
        GPTConfig(n_embd=12, n_head=4, position="rope")
    with pytest.raises(ValueError, match="Unknown GPTConfig.position 'absolute'"):
        GPTConfig(position="absolute")


def tiny(position: str) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig.preset("tiny", vocab_size=13, position=position)).eval()


@pytest.mark.parametrize("position", ["learned", "sinusoidal", "rope"])
def test_every_kind_is_causal(position):
    model = tiny(position)
    idx = torch.randint(0, 13, (2, 16))
    changed = idx.clone()
    changed[:, 9] = (changed[:, 9] + 1) % 13
    with torch.no_grad():
        before, after = model(idx)[0], model(changed)[0]
    torch.testing.assert_close(before[:, :9], after[:, :9])
    assert not torch.allclose(before[:, 9:], after[:, 9:])


@pytest.mark.parametrize("position", ["learned", "sinusoidal", "rope"])
def test_every_kind_knows_the_order(position):
    model = tiny(position)
    idx = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        logits = model(idx)[0][0, -1]  # the prediction after "1 2 3 4"
        swapped = model(torch.tensor([[2, 1, 3, 4]]))[0][0, -1]
    assert not torch.allclose(logits, swapped)


@pytest.mark.parametrize("position", ["learned", "sinusoidal", "rope"])
def test_every_kind_refuses_bad_input_and_long_contexts(position):
    model = tiny(position)
    with pytest.raises(ValueError, match="block_size is 16"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError):
        model(torch.tensor([[0, 13]]))  # id 13 is outside the vocabulary


@pytest.mark.parametrize("position", ["sinusoidal", "rope"])
def test_the_kv_cache_gives_the_same_tokens_for_every_kind(position):
    model = tiny(position)
    start = torch.randint(0, 13, (3, 2))
    plain = generate(model, start, 30, torch.Generator().manual_seed(1))
    cached = generate(model, start, 30, torch.Generator().manual_seed(1), use_cache=True)
    assert torch.equal(plain, cached)


def test_only_the_learned_kind_has_a_position_parameter():
    counts = {p: sum(t.numel() for t in tiny(p).parameters()) for p in ("learned", "rope")}
    assert counts["learned"] - counts["rope"] == 16 * 32  # block_size x n_embd
    assert "pos_table" not in tiny("sinusoidal").state_dict()  # fixed, rebuilt, not saved


def test_the_pytorch_reference_refuses_rope():
    with pytest.raises(ValueError, match="no rotary embeddings"):
        torch_reference_block(tiny("rope").blocks[0])


@pytest.mark.parametrize("base", [0, -1, 1, 0.5])
def test_the_base_must_be_above_one(base):
    # base 0 or below gives NaN, 1 turns every pair alike, below 1 reverses the frequencies
    with pytest.raises(ValueError, match=rf"base .* must be > 1, got {base}"):
        rope_angles(8, 4, base=base)
    with pytest.raises(ValueError, match=rf"base .* must be > 1, got {base}"):
        sinusoidal_positions(8, 4, base=base)


def test_a_base_in_quotes_is_a_type_error():
    with pytest.raises(TypeError, match=r"base .* must be a number, got '1e4' \(a str\)"):
        rope_angles(8, 4, base="1e4")


def test_apply_rope_names_bad_angles_and_inputs():
    with pytest.raises(ValueError, match=r"angles must be \(T, head_size / 2\).*got \(4,\)"):
        apply_rope(torch.zeros(4, 8), torch.zeros(4))
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got list"):
        apply_rope([[1.0, 0.0]], rope_angles(1, 2))
