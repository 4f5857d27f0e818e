"""Tests of models.attention_only: attention and nothing else learns the reversal task."""

from __future__ import annotations

import pytest
import torch

from lessons_lib import AttentionOnlyConfig, AttentionOnlyLM, ReversalTask
from lessons_lib.data.reversal_task import IGNORE


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


@pytest.mark.slow
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
