"""The training loop of every language model in the course (chapter 01 onwards).

:func:`train` trains a model in one call; :class:`Trainer` does the same in several calls, so
that training can go on from one notebook cell to the next (chapter 06). The loop knows nothing
about the model beyond the contract ``forward(idx, targets) -> (logits, loss)``: bigram, MLP
and GPT all train with it. Batches, loss estimates and the learning-rate schedule live in
the other modules of :mod:`lessons_lib.training`.
"""

from __future__ import annotations

import os
import time

import torch
import torch.nn as nn
from tqdm.auto import tqdm

from .._checks import boolean, number, one_of, positive_int
from ..course.session import get_device
from ..models.lm import check_model
from ..viz.curves import LivePlot
from .batches import as_token_tensor, get_batch
from .evaluation import estimate_loss
from .history import History
from .schedule import SCHEDULES, learning_rate


class Trainer:
    """The training loop of :func:`train`, kept alive so that training can go on in the next
    notebook cell (chapter 06): the optimizer, the schedule, the stream of random windows and
    the history all carry over from one :meth:`run` to the next.

    ``Trainer(model, train_data, val_data, steps=450, ...).run(150)`` trains the first 150 of
    450 planned steps; the cosine schedule spans all 450. The arguments are those of
    :func:`train`, plus ``live_plot``: redraw the loss curves in the notebook at every
    evaluation.
    """

    def __init__(
        self,
        model: nn.Module,
        train_data,
        val_data,
        *,
        steps: int | None = 1000,
        batch_size: int = 32,
        block_size: int | None = None,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        schedule: str = "constant",
        warmup: int = 0,
        grad_clip: float | None = 1.0,
        eval_every: int | None = None,
        eval_batches: int = 10,
        max_seconds: float | None = None,
        seed: int = 0,
        device: str | torch.device | None = None,
        mixed_precision: bool | None = None,
        progress: bool = True,
        live_plot: bool | LivePlot = False,
    ):
        _check_options(
            model, steps, max_seconds, batch_size, block_size, lr, weight_decay, schedule,
            warmup, grad_clip, eval_every, eval_batches, seed, mixed_precision, progress, live_plot
        )  # fmt: skip
        self.model = model
        self.train_data = as_token_tensor(train_data, "train_data")
        self.val_data = as_token_tensor(val_data, "val_data")
        self.steps, self.max_seconds = steps, max_seconds
        self.batch_size = batch_size
        if block_size is None:
            block_size = getattr(model, "block_size", None) or 32
        self.block_size = block_size
        self.lr, self.schedule, self.warmup, self.grad_clip = lr, schedule, warmup, grad_clip
        if eval_every is None:
            eval_every = max(1, steps // 10) if steps else 250
        self.eval_every = eval_every
        self.eval_batches = eval_batches
        self.device = torch.device(device) if device is not None else get_device()
        if mixed_precision is None:
            mixed_precision = self.device.type == "cuda"
        self.mixed_precision = mixed_precision
        self.progress, self.live_plot = progress, live_plot
        model.to(self.device)
        # foreach: one kernel per step for all tensors; the same numbers, faster on a CPU
        self.foreach = True if self.device.type == "cpu" else None
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=lr, weight_decay=weight_decay, foreach=self.foreach
        )
        self.generator = torch.Generator().manual_seed(seed)
        self.history = History()
        self.step = 0  # optimisation steps done so far
        self.seconds = 0.0  # time spent in run() so far (not the time between cells)
        self._begun = 0.0  # perf_counter() at which the current run would have begun

    @property
    def done(self) -> bool:
        """True when the planned steps or seconds are used up."""
        out_of_steps = self.steps is not None and self.step >= self.steps
        out_of_time = self.max_seconds is not None and self.seconds > self.max_seconds
        return out_of_steps or out_of_time

    def run(self, steps: int | None = None) -> History:
        """Train ``steps`` more steps (default: to the end of the plan); return the history.

        Ctrl-C (the notebook's stop button) ends the run cleanly: the model keeps what it has
        learned, the history so far is returned with ``interrupted=True``, and a later
        ``run`` goes on from there.
        """
        if steps is not None:
            positive_int(steps, "steps")
        if self.done:
            print(
                f"This Trainer has done its whole plan ({self.step} steps). Make a new "
                "Trainer (or call L.train) to train further."
            )
            return self.history
        stop_at = self._stop_at(steps)
        plot = self.live_plot if isinstance(self.live_plot, LivePlot) else None
        if plot is None and self.live_plot:
            plot = LivePlot()
        if plot is not None:
            plot.restart()  # this run's picture goes below this run's cell
        bar = self._progress_bar(stop_at)
        self._begun = time.perf_counter() - self.seconds  # as if earlier runs happened just now
        self.history.interrupted = False  # about this run only
        self.model.train()
        try:
            if not self.history.steps:
                self.record(bar, plot)  # the loss before any training
            elif plot is not None:
                plot.update(self.history)
            while stop_at is None or self.step < stop_at:
                self.training_step()
                bar.update(1)
                if self.step % self.eval_every == 0 or self.step == stop_at or self.done:
                    self.record(bar, plot)
                if self.done:
                    break
        except KeyboardInterrupt:
            self._stopped_by_hand(bar, plot)
        finally:
            self.seconds = time.perf_counter() - self._begun
            bar.close()
            self.model.eval()
        return self.history

    def training_step(self) -> float:
        """One optimisation step on a fresh random batch; returns its training loss.

        Set the learning rate from the schedule, forward, backward, clip the gradient norm,
        update the weights.
        """
        elapsed = time.perf_counter() - self._begun
        time_used = None if self.steps else elapsed / self.max_seconds  # the cosine's progress
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(
                self.step, self.steps, self.lr, self.schedule, self.warmup, time_used
            )
        x, y = get_batch(self.train_data, self.block_size, self.batch_size, self.generator)
        with torch.autocast(  # the forward pass in bfloat16 where that is safe
            self.device.type, dtype=torch.bfloat16, enabled=self.mixed_precision
        ):
            _, loss = self.model(x.to(self.device), y.to(self.device))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip is not None:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip, foreach=self.foreach)
        self.optimizer.step()
        self.step += 1
        self.seconds = time.perf_counter() - self._begun
        return loss.item()

    def record(self, bar=None, plot: LivePlot | None = None) -> None:
        """Measure both splits on fixed windows and append one entry to the history."""
        # measure first, then append all four: an interrupted evaluation leaves no half entry
        args = (self.block_size, self.batch_size, self.eval_batches)
        train_loss = estimate_loss(self.model, self.train_data, *args)
        val_loss = estimate_loss(self.model, self.val_data, *args)
        self.history.steps.append(self.step)
        self.history.train_loss.append(train_loss)
        self.history.val_loss.append(val_loss)
        self.history.seconds.append(time.perf_counter() - self._begun)
        if bar is not None:
            bar.set_postfix(val_loss=f"{val_loss:.3f}")
        if plot is not None:
            plot.update(self.history)

    def _stop_at(self, steps: int | None) -> int | None:
        """The step at which this run ends (None: when the time budget is used up)."""
        stop_at = None if steps is None else self.step + steps
        if self.steps is not None:
            stop_at = self.steps if stop_at is None else min(stop_at, self.steps)
        return stop_at

    def _progress_bar(self, stop_at: int | None):
        # tqdm's notebook bar ignores TQDM_DISABLE, which the test run sets: honour it here
        quiet = not self.progress or os.environ.get("TQDM_DISABLE", "") not in ("", "0")
        total = None if stop_at is None else stop_at - self.step
        return tqdm(total=total, desc="training", disable=quiet)

    def _stopped_by_hand(self, bar, plot: LivePlot | None) -> None:
        """Ctrl-C: keep the model, measure where it stands (unless stopped again), say so."""
        self.history.interrupted = True
        if not self.history.steps or self.history.steps[-1] != self.step:
            try:
                self.record(bar, plot)
            except KeyboardInterrupt:
                pass
        print(
            f"Training stopped at step {self.step} of {self.steps or 'a time budget'}. "
            f"The model keeps what it learned; the history holds {len(self.history)} "
            "evaluations."
        )


def _check_options(
    model, steps, max_seconds, batch_size, block_size, lr, weight_decay, schedule,
    warmup, grad_clip, eval_every, eval_batches, seed, mixed_precision, progress, live_plot
) -> None:  # fmt: skip
    """Raise a clear error for the first option of :class:`Trainer` that cannot be right."""
    check_model(model)
    if steps is None and max_seconds is None:
        raise ValueError("Give steps, max_seconds, or both (steps=None trains for max_seconds).")
    if steps is not None:
        positive_int(steps, "steps")
    if max_seconds is not None:  # 0 with steps: one step, then stop
        bound = dict(minimum=0) if steps is not None else dict(above=0)
        number(max_seconds, "max_seconds (the time budget, e.g. 60)", **bound)
    positive_int(batch_size, "batch_size")
    if block_size is not None:
        positive_int(block_size, "block_size (None: the model's)")
    number(lr, "lr (the learning rate, e.g. 1e-3)", minimum=0)  # 0: a run that learns nothing
    number(weight_decay, "weight_decay (e.g. 0.1; 0: none)", minimum=0)
    one_of(schedule, SCHEDULES, "schedule")
    positive_int(warmup, "warmup (steps of linear warm-up; 0: none)", minimum=0)
    if grad_clip is not None:
        number(grad_clip, "grad_clip (the largest gradient norm; None: none)", above=0)
    if eval_every is not None:
        positive_int(eval_every, "eval_every (None: 10 evaluations in all)")
    positive_int(eval_batches, "eval_batches")
    positive_int(seed, "seed", minimum=0)
    if mixed_precision is not None:
        boolean(mixed_precision, "mixed_precision (None: on for CUDA)")
    boolean(progress, "progress")
    if not isinstance(live_plot, LivePlot):
        boolean(live_plot, "live_plot (or an L.LivePlot)")


def train(
    model: nn.Module,
    train_data,
    val_data,
    *,
    steps: int | None = 1000,
    batch_size: int = 32,
    block_size: int | None = None,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    schedule: str = "constant",
    warmup: int = 0,
    grad_clip: float | None = 1.0,
    eval_every: int | None = None,
    eval_batches: int = 10,
    max_seconds: float | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    mixed_precision: bool | None = None,
    progress: bool = True,
    live_plot: bool | LivePlot = False,
) -> History:
    """Train ``model`` with AdamW on random windows of ``train_data``; return the History.

    * ``train_data`` / ``val_data``: 1-D sequences of token ids (lists or tensors).
    * ``steps`` (default 1000), ``batch_size`` (32), ``lr`` (1e-3), ``weight_decay`` (0),
      ``grad_clip`` (1.0), ``seed`` (0), ``device`` (the best available).
    * ``block_size``: window length; defaults to ``model.block_size`` or 32.
    * ``schedule``: ``"constant"`` or ``"cosine"`` (decays to lr/10 by the last step), after
      ``warmup`` steps of linear warm-up.
    * Evaluates every ``eval_every`` steps (default: 10 times in all) on ``eval_batches`` fixed
      windows of both splits; ``max_seconds`` ends training early when the time is up.
    * ``steps=None`` with ``max_seconds``: train for that much wall-clock time, with the
      cosine schedule fitted to the time budget (evaluations every ``eval_every`` steps,
      default 250).
    * ``mixed_precision``: bfloat16 autocast; by default on for CUDA and off elsewhere (on
      small CPU models the casts cost more than they save).
    * ``progress``: a progress bar; ``live_plot=True`` redraws the loss curves in the notebook
      at every evaluation; ``live_plot=L.LivePlot(floors=..., unit=...)`` adds reference lines.
    * Ctrl-C (the notebook's stop button) ends training cleanly: the model keeps what it has
      learned and the history so far is returned, with ``interrupted=True``.

    To train in several cells, use :class:`Trainer` and call its ``run`` in each.
    """
    options = dict(
        steps=steps,
        batch_size=batch_size,
        block_size=block_size,
        lr=lr,
        weight_decay=weight_decay,
        schedule=schedule,
        warmup=warmup,
        grad_clip=grad_clip,
        eval_every=eval_every,
        eval_batches=eval_batches,
        max_seconds=max_seconds,
        seed=seed,
        device=device,
        mixed_precision=mixed_precision,
        progress=progress,
        live_plot=live_plot,
    )
    return Trainer(model, train_data, val_data, **options).run()
