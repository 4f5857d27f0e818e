"""Tests of training.probe: the bag-of-characters baseline and the linear probe."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.training.probe import (
    bag_of_characters,
    fit_linear_probe,
    gpt_hidden_states,
    probe_accuracy,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """A probe's tensors are tiny: on a busy machine a second OpenMP thread makes each of the
    300 steps wait for a core (14 s a fit instead of 0.04 s), so these tests use one."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _clusters(n: int = 200, gap: float = 3.0, seed: int = 0):
    """Two Gaussian clusters in 2-D, centred at (+gap, 0) and (-gap, 0), shuffled."""
    g = torch.Generator().manual_seed(seed)
    centre = torch.tensor([gap, 0.0])
    x = torch.cat(
        [torch.randn(n, 2, generator=g) + centre, torch.randn(n, 2, generator=g) - centre]
    )
    y = torch.cat([torch.zeros(n), torch.ones(n)]).long()
    order = torch.randperm(2 * n, generator=g)
    return x[order], y[order]


def _noise(n: int = 800, d: int = 5, classes: int = 2, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), torch.randint(0, classes, (n,), generator=g)


# --- bag_of_characters ----------------------------------------------------------------------


def test_bag_of_characters_by_hand():
    features = bag_of_characters(["aab", "b", "abba"], alphabet="ab")
    want = torch.tensor([[2 / 3, 1 / 3], [0.0, 1.0], [0.5, 0.5]])
    torch.testing.assert_close(features, want)


def test_the_default_alphabet_is_every_character_sorted():
    features = bag_of_characters(["ba!", "cab"])
    assert features.shape == (2, 4)  # "!", "a", "b", "c"
    torch.testing.assert_close(features[0], torch.tensor([1.0, 1.0, 1.0, 0.0]) / 3)
    torch.testing.assert_close(features[1], torch.tensor([0.0, 1.0, 1.0, 1.0]) / 3)


def test_rows_sum_to_one_when_the_alphabet_covers_the_text():
    texts = ["To be, or not to be", "that is the question", "x", "Ay, there's the rub."]
    features = bag_of_characters(texts)
    torch.testing.assert_close(features.sum(1), torch.ones(len(texts)))
    assert (features >= 0).all()


def test_an_unknown_character_is_ignored_but_counts_in_the_length():
    features = bag_of_characters(["abz", "zzz"], alphabet="ab")
    torch.testing.assert_close(features, torch.tensor([[1 / 3, 1 / 3], [0.0, 0.0]]))


def test_an_empty_text_is_a_row_of_zeros():
    features = bag_of_characters(["", "a"], alphabet="ab")
    torch.testing.assert_close(features, torch.tensor([[0.0, 0.0], [1.0, 0.0]]))


def test_a_string_instead_of_a_list_is_a_type_error():
    with pytest.raises(
        TypeError, match=r"texts must be a list of strings; for one text use \[text\]"
    ):
        bag_of_characters("one text")


# --- fit_linear_probe and probe_accuracy ----------------------------------------------------


def test_probe_accuracy_by_hand():
    probe = nn.Linear(1, 2)
    with torch.no_grad():  # class 1 when x > 0
        probe.weight.copy_(torch.tensor([[-1.0], [1.0]]))
        probe.bias.zero_()
    x = torch.tensor([[-2.0], [-1.0], [1.0], [3.0]])
    assert probe_accuracy(probe, x, torch.tensor([0, 0, 1, 1])) == 1.0
    assert probe_accuracy(probe, x, torch.tensor([0, 1, 1, 1])) == 0.75
    assert probe_accuracy(probe, x, torch.tensor([1, 1, 0, 0])) == 0.0


def test_the_probe_is_one_linear_layer_with_a_row_per_class():
    x, y = _noise(n=60, d=7, classes=3)
    probe = fit_linear_probe(x, y, steps=5)
    assert isinstance(probe, nn.Linear)
    assert (probe.in_features, probe.out_features) == (7, 3)


def test_the_probe_separates_two_well_separated_clusters():
    x, y = _clusters()
    probe = fit_linear_probe(x[:200], y[:200])
    assert probe_accuracy(probe, x[200:], y[200:]) > 0.95  # held-out points


def test_the_probe_is_at_chance_on_random_labels():
    x, y = _noise(n=800, d=5)
    probe = fit_linear_probe(x[:400], y[:400])
    assert probe_accuracy(probe, x[400:], y[400:]) < 0.7  # nothing to find: about 0.5


def test_the_standardisation_is_folded_into_the_layer():
    x, y = _clusters(gap=1.0)
    train, test = slice(0, 200), slice(200, None)
    mean, std = x[train].mean(0), x[train].std(0)
    on_raw = fit_linear_probe(x[train], y[train])
    on_standard = fit_linear_probe((x[train] - mean) / std, y[train])
    # the raw probe applied to raw points is the other probe applied to standardised points
    torch.testing.assert_close(
        on_raw(x[test]), on_standard((x[test] - mean) / std), atol=1e-4, rtol=1e-4
    )
    assert torch.equal(on_raw(x[test]).argmax(1), on_standard((x[test] - mean) / std).argmax(1))


def test_a_feature_in_other_units_does_not_hurt():
    x, y = _clusters(gap=1.0)
    scaled = x * torch.tensor([1000.0, 1.0]) + torch.tensor([500.0, -3.0])  # e.g. metres -> mm
    plain = fit_linear_probe(x[:200], y[:200])
    odd_units = fit_linear_probe(scaled[:200], y[:200])
    accuracy = probe_accuracy(plain, x[200:], y[200:])
    assert accuracy > 0.75  # the clusters overlap a little at gap 1
    assert probe_accuracy(odd_units, scaled[200:], y[200:]) == pytest.approx(accuracy, abs=0.01)
    assert torch.equal(odd_units(scaled[200:]).argmax(1), plain(x[200:]).argmax(1))


def test_a_constant_feature_does_not_break_the_probe():
    x, y = _clusters()
    with_constant = torch.cat([x, torch.full((len(x), 1), 7.0)], dim=1)  # std 0: clamped
    probe = fit_linear_probe(with_constant[:200], y[:200])
    assert torch.isfinite(probe.weight).all() and torch.isfinite(probe.bias).all()
    assert probe_accuracy(probe, with_constant[200:], y[200:]) > 0.95


def test_a_fixed_seed_gives_the_same_probe():
    x, y = _clusters(gap=1.0)
    a = fit_linear_probe(x, y, steps=50, seed=3)
    b = fit_linear_probe(x, y, steps=50, seed=3)
    c = fit_linear_probe(x, y, steps=50, seed=4)
    torch.testing.assert_close(a.weight, b.weight, rtol=0, atol=0)
    torch.testing.assert_close(a.bias, b.bias, rtol=0, atol=0)
    assert not torch.equal(a.weight, c.weight)  # another seed, another starting point


def test_more_steps_fit_the_training_data_better():
    x, y = _clusters(gap=0.8)
    losses = [
        nn.functional.cross_entropy(fit_linear_probe(x, y, steps=s)(x), y).item() for s in (1, 300)
    ]
    assert losses[1] < losses[0]


@pytest.mark.parametrize(
    ("features", "labels", "message"),
    [
        (torch.zeros(5), torch.zeros(5).long(), r"got \(5,\) and \(5,\)"),
        (torch.zeros(5, 2), torch.zeros(5, 1).long(), r"got \(5, 2\) and \(5, 1\)"),
        (torch.zeros(5, 2), torch.zeros(4).long(), r"got \(5, 2\) and \(4,\)"),
        (torch.zeros(2, 5, 2), torch.zeros(2).long(), r"features must be \(N, D\) and labels"),
    ],
)
def test_shape_errors_name_both_shapes(features, labels, message):
    with pytest.raises(ValueError, match=message):
        fit_linear_probe(features, labels)


def test_steps_must_be_a_positive_int():
    x, y = _clusters(n=5)
    with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
        fit_linear_probe(x, y, steps=0)


# --- bad input ----------------------------------------------------------------------------------


def test_labels_must_be_integer_class_ids():
    x, y = _clusters(n=5)
    with pytest.raises(TypeError, match=r"labels must be integer class ids .* got torch.float32"):
        fit_linear_probe(x, y.float())
    with pytest.raises(ValueError, match="labels must be class ids >= 0, got -1"):
        fit_linear_probe(x, y - 1)
    with pytest.raises(TypeError, match="labels must be a torch.Tensor, got list"):
        fit_linear_probe(x, y.tolist())


def test_non_finite_features_are_refused_not_scored():
    x, y = _clusters(n=5)
    nan = torch.full_like(x, float("nan"))
    with pytest.raises(ValueError, match="features has 20 NaN or infinite value.*Drop those rows"):
        fit_linear_probe(nan, y)
    probe = fit_linear_probe(x, y)
    with pytest.raises(ValueError, match="features has 20 NaN"):
        probe_accuracy(probe, nan, y)  # would be 0.5 or 1.0 with every prediction class 0
    with pytest.raises(ValueError, match=r"got \(10, 2\) and \(9,\)"):
        probe_accuracy(probe, x, y[:-1])


def test_texts_must_be_strings():
    with pytest.raises(TypeError, match="texts must be a list of strings, got 3 among them"):
        bag_of_characters(["ab", 3])


# --- a GPT's hidden states ---------------------------------------------------------------


def _tiny_gpt():
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8)).eval()


def test_gpt_hidden_states_are_what_the_head_reads():
    gpt = _tiny_gpt()
    idx = torch.randint(0, 11, (3, 8))
    hidden = gpt_hidden_states(gpt, idx)
    assert hidden.shape == (3, 8, 8) and not hidden.requires_grad
    with torch.no_grad():
        logits, _ = gpt(idx)
    torch.testing.assert_close(gpt.head(hidden), logits)  # the head turns them into logits
    torch.testing.assert_close(hidden.mean(-1), torch.zeros(3, 8), atol=1e-5, rtol=0)
    assert not gpt.norm._forward_hooks  # the hook is gone afterwards


def test_a_gpt_hidden_state_never_reads_ahead():
    gpt = _tiny_gpt()
    idx = torch.randint(0, 11, (1, 8))
    changed = idx.clone()
    changed[0, -1] = (idx[0, -1] + 1) % 11  # only the last token differs
    a, b = gpt_hidden_states(gpt, idx), gpt_hidden_states(gpt, changed)
    assert torch.equal(a[:, :-1], b[:, :-1]) and not torch.equal(a[:, -1], b[:, -1])


def test_gpt_hidden_states_refuse_a_model_without_a_final_norm():
    with pytest.raises(TypeError, match="model must be a GPT"):
        gpt_hidden_states(nn.Linear(3, 3), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(TypeError, match="model must be a model"):
        gpt_hidden_states("gpt", torch.zeros(1, 2, dtype=torch.long))
