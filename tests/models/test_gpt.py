"""The chapter-06 GPT: shapes, causality, loss at init, learning, cropping, errors, counts."""

import math

import pytest
import torch

import lessons_lib as L
from lessons_lib.models.gpt import (
    GPT,
    GPT_PRESETS,
    GPTConfig,
    parameter_counts,
    torch_reference_block,
)

V = 11


def tiny(**overrides) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig.preset("tiny", vocab_size=V, **overrides))


def test_logits_have_shape_batch_time_vocab():
    model = tiny()
    idx = torch.randint(0, V, (3, 7))
    logits, loss = model(idx)
    assert logits.shape == (3, 7, V) and loss is None


def test_changing_a_later_token_never_changes_earlier_logits():
    model = tiny().eval()
    idx = torch.randint(0, V, (2, 12))
    changed = idx.clone()
    changed[:, 8] = (changed[:, 8] + 1) % V
    before, _ = model(idx)
    after, _ = model(changed)
    torch.testing.assert_close(before[:, :8], after[:, :8])
    assert not torch.allclose(before[:, 8:], after[:, 8:])


def test_loss_at_initialisation_is_close_to_ln_vocab():
    model = GPT(GPTConfig.preset("tiny", vocab_size=65))
    g = torch.Generator().manual_seed(0)
    idx = torch.randint(0, 65, (16, 16), generator=g)
    targets = torch.randint(0, 65, (16, 16), generator=g)
    _, loss = model(idx, targets)
    assert abs(loss.item() - math.log(65)) < 0.1


def test_loss_equals_cross_entropy_of_the_logits():
    model = tiny()
    idx, targets = torch.randint(0, V, (2, 5)), torch.randint(0, V, (2, 5))
    logits, loss = model(idx, targets)
    reference = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    torch.testing.assert_close(loss, reference)


@pytest.mark.slow
def test_it_can_overfit_one_batch():
    model = tiny()
    g = torch.Generator().manual_seed(1)
    idx, targets = (
        torch.randint(0, V, (4, 16), generator=g),
        torch.randint(0, V, (4, 16), generator=g),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(300):
        _, loss = model(idx, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1


@pytest.mark.slow
def test_train_and_generate_work_with_the_course_loop():
    model = tiny()
    data = torch.arange(400) % V  # a counting pattern: easy to learn
    history = L.train(
        model,
        data[:300],
        data[300:],
        steps=150,
        batch_size=8,
        lr=3e-3,
        device="cpu",
        progress=False,
    )
    assert history.val_loss[-1] < 0.2 < history.val_loss[0]
    out = L.generate(
        model,
        torch.tensor([[0, 1, 2]]),
        max_new_tokens=5,
        generator=torch.Generator().manual_seed(0),
        temperature=0,
    )
    assert out[0].tolist() == [0, 1, 2, 3, 4, 5, 6, 7]


def test_generate_crops_the_context_to_block_size():
    model = tiny()
    start = torch.randint(0, V, (1, 40))  # longer than block_size = 16
    out = L.generate(model, start, max_new_tokens=30, generator=torch.Generator().manual_seed(0))
    assert out.shape == (1, 70)
    torch.testing.assert_close(out[:, :40], start)


def test_a_context_longer_than_block_size_is_a_clear_error():
    model = tiny()
    with pytest.raises(ValueError, match="block_size is 16.*Crop it"):
        model(torch.zeros(1, 17, dtype=torch.long))


def test_bad_token_ids_and_shapes_are_clear_errors():
    model = tiny()
    with pytest.raises(ValueError, match="ids 0..10"):
        model(torch.tensor([[0, V]]))
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        model(torch.zeros(5, dtype=torch.long))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_embd": 30, "n_head": 4}, "divisible by n_head"),
        ({"dropout": 1.0}, "dropout"),
        ({"n_layer": 0}, "n_layer"),
        ({"attention": "flash"}, "GPTConfig.attention 'flash'; choose one of: 'fast', 'course'"),
    ],
)
def test_bad_configs_are_clear_errors(overrides, message):
    with pytest.raises(ValueError, match=message):
        GPTConfig(**overrides)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="cpu"):
        GPTConfig.preset("huge")


@pytest.mark.parametrize("name", sorted(GPT_PRESETS))
def test_parameter_counts_add_up_to_the_total(name):
    model = GPT(GPTConfig.preset(name))
    counts = parameter_counts(model)
    assert sum(counts.values()) == sum(p.numel() for p in model.parameters())
    assert counts["head"] == 0  # tied to the token embedding
    C, V_, T, n = (
        model.config.n_embd,
        model.config.vocab_size,
        model.config.block_size,
        model.config.n_layer,
    )
    assert counts["embeddings"] == V_ * C + T * C
    assert counts["attention"] == n * (3 * C * C + 3 * C + C * C + C)
    assert counts["feed-forward"] == n * (4 * C * C + 4 * C + 4 * C * C + C)
    assert counts["layer norms"] == (2 * n + 1) * 2 * C


def test_head_is_tied_to_the_token_embedding():
    model = tiny()
    assert model.head.weight is model.tok_emb.weight


def test_attention_weights_need_the_course_path():
    model = tiny()
    model(torch.zeros(1, 4, dtype=torch.long))
    with pytest.raises(RuntimeError, match="attention='course'"):
        model.attention_weights()


def test_chapter_05_attention_gives_the_same_logits_and_keeps_its_weights():
    model = tiny().eval()
    idx = torch.randint(0, V, (2, 12))
    fast, _ = model(idx)
    model.set_attention("course")
    course, _ = model(idx)
    torch.testing.assert_close(course, fast, atol=1e-5, rtol=1e-5)
    weights = model.attention_weights()
    assert len(weights) == 2 and weights[0].shape == (2, 2, 12, 12)
    torch.testing.assert_close(weights[0].sum(-1), torch.ones(2, 2, 12))
    assert torch.all(weights[0].triu(diagonal=1) == 0)  # nothing from the future


@pytest.mark.parametrize("bias", [True, False])
def test_a_block_matches_pytorchs_pre_norm_transformer_layer(bias):
    model = tiny(bias=bias, n_embd=48, n_head=3).eval()
    with torch.no_grad():  # random norms and biases, so that every weight matters
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith("bias"):
                p.normal_()
    block = model.blocks[0]
    reference = torch_reference_block(block)
    x = torch.randn(2, 9, 48)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(9)
    with torch.no_grad():
        ours, theirs = block(x), reference(x, src_mask=mask, is_causal=True)
    torch.testing.assert_close(ours, theirs, atol=2e-5, rtol=1e-5)
    with torch.no_grad():  # the check can fail: without the mask the future leaks in
        assert (block(x) - reference(x)).abs().max() > 1e-3


def test_side_by_side_shows_texts_in_columns():
    view = L.SideBySide({"a": "ab\ncd", "b <i>": "xyz"}, width=4)
    assert repr(view).split("\n") == ["a    | b <i>", "-----+-----", "ab   | xyz", "cd   |"]
    html = view._repr_html_()
    assert "b &lt;i&gt;" in html and html.count("<pre") == 2
    with pytest.raises(TypeError, match="Column 'a' must be a str"):
        L.SideBySide({"a": [1, 2]})
    with pytest.raises(ValueError, match="at least one column"):
        L.SideBySide({})


def test_a_bad_attention_kind_is_refused_and_changes_nothing():
    model = GPT(GPTConfig.preset("tiny"))
    with pytest.raises(ValueError, match="choose one of: 'fast', 'course'"):
        model.set_attention("flash")
    assert model.config.attention == "fast"
    assert all(block.attn.attention == "fast" for block in model.blocks)


def test_the_course_path_can_be_spied_on_where_the_gpt_calls_it(monkeypatch):
    from lessons_lib.models import gpt

    calls = []
    original = gpt.scaled_dot_product_attention

    def spy(q, k, v, mask=None):
        calls.append(tuple(q.shape))
        return original(q, k, v, mask=mask)

    monkeypatch.setattr(gpt, "scaled_dot_product_attention", spy)
    model = GPT(GPTConfig.preset("tiny", attention="course")).eval()
    model(torch.zeros(3, 5, dtype=torch.long))
    assert calls == [(3, 2, 5, 16)] * 2  # one call per layer: (B, n_head, T, head_size)


def test_bad_types_are_named():
    with pytest.raises(TypeError, match="GPTConfig.bias must be True or False, got 'no'"):
        GPTConfig(bias="no")
    with pytest.raises(TypeError, match=r"block must be a GPT Block, e.g. model.blocks\[0\]"):
        torch_reference_block(GPT(GPTConfig.preset("tiny")))
    with pytest.raises(TypeError, match="model must be a model"):
        parameter_counts("gpt")
