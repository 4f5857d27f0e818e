"""Tests of data.reversal_task: the reversal task and the attention-only model."""

from __future__ import annotations

import pytest
import torch

from lessons_lib import AttentionOnlyConfig, AttentionOnlyLM, ReversalTask
from lessons_lib.data.reversal_task import IGNORE


def test_examples_are_letters_separator_reversal():
    task = ReversalTask(length=5)
    seq = task.examples(20, torch.Generator().manual_seed(0))
    assert seq.shape == (20, 11)
    first, sep, second = seq[:, :5], seq[:, 5], seq[:, 6:]
    assert bool((sep == len(task.letters)).all())
    assert torch.equal(second, first.flip(1))
    assert all(len(set(row.tolist())) == 5 for row in first)  # different letters
    assert bool((first < len(task.letters)).all())


def test_examples_are_reproducible_with_a_generator():
    task = ReversalTask()
    a = task.examples(4, torch.Generator().manual_seed(3))
    b = task.examples(4, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_batch_shifts_by_one_and_ignores_the_random_letters():
    task = ReversalTask(length=4)
    idx, targets = task.batch(3, torch.Generator().manual_seed(1))
    assert idx.shape == targets.shape == (3, task.block_size) == (3, 8)
    seq = torch.cat([idx, targets[:, -1:]], dim=1)
    assert torch.equal(targets[:, 3:], seq[:, 4:])  # the next token from the separator on
    assert bool((targets[:, :3] == IGNORE).all())


def test_encode_decode_and_vocab():
    task = ReversalTask(letters="abc", length=3)
    assert task.vocab == ["a", "b", "c", "|"] and task.vocab_size == 4
    assert task.encode("cab|bac") == [2, 0, 1, 3, 1, 0, 2]
    assert task.decode([2, 0, 1, 3]) == "c a b |"
    assert task.encode("c a b") == [2, 0, 1]
    with pytest.raises(ValueError, match=r"Unknown tokens \['x'\]: use only 'abc\|'"):
        task.encode("abx")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"letters": "aab"}, "must be distinct"),
        ({"letters": "ab|"}, "must not contain the separator"),
        ({"letters": "abc", "length": 4}, r"length must be 1..3"),
        ({"length": 0}, r"length must be 1..10"),
    ],
)
def test_bad_task_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReversalTask(**kwargs)


def test_examples_needs_a_positive_count():
    with pytest.raises(ValueError, match="n must be a positive int"):
        ReversalTask().examples(0)


def _model(**overrides) -> AttentionOnlyLM:
    torch.manual_seed(0)
    return AttentionOnlyLM(AttentionOnlyConfig(**overrides))


def test_forward_contract_and_initial_loss():
    task = ReversalTask()
    model = _model(n_layer=2, n_head=2)
    idx, targets = task.batch(8, torch.Generator().manual_seed(2))
    logits, loss = model(idx, targets)
    assert logits.shape == (8, 16, 11)
    assert model(idx)[1] is None
    # the loss counts only the positions with a target, as F.cross_entropy does
    keep = targets != IGNORE
    expected = torch.nn.functional.cross_entropy(logits[keep], targets[keep])
    torch.testing.assert_close(loss, expected)
    maps = model.attention_weights()
    assert len(maps) == 2 and maps[0].shape == (8, 2, 16, 16)
    assert bool((maps[1].triu(diagonal=1) == 0).all())  # causal


def test_attention_weights_before_any_call_is_a_clear_error():
    with pytest.raises(RuntimeError, match="call the model on some input first"):
        _model().attention_weights()


def test_bad_inputs_are_clear_errors():
    model = _model()
    with pytest.raises(ValueError, match="block_size=16"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match=r"vocabulary has ids 0\.\.10"):
        model(torch.full((1, 4), 11))
    with pytest.raises(ValueError, match=r"targets must have the input's shape \(1, 4\)"):
        model(torch.zeros(1, 4, dtype=torch.long), torch.zeros(1, 3, dtype=torch.long))


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: one thread is fastest
    yield
    torch.set_num_threads(threads)


def test_a_few_hundred_steps_learn_to_reverse_with_an_anti_diagonal_head(one_thread):
    task = ReversalTask()
    model = _model(n_layer=2, n_head=2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(0)
    for _ in range(300):
        idx, targets = task.batch(64, generator)
        _, loss = model(idx, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    idx, targets = task.batch(500, torch.Generator().manual_seed(9))
    with torch.no_grad():
        logits, loss = model(idx, targets)
    answer = slice(task.length, None)  # the letters after the separator
    accuracy = (logits.argmax(-1) == targets)[:, answer].float().mean()
    assert loss < 0.05 and accuracy > 0.99
    queries = torch.arange(task.length, 2 * task.length)  # the separator and after
    sources = 2 * task.length - 1 - queries  # the anti-diagonal
    best = max(
        float(w.mean(0)[h][queries, sources].mean())
        for w in model.attention_weights()
        for h in range(2)
    )
    assert best > 0.8
