"""Chapter 09's exercises: a WEAT effect size by hand, the training compute 6·N·D, and reading
an overfitting curve (early stopping's step and the gap there)."""

from __future__ import annotations

import torch

from . import exercise, returned


def weat_effect_size(X, Y, A, B) -> float:
    """WEAT's d for rows of vectors X, Y (targets) and A, B (attributes), each (n, dim):
    s(w) = mean cos(w, A) − mean cos(w, B); d = (mean s(X) − mean s(Y)) / std s(X ∪ Y)."""
    unit = [torch.nn.functional.normalize(torch.as_tensor(m, dtype=torch.float64), dim=1)
            for m in (X, Y, A, B)]  # fmt: skip
    X, Y, A, B = unit
    s = lambda W: (W @ A.T).mean(1) - (W @ B.T).mean(1)  # noqa: E731  (n,) one score per word
    s_x, s_y = s(X), s(Y)
    return ((s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std(correction=1)).item()


def training_flops(parameters: int, steps: int, batch_size: int, block_size: int) -> float:
    """Training compute 6·N·D: D = steps × batch_size × block_size tokens, each predicted."""
    return 6.0 * parameters * steps * batch_size * block_size


def early_stopping(steps: list[int], train_loss: list[float], val_loss: list[float]):
    """(step, gap): the step with the lowest validation loss, and validation minus train loss
    there."""
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    return steps[best], val_loss[best] - train_loss[best]


# Four target vectors, four attribute vectors (2-D, so the geometry can be drawn on paper)
_X = [[1.0, 0.1], [0.9, 0.3]]
_Y = [[0.2, 1.0], [0.4, 0.8]]
_A = [[1.0, 0.0], [0.8, 0.2]]
_B = [[0.0, 1.0], [0.1, 0.9]]


def _d_variant(X, Y, A, B, cosine: bool, ddof: int) -> float:
    """A typical mistake's d: dot products instead of cosines, or the wrong ddof."""
    if cosine:
        X, Y, A, B = (torch.nn.functional.normalize(m.double(), dim=1) for m in (X, Y, A, B))
    s_x, s_y = ((W @ A.T).mean(1) - (W @ B.T).mean(1) for W in (X, Y))
    return ((s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std(correction=ddof)).item()


@exercise("weat_effect_size", solution=weat_effect_size)
def check_weat_effect_size(answer) -> str:
    cases = [(_X, _Y, _A, _B), ([[2.0, 0.2], [0.3, 0.9]], _Y, _A, _B), (_Y, _X, _A, _B)]
    for X, Y, A, B in cases:
        t = [torch.tensor(m) for m in (X, Y, A, B)]
        got, want = float(returned(answer(*[m.clone() for m in t]))), weat_effect_size(*t)
        if abs(got - want) > 1e-6:
            hint = ""
            if abs(got - _d_variant(*t, cosine=True, ddof=0)) < 1e-6:
                hint = " Use the sample standard deviation (ddof = 1: divide by n − 1)."
            elif abs(got - _d_variant(*t, cosine=False, ddof=1)) < 1e-6:
                hint = " Use cosines, not dot products: normalise each vector to length 1."
            elif abs(got + want) < 1e-6:
                hint = " The sign is mean s(X) − mean s(Y), and s = cos with A − cos with B."
            raise AssertionError(f"expected {want:.4f}, got {got!r}.{hint}")
    return "correct: X leans to A, Y to B, so d is large and positive; swapping X and Y flips it"


@exercise("training_flops", solution=training_flops)
def check_training_flops(answer) -> str:
    for n, steps, batch, block in ((1_000, 10, 4, 8), (113_152, 800, 32, 128)):
        got, want = (
            float(returned(answer(n, steps, batch, block))),
            training_flops(n, steps, batch, block),
        )
        if abs(got - want) > 1e-6 * want:
            hint = ""
            if abs(got - want / 3) < 1e-6 * want:
                hint = " 2·N·D is the forward pass only; the backward pass costs twice that."
            elif abs(got - want / block) < 1e-6 * want or abs(got - want / batch) < 1e-6 * want:
                hint = " Every position of every window predicts a token: D = steps·batch·block."
            raise AssertionError(
                f"N={n}, {steps} steps of {batch} × {block}: expected {want:.4g}, got {got!r}."
                f"{hint}"
            )
    return "correct: chapter 06's 800-step run cost about 2.2e12 FLOPs"


@exercise("early_stopping", solution=early_stopping)
def check_early_stopping(answer) -> str:
    steps = [0, 100, 200, 300, 400, 500]
    train_loss = [4.3, 2.4, 1.9, 1.6, 1.3, 1.1]
    val_loss = [4.3, 2.5, 2.1, 2.05, 2.2, 2.4]
    got = tuple(returned(answer(list(steps), list(train_loss), list(val_loss))))
    want = early_stopping(steps, train_loss, val_loss)
    if len(got) == 2 and got[0] == want[0] and abs(got[1] - want[1]) < 1e-9:
        return "correct: stop at step 300, where validation is 0.45 nats above train"
    hint = ""
    if got and got[0] == 500:
        hint = " The train loss always falls: pick the lowest *validation* loss."
    elif got and got[0] == 3:
        hint = " Return the step (steps[i]), not the index i."
    elif len(got) == 2 and abs(got[1] + want[1]) < 1e-9:
        hint = " The gap is validation minus train, positive when the model overfits."
    raise AssertionError(f"expected {want}, got {got}.{hint}")
