"""Tests of training.trainer: ``train`` in one call and ``Trainer`` across notebook cells.

Batches, loss estimates, the schedule and the history have their own test files
(test_batches.py, test_evaluation.py, test_schedule.py, test_history.py).
"""

from __future__ import annotations

import _thread
import math
import re
import threading

import pytest
import torch
from matplotlib.figure import Figure

from lessons_lib import BigramLM, Trainer, get_device, plot_history, train
from lessons_lib.training import trainer as trainer_module

V = 5
# A cycle 0 1 2 3 4 0 1 ... with a little noise: a bigram model can learn it well.
_g = torch.Generator().manual_seed(0)
DATA = torch.arange(400) % V
_noise = torch.randint(V, (400,), generator=_g)
DATA = torch.where(torch.rand(400, generator=_g) < 0.1, _noise, DATA)
TRAIN, VAL = DATA[:300], DATA[300:]

FAST = dict(batch_size=8, block_size=8, eval_batches=2, progress=False, device="cpu")
ANY_DEVICE = {k: v for k, v in FAST.items() if k != "device"}  # the trainer picks one

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


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


def test_train_is_deterministic_for_a_seed():
    a, b, c = BigramLM(V), BigramLM(V), BigramLM(V)
    ha = train(a, TRAIN, VAL, steps=15, lr=0.05, seed=3, **FAST)
    hb = train(b, TRAIN, VAL, steps=15, lr=0.05, seed=3, **FAST)
    train(c, TRAIN, VAL, steps=15, lr=0.05, seed=4, **FAST)
    assert ha.val_loss == hb.val_loss
    torch.testing.assert_close(a.logits_table.weight, b.logits_table.weight)
    assert not torch.equal(a.logits_table.weight, c.logits_table.weight)  # the seed matters


def test_train_with_zero_lr_changes_nothing(random_bigram):
    model = random_bigram(V)
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


def test_train_sets_each_steps_learning_rate_from_the_schedule():
    trainer = Trainer(
        BigramLM(V), TRAIN, VAL, steps=12, lr=1.0, schedule="cosine", warmup=2, **FAST
    )
    lrs = []
    trainer.optimizer.register_step_pre_hook(lambda opt, *_: lrs.append(opt.param_groups[0]["lr"]))
    trainer.run()
    # warm-up 0.5, 1.0; then the cosine over the 10 steps left, from 1.0 towards 0.1
    cosine = [0.1 + 0.45 * (1 + math.cos(math.pi * k / 10)) for k in range(10)]
    assert lrs == pytest.approx([0.5, 1.0, *cosine])


def test_train_uses_the_model_block_size():
    class Windowed(BigramLM):
        block_size = 4

    # 5 tokens fit exactly one window of 4 (+1); the default of 32 would not fit
    fast = {k: v for k, v in FAST.items() if k != "block_size"}
    history = train(Windowed(V), torch.arange(5), torch.arange(5), steps=2, **fast)
    assert history.steps == [0, 1, 2]


@pytest.mark.parametrize(
    ("steps", "batch_size", "message"),
    [
        (0, 8, "steps must be a positive int, got 0"),
        (10, 0, "batch_size must be a positive int"),
        (True, 8, "steps must be a positive int, got True"),
        (None, 8, "Give steps, max_seconds, or both"),
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


# --- the device --------------------------------------------------------------------------------


def test_by_default_the_trainer_asks_get_device(monkeypatch):
    assert Trainer(BigramLM(V), TRAIN, VAL, steps=1, **ANY_DEVICE).device == get_device()
    picked = torch.device("cpu", 0)  # a real device, but not the plain "cpu" it could guess
    asked = []

    def spy() -> torch.device:
        asked.append(True)
        return picked

    monkeypatch.setattr(trainer_module, "get_device", spy)
    trainer = Trainer(BigramLM(V), TRAIN, VAL, steps=2, **ANY_DEVICE)
    assert asked and trainer.device == picked
    assert trainer.mixed_precision is False  # bfloat16 autocast only by default on CUDA
    assert trainer.run().steps[-1] == 2  # and it trains there
    explicit = Trainer(BigramLM(V), TRAIN, VAL, steps=2, **FAST)
    assert len(asked) == 1 and explicit.device == torch.device("cpu")  # not asked again


@needs_cuda
def test_train_moves_the_model_to_the_device_it_is_given():
    model = BigramLM(V)
    assert model.logits_table.weight.device.type == "cpu"
    trainer = Trainer(
        model, TRAIN, VAL, steps=60, lr=0.1, eval_every=20, **{**FAST, "device": "cuda"}
    )
    assert trainer.mixed_precision is True  # by default on CUDA
    history = trainer.run()
    assert all(p.device.type == "cuda" for p in model.parameters())
    assert history.val_loss[-1] < history.val_loss[0] - 0.5  # it learned there, in bfloat16


@needs_cuda
def test_device_cpu_brings_a_model_back_from_the_gpu():
    model = BigramLM(V).to("cuda")
    train(model, TRAIN, VAL, steps=2, **FAST)  # device="cpu"
    assert all(p.device.type == "cpu" for p in model.parameters())


# --- Ctrl-C ------------------------------------------------------------------------------------


class Signalling(BigramLM):
    """A bigram model that sets ``started`` on its second training step (not an evaluation):
    by then one optimisation step is done."""

    def __init__(self, vocab_size: int):
        super().__init__(vocab_size)
        self.started = threading.Event()
        self.steps_begun = 0

    def forward(self, idx, targets=None):
        if self.training and torch.is_grad_enabled():
            self.steps_begun += 1
            if self.steps_begun == 2:
                self.started.set()
        return super().forward(idx, targets)


def test_ctrl_c_stops_training_cleanly(capsys):
    model = Signalling(V)
    init = model.logits_table.weight.detach().clone()
    training = threading.Event()
    training.set()

    def press_ctrl_c() -> None:
        # wait until optimisation really runs, then "press" Ctrl-C
        if model.started.wait(timeout=20) and training.is_set():
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
    assert history.steps[0] == 0 and 0 < history.steps[-1] < 10**6
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


def test_a_stopped_trainer_goes_on_from_where_it_stopped(capsys):
    model = InterruptedWhileEvaluating(V)
    trainer = Trainer(model, TRAIN, VAL, steps=20, eval_every=5, **FAST)
    first = trainer.run()
    assert first.interrupted and trainer.step == 5 and not trainer.done
    assert "Training stopped at step 5 of 20" in capsys.readouterr().out
    second = trainer.run()  # the next cell: on from step 5, the flag cleared
    assert not second.interrupted and trainer.done
    assert second.steps == [0, 5, 10, 15, 20]


def test_live_plot_redraws_at_every_evaluation_and_at_each_run(monkeypatch):
    drawn = []

    class Recorder:  # stands in for viz.curves.LivePlot
        def restart(self) -> None:
            drawn.append("new picture")

        def update(self, history) -> None:
            drawn.append(list(history.steps))

    monkeypatch.setattr(trainer_module, "LivePlot", Recorder)
    train(BigramLM(V), TRAIN, VAL, steps=4, **FAST)
    assert drawn == []  # live_plot is off by default
    trainer = Trainer(BigramLM(V), TRAIN, VAL, steps=6, eval_every=3, live_plot=True, **FAST)
    trainer.run(4)
    trainer.run()  # the next cell shows the curves so far, then goes on
    picture = "new picture"
    assert drawn == [picture, [0], [0, 3], [0, 3, 4], picture, [0, 3, 4], [0, 3, 4, 6]]
    drawn.clear()
    given = Recorder()  # a plot made by the learner (with reference lines, say) is used as is
    Trainer(BigramLM(V), TRAIN, VAL, steps=2, eval_every=2, live_plot=given, **FAST).run()
    assert drawn == [picture, [0], [0, 2]]


# --- the time budget ---------------------------------------------------------------------------


def test_max_seconds_ends_a_long_plan_once_the_time_is_used_up():
    history = train(BigramLM(V), TRAIN, VAL, steps=10**6, max_seconds=0.05, **FAST)
    assert 0 < history.steps[-1] < 10**6  # stopped by the budget, long before the plan's end
    assert history.seconds[-1] > 0.05  # ... and not before the budget was used up
    assert history.interrupted is False
    history = train(BigramLM(V), TRAIN, VAL, steps=10_000, max_seconds=0.0, **FAST)
    assert history.steps == [0, 1]  # no time at all: one step, then stop


class Clock:
    """Stands in for the trainer's ``time`` module: time moves only when a test moves it."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now


TICK = 1 / 64  # the seconds one training step takes on the Clock (exact in binary)


class Ticking(BigramLM):
    """A bigram model whose every training step takes exactly TICK seconds of ``clock``."""

    def __init__(self, clock: Clock):
        super().__init__(V)
        self.clock = clock

    def forward(self, idx, targets=None):
        if self.training and torch.is_grad_enabled():
            self.clock.now += TICK
        return super().forward(idx, targets)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(trainer_module, "time", clock)
    return clock


def test_a_time_budget_counts_only_the_time_spent_training(clock):
    trainer = Trainer(Ticking(clock), TRAIN, VAL, steps=None, max_seconds=0.5, **FAST)
    trainer.run(5)
    assert trainer.seconds == 5 * TICK and not trainer.done
    clock.now += 100.0  # a learner reading between two cells
    history = trainer.run()
    assert trainer.done and not history.interrupted
    # 0.5 s is 32 steps: the 33rd goes past the budget and is the last (eval_every is 250)
    assert history.steps == [0, 5, 33]
    assert history.seconds == [0.0, 5 * TICK, 33 * TICK]  # the 100 s pause does not count
    assert trainer.seconds == 33 * TICK


def test_a_time_budget_also_ends_a_plan_of_steps(clock):
    history = train(Ticking(clock), TRAIN, VAL, steps=10_000, max_seconds=0.25, **FAST)
    assert history.steps == [0, 17]  # 17 steps of 1/64 s are the first past 0.25 s
    assert history.seconds[-1] == 17 * TICK > 0.25


def test_with_a_time_budget_the_cosine_follows_the_time_not_the_pauses(clock):
    trainer = Trainer(
        Ticking(clock), TRAIN, VAL, steps=None, max_seconds=0.5, lr=1.0, schedule="cosine", **FAST
    )
    lrs = []
    trainer.optimizer.register_step_pre_hook(lambda opt, *_: lrs.append(opt.param_groups[0]["lr"]))
    trainer.run(10)
    clock.now += 100.0  # between two cells
    trainer.run()
    # step k begins after k steps of 1/64 s: the share of the budget used is k / 32
    expected = [0.1 + 0.45 * (1 + math.cos(math.pi * min(k / 32, 1))) for k in range(33)]
    assert lrs == pytest.approx(expected)
    assert lrs[0] == 1.0 and lrs[16] == pytest.approx(0.55) and lrs[32] == pytest.approx(0.1)


def test_train_shows_the_trainers_keyword_arguments():
    import inspect

    ours = inspect.signature(train).parameters
    theirs = inspect.signature(Trainer).parameters
    assert list(ours) == list(theirs)  # Shift-Tab in Jupyter lists every real option
    for name, parameter in ours.items():
        assert parameter.default == theirs[name].default, name
        assert parameter.kind == theirs[name].kind, name


# --- bad options: refused before any training --------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        (dict(steps=None, max_seconds=-60), ValueError, r"max_seconds .* must be > 0, got -60"),
        (dict(steps=None, max_seconds=0), ValueError, r"max_seconds .* must be > 0, got 0"),
        (dict(steps=10, max_seconds="60"), TypeError, r"max_seconds .* must be a number"),
        (dict(steps=10, block_size=0), ValueError, r"block_size .* must be a positive int"),
        (dict(steps=10, lr="1e-3"), TypeError, r"lr .* must be a number, got '1e-3'"),
        (dict(steps=10, lr=-0.1), ValueError, r"lr .* must be >= 0, got -0.1"),
        (dict(steps=10, weight_decay=-1), ValueError, r"weight_decay .* must be >= 0"),
        (dict(steps=10, warmup=-1), ValueError, r"warmup .* must be an int >= 0, got -1"),
        (dict(steps=10, grad_clip=0), ValueError, r"grad_clip .* must be > 0, got 0"),
        (dict(steps=10, eval_every=0), ValueError, r"eval_every .* must be a positive int"),
        (dict(steps=10, eval_batches=0), ValueError, "eval_batches must be a positive int"),
        (dict(steps=10, seed=1.5), ValueError, "seed must be an int >= 0, got 1.5"),
        (dict(steps=10, progress="no"), TypeError, "progress must be True or False"),
        (dict(steps=10, mixed_precision=1), TypeError, r"mixed_precision .* must be True or"),
    ],
)
def test_bad_options_are_refused_before_training(options, error, match):
    options = {**FAST, **options}
    with pytest.raises(error, match=match):
        train(BigramLM(V), TRAIN, VAL, **options)


def test_a_model_is_expected():
    with pytest.raises(TypeError, match="model must be a model"):
        Trainer("gpt", TRAIN, VAL, steps=1, **FAST)
