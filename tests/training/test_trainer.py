"""Tests of training.trainer: batches, loss estimates, the learning rate, train, plots."""

from __future__ import annotations

import _thread
import math
import re
import threading
import time

import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib import (
    BigramLM,
    History,
    Trainer,
    estimate_loss,
    evaluate,
    get_batch,
    plot_history,
    train,
)
from lessons_lib.training.trainer import as_token_tensor, learning_rate

V = 5
# A cycle 0 1 2 3 4 0 1 ... with a little noise: a bigram model can learn it well.
_g = torch.Generator().manual_seed(0)
DATA = torch.arange(400) % V
_noise = torch.randint(V, (400,), generator=_g)
DATA = torch.where(torch.rand(400, generator=_g) < 0.1, _noise, DATA)
TRAIN, VAL = DATA[:300], DATA[300:]

FAST = dict(batch_size=8, block_size=8, eval_batches=2, progress=False, device="cpu")


def _random_model(seed: int = 0) -> BigramLM:
    model = BigramLM(V)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.logits_table.weight.copy_(torch.randn(V, V, generator=g))
    return model


# --- get_batch ---------------------------------------------------------------------------------


def test_get_batch_shapes_and_dtype():
    x, y = get_batch(torch.arange(50), block_size=6, batch_size=4)
    assert x.shape == (4, 6) and y.shape == (4, 6)
    assert x.dtype == torch.long


def test_get_batch_targets_are_inputs_shifted_by_one():
    data = torch.arange(100) * 3  # token value identifies its position
    x, y = get_batch(data, block_size=7, batch_size=16, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(x[:, 1:], y[:, :-1])
    for row_x, row_y in zip(x, y, strict=True):
        start = int(row_x[0]) // 3
        torch.testing.assert_close(row_x, data[start : start + 7])
        torch.testing.assert_close(row_y, data[start + 1 : start + 8])


def test_get_batch_windows_stay_inside_the_data():
    data = torch.arange(9)
    x, y = get_batch(data, block_size=8, batch_size=5)  # only one window fits
    torch.testing.assert_close(x, data[:8].expand(5, 8))
    torch.testing.assert_close(y, data[1:].expand(5, 8))


def test_get_batch_is_repeatable_with_a_generator():
    a = get_batch(DATA, 8, 4, torch.Generator().manual_seed(3))
    b = get_batch(DATA, 8, 4, torch.Generator().manual_seed(3))
    torch.testing.assert_close(a, b)


def test_get_batch_too_little_data():
    with pytest.raises(ValueError, match=r"The data has 8 tokens, too few for .*block_size=8"):
        get_batch(torch.arange(8), block_size=8, batch_size=2)


@pytest.mark.parametrize(
    "bad",
    [
        torch.zeros(5),
        torch.zeros(2, 3, dtype=torch.long),
        torch.ones(4, dtype=torch.bool),
        [0.5, 1.5],
    ],
)
def test_as_token_tensor_rejects_non_token_data(bad):
    with pytest.raises(ValueError, match="train_data must be a 1-D sequence of integer token ids"):
        as_token_tensor(bad, "train_data")


def test_as_token_tensor_accepts_lists_and_int32():
    torch.testing.assert_close(as_token_tensor([1, 2], "d"), torch.tensor([1, 2]))
    assert as_token_tensor(torch.tensor([1], dtype=torch.int32), "d").dtype == torch.long


# --- estimate_loss and evaluate ----------------------------------------------------------------


def test_estimate_loss_of_fresh_bigram_is_ln_v_and_repeatable():
    model = BigramLM(V)
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3) == pytest.approx(math.log(V))
    model = _random_model()
    first = estimate_loss(model, DATA, 8, batch_size=4, batches=3)
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3) == first
    assert estimate_loss(model, DATA, 8, batch_size=4, batches=3, seed=99) != first


def test_estimate_loss_restores_training_mode():
    model = _random_model()
    model.train()
    estimate_loss(model, DATA, 8, batch_size=2, batches=1)
    assert model.training


def test_evaluate_matches_a_hand_computation():
    model = _random_model()
    data = torch.tensor([0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2])  # 11 tokens
    # block_size 3: windows use x = data[0:9] and y = data[1:10]; the last token is unused
    log_probs = torch.log_softmax(model.logits_table.weight, dim=1)
    by_hand = -sum(log_probs[data[t], data[t + 1]].item() for t in range(9)) / 9
    assert evaluate(model, data, block_size=3) == pytest.approx(by_hand, rel=1e-6)
    assert evaluate(model, data.tolist(), block_size=3, batch_size=1) == pytest.approx(by_hand)


def test_evaluate_is_independent_of_batch_size_and_restores_mode():
    model = _random_model()
    model.train()
    a = evaluate(model, DATA, block_size=16, batch_size=64)
    b = evaluate(model, DATA, block_size=16, batch_size=3)
    assert a == pytest.approx(b, rel=1e-6)
    assert model.training


def test_evaluate_needs_more_than_one_window():
    with pytest.raises(ValueError, match=r"Need more than block_size=8 tokens, got 8"):
        evaluate(BigramLM(V), torch.arange(8) % V, block_size=8)


# --- learning_rate -----------------------------------------------------------------------------


def test_constant_schedule():
    assert all(learning_rate(s, 100, 0.1, "constant", 0) == 0.1 for s in range(0, 100, 7))


def test_linear_warmup():
    lrs = [learning_rate(s, 100, 1.0, "constant", 4) for s in range(6)]
    assert lrs == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


def test_cosine_schedule_decays_from_lr_to_a_tenth():
    lrs = [learning_rate(s, 50, 1.0, "cosine", 10) for s in range(10, 51)]
    assert lrs[0] == pytest.approx(1.0)
    assert lrs[-1] == pytest.approx(0.1)
    assert learning_rate(30, 50, 1.0, "cosine", 10) == pytest.approx(0.55)  # halfway
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    assert learning_rate(500, 50, 1.0, "cosine", 10) == pytest.approx(0.1)  # stays at the floor


# --- train -------------------------------------------------------------------------------------


def test_train_lowers_the_loss_and_records_history():
    model = BigramLM(V)
    history = train(model, TRAIN, VAL, steps=60, lr=0.1, eval_every=20, **FAST)
    assert history.steps == [0, 20, 40, 60]
    n = len(history)
    assert n == 4
    assert len(history.train_loss) == len(history.val_loss) == len(history.seconds) == n
    assert history.val_loss[0] == pytest.approx(math.log(V))
    assert history.val_loss[-1] < history.val_loss[0] - 0.5
    assert history.train_loss[-1] < history.train_loss[0] - 0.5
    assert history.seconds == sorted(history.seconds)
    assert history.interrupted is False
    assert not model.training  # left in eval mode


def test_train_default_eval_every_is_ten_evaluations():
    history = train(BigramLM(V), TRAIN, VAL, steps=20, **FAST)
    assert history.steps == list(range(0, 21, 2))


def test_train_always_records_the_last_step():
    history = train(BigramLM(V), TRAIN, VAL, steps=20, eval_every=7, **FAST)
    assert history.steps == [0, 7, 14, 20]


def test_train_max_seconds_stops_early():
    history = train(BigramLM(V), TRAIN, VAL, steps=10_000, max_seconds=0.0, **FAST)
    assert history.steps == [0, 1]
    assert history.interrupted is False


def test_train_is_deterministic_for_a_seed():
    a, b = BigramLM(V), BigramLM(V)
    ha = train(a, TRAIN, VAL, steps=15, lr=0.05, seed=3, **FAST)
    hb = train(b, TRAIN, VAL, steps=15, lr=0.05, seed=3, **FAST)
    assert ha.val_loss == hb.val_loss
    torch.testing.assert_close(a.logits_table.weight, b.logits_table.weight)


def test_train_with_zero_lr_changes_nothing():
    model = _random_model()
    before = model.logits_table.weight.detach().clone()
    history = train(model, TRAIN.tolist(), VAL.tolist(), steps=5, lr=0.0, **FAST)
    torch.testing.assert_close(model.logits_table.weight, before)
    assert len(set(history.val_loss)) == 1


def test_train_cosine_schedule_with_warmup_runs():
    history = train(
        BigramLM(V),
        TRAIN,
        VAL,
        steps=30,
        lr=0.1,
        schedule="cosine",
        warmup=5,
        eval_every=30,
        **FAST,
    )
    assert history.steps == [0, 30]
    assert history.val_loss[-1] < history.val_loss[0]


def test_train_uses_the_model_block_size():
    class Windowed(BigramLM):
        block_size = 4

    # 5 tokens fit exactly one window of 4 (+1); the default of 32 would not fit
    fast = {k: v for k, v in FAST.items() if k != "block_size"}
    history = train(Windowed(V), torch.arange(5), torch.arange(5), steps=2, **fast)
    assert history.steps == [0, 1, 2]


def test_train_puts_the_model_on_the_device():
    model = BigramLM(V)
    train(model, TRAIN, VAL, steps=1, **FAST)
    assert model.logits_table.weight.device == torch.device("cpu")


@pytest.mark.parametrize(
    ("steps", "batch_size", "message"),
    [
        (0, 8, "steps must be a positive int, got 0"),
        (10, 0, "batch_size must be a positive int"),
        (True, 8, "steps must be a positive int, got True"),
    ],
)
def test_train_rejects_bad_steps_or_batch_size(steps, batch_size, message):
    with pytest.raises(ValueError, match=message):
        train(BigramLM(V), TRAIN, VAL, steps=steps, batch_size=batch_size, progress=False)


def test_train_rejects_unknown_schedule():
    with pytest.raises(
        ValueError, match="Unknown schedule 'linear'; choose one of: 'constant', 'cosine'"
    ):
        train(BigramLM(V), TRAIN, VAL, steps=1, schedule="linear", progress=False)


def test_train_rejects_bad_data():
    with pytest.raises(ValueError, match="val_data must be a 1-D sequence of integer token ids"):
        train(BigramLM(V), TRAIN, VAL.float(), steps=1, progress=False)


class Signalling(BigramLM):
    """A bigram model that sets ``started`` on its first training step (not an evaluation)."""

    def __init__(self, vocab_size: int):
        super().__init__(vocab_size)
        self.started = threading.Event()

    def forward(self, idx, targets=None):
        if self.training and torch.is_grad_enabled():
            self.started.set()
        return super().forward(idx, targets)


def test_ctrl_c_stops_training_cleanly(capsys):
    model = Signalling(V)
    init = model.logits_table.weight.detach().clone()
    training = threading.Event()
    training.set()

    def press_ctrl_c() -> None:
        # wait until optimisation really runs, let it go on a little, then "press" Ctrl-C
        if model.started.wait(timeout=20):
            time.sleep(0.3)
            if training.is_set():
                _thread.interrupt_main()

    timer = threading.Timer(0.0, press_ctrl_c)
    timer.start()
    try:
        history = train(
            model, TRAIN, VAL, steps=10**6, lr=0.05, eval_every=200, max_seconds=30, **FAST
        )
    finally:
        training.clear()
        timer.join()
    assert history.interrupted is True
    assert len(history) >= 2
    assert history.steps[0] == 0 and history.steps[-1] > 0
    assert history.seconds[-1] < 30  # stopped by Ctrl-C, not by max_seconds
    assert not torch.equal(model.logits_table.weight.detach(), init)
    out = capsys.readouterr().out
    match = re.search(r"Training stopped at step (\d+) of 1000000", out)
    assert match, out
    assert history.steps[-1] == int(match.group(1))


class InterruptedWhileEvaluating(BigramLM):
    """Ctrl-C arrives in the middle of the first evaluation after training began."""

    def __init__(self, vocab_size: int):
        super().__init__(vocab_size)
        self.trained = self.fired = False

    def forward(self, idx, targets=None):
        if self.training:
            self.trained = True
        elif self.trained and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        return super().forward(idx, targets)


def test_ctrl_c_during_an_evaluation_keeps_the_history_consistent(capsys):
    model = InterruptedWhileEvaluating(V)
    history = train(model, TRAIN, VAL, steps=100, eval_every=5, **FAST)
    assert model.fired and history.interrupted
    assert "Training stopped at step 5 of 100" in capsys.readouterr().out
    # one entry per evaluation in every list, so the history can be plotted
    n = len(history.steps)
    assert len(history.train_loss) == len(history.val_loss) == len(history.seconds) == n
    assert isinstance(plot_history(history), Figure)


# --- Trainer: training that goes on across notebook cells --------------------------------------


def test_trainer_runs_in_pieces_like_one_train_call():
    whole, pieces = BigramLM(V), BigramLM(V)
    options = dict(steps=20, lr=0.05, schedule="cosine", warmup=3, eval_every=5, seed=4, **FAST)
    one = train(whole, TRAIN, VAL, **options)
    trainer = Trainer(pieces, TRAIN, VAL, **options)
    first = trainer.run(7)
    assert first.steps == [0, 5, 7] and trainer.step == 7 and not trainer.done
    second = trainer.run()  # the rest of the plan
    assert second is first  # one history, growing
    assert second.steps == [0, 5, 7, 10, 15, 20] and trainer.done
    assert one.steps == [0, 5, 10, 15, 20]
    # the same batches and the same schedule: the same weights, bit for bit
    assert torch.equal(whole.logits_table.weight, pieces.logits_table.weight)
    assert [second.val_loss[i] for i in (0, 1, 3, 4, 5)] == one.val_loss


def test_trainer_stops_at_the_end_of_its_plan(capsys):
    trainer = Trainer(BigramLM(V), TRAIN, VAL, steps=6, eval_every=3, **FAST)
    assert trainer.run(100).steps == [0, 3, 6]
    assert trainer.run(5).steps == [0, 3, 6]  # nothing more to do
    assert "done its whole plan (6 steps)" in capsys.readouterr().out
    with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
        trainer.run(0)


def test_trainer_time_budget_counts_only_time_spent_training():
    trainer = Trainer(BigramLM(V), TRAIN, VAL, steps=None, max_seconds=0.3, **FAST)
    trainer.run(5)
    time.sleep(0.4)  # a learner reading between two cells
    assert not trainer.done
    history = trainer.run()
    assert trainer.done and history.steps[-1] > 5
    assert 0.3 < history.seconds[-1] < 0.7
    assert history.seconds == sorted(history.seconds)


def test_live_plot_is_silent_outside_a_notebook(capsys):
    history = train(BigramLM(V), TRAIN, VAL, steps=4, live_plot=True, **FAST)
    assert history.steps[-1] == 4
    assert capsys.readouterr().out == ""


def test_a_stopped_trainer_goes_on_from_where_it_stopped(capsys):
    model = InterruptedWhileEvaluating(V)
    trainer = Trainer(model, TRAIN, VAL, steps=20, eval_every=5, **FAST)
    first = trainer.run()
    assert first.interrupted and trainer.step == 5 and not trainer.done
    assert "Training stopped at step 5 of 20" in capsys.readouterr().out
    second = trainer.run()  # the next cell: on from step 5, the flag cleared
    assert not second.interrupted and trainer.done
    assert second.steps == [0, 5, 10, 15, 20]


# --- History and plot_history ------------------------------------------------------------------


def _history() -> History:
    return History(
        steps=[0, 10, 20],
        train_loss=[1.6, 1.2, 1.0],
        val_loss=[1.6, 1.3, 1.1],
        seconds=[0.0, 0.1, 0.2],
    )


def test_history_len():
    assert len(History()) == 0
    assert len(_history()) == 3


def test_plot_history_returns_a_figure_with_both_curves_and_floors():
    fig = plot_history(_history(), floors={"entropy": 0.9}, title="T")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "T"
    lines = ax.get_lines()
    assert len(lines) == 3
    assert list(lines[0].get_xdata()) == [0, 10, 20]
    assert list(lines[1].get_ydata()) == [1.6, 1.3, 1.1]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["train loss", "validation loss", "entropy = 0.900"]


def test_plot_history_draws_on_a_given_axes():
    from lessons_lib.viz.figures import new_figure

    fig, axes = new_figure(1, 2)
    assert plot_history(_history(), ax=axes[1]) is fig
    assert len(axes[1].get_lines()) == 2 and len(axes[0].get_lines()) == 0


def test_plot_history_of_empty_history():
    with pytest.raises(ValueError, match="The history is empty"):
        plot_history(History())
