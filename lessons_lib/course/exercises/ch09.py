"""Chapter 09's exercises: take the gender direction out of MiniLM's vectors and measure WEAT
again; score passages by their loss and measure a membership AUC; fit a loss floor by hand and
predict the largest model of the sweep from the other five; read an overfitting curve (early
stopping's step, ties included, and the gap there). Counting a forward pass's FLOPs is in
``ch09_flops.py``."""

from __future__ import annotations

import functools

import numpy as np
import torch

from . import exercise, returned

# Pairs whose difference points from feminine to masculine: their mean is the gender direction
GENDER_PAIRS = [("he", "she"), ("man", "woman"), ("boy", "girl"), ("brother", "sister"),
                ("father", "mother"), ("son", "daughter"), ("king", "queen"),
                ("male", "female"), ("his", "her"), ("himself", "herself")]  # fmt: skip


def remove_direction(vectors: torch.Tensor, direction: torch.Tensor) -> torch.Tensor:
    """Rows of ``vectors`` (n, dim) with their component along ``direction`` (dim,) removed,
    then scaled back to length 1: v − (v · u) u with u = direction / |direction|."""
    u = direction / direction.norm()  # (dim,) unit length
    flat = vectors - (vectors @ u)[:, None] * u[None, :]  # (n, dim) minus (n, 1) · (1, dim)
    return torch.nn.functional.normalize(flat, dim=1)


def membership_scores(model, tokenizer, passages: list[str]) -> torch.Tensor:
    """(N,): the model's mean loss per predicted character on each passage, all of one length.
    Characters 0..T-1 predict 1..T; the lower the score, the likelier a training passage."""
    ids = torch.tensor([tokenizer.encode(p) for p in passages])  # (N, T + 1)
    with torch.no_grad():
        logits, _ = model(ids[:, :-1])  # (N, T, vocab)
    loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), ids[:, 1:], reduction="none")
    return loss.mean(dim=1)  # (N, T) -> (N,)


def fit_with_floor(x, y):
    """(E, A, α) of y ≈ E + A · x^(−α): try floors E on a grid below min(y); for each, fit a
    pure power law to y − E with L.fit_power_law; keep the E whose curve misses y least."""
    from ... import fit_power_law

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    best = None
    for floor in np.linspace(0, y.min(), 1000, endpoint=False):
        law = fit_power_law(x, y - floor)
        miss = ((floor + law(x) - y) ** 2).sum()  # squared error, in units of y
        if best is None or miss < best[0]:
            best = (miss, float(floor), law.prefactor, law.exponent)
    return best[1:]


def early_stopping(steps: list[int], val_loss: list[float], patience: int = 3):
    """(stop, best): walking through the evaluations in order, as training meets them, the
    step where training stops (the evaluation that makes ``patience`` in a row without a new
    lowest validation loss; a tie is no improvement) and the step of the lowest loss seen by
    then, whose weights to keep. A run that never stops stops at its last step."""
    best, waited = 0, 0  # the index of the lowest loss so far; evaluations since it
    for i in range(1, len(val_loss)):
        if val_loss[i] < val_loss[best]:
            best, waited = i, 0
        else:
            waited += 1
            if waited == patience:
                return steps[i], steps[best]
    return steps[-1], steps[best]


# ---------------------------------------------------------------------------- remove_direction
@functools.lru_cache(maxsize=1)
def _minilm_vectors() -> dict[str, torch.Tensor]:
    """MiniLM's unit vectors of the WEAT words and the gender pairs (computed once)."""
    from ... import WEAT_TESTS, embed_sentences, load_minilm

    model, tokenizer = load_minilm()
    words = sorted({w for t in WEAT_TESTS.values() for ws in (t.x, t.y, t.a, t.b) for w in ws}
                   | {w for pair in GENDER_PAIRS for w in pair})  # fmt: skip
    vectors = embed_sentences(words, model, tokenizer)  # (W, 384), unit rows
    return dict(zip(words, vectors, strict=True))


def _weat_d(name: str, change=None) -> float:
    from ... import WEAT_TESTS, effect_size

    vectors = _minilm_vectors()
    test = WEAT_TESTS[name]
    lists = [torch.stack([vectors[w] for w in ws]) for ws in (test.x, test.y, test.a, test.b)]
    return effect_size(*(change(m) if change else m for m in lists))


@exercise("remove_direction", solution=remove_direction)
def check_remove_direction(answer) -> str:
    vectors = torch.tensor([[3.0, 4.0, 0.0], [1.0, 1.0, 1.0], [0.0, 2.0, 2.0]])
    direction = torch.tensor([2.0, 0.0, 0.0])  # not unit length on purpose
    got = torch.as_tensor(returned(answer(vectors.clone(), direction.clone())), dtype=torch.float)
    want = remove_direction(vectors, direction)
    if got.shape != want.shape:
        raise AssertionError(f"expected shape {tuple(want.shape)}, one row per vector, got "
                             f"{tuple(got.shape)}.")  # fmt: skip
    if not torch.allclose(got, want, atol=1e-5):
        hint, u = "", direction / direction.norm()
        unit_rows = torch.allclose(got.norm(dim=1), torch.ones(3), atol=1e-4)
        if unit_rows and got[:, 0].abs().max() > 1e-4:  # some of the direction is still there
            hint = " Make the direction unit length first: u = direction / direction.norm()."
        elif torch.allclose(got, vectors - (vectors @ u)[:, None] * u, atol=1e-4):
            hint = " Scale each row back to length 1 (the vectors are compared by cosine)."
        elif torch.allclose(got, vectors - (vectors @ direction)[:, None] * direction, atol=1e-4):
            hint = " Use the unit direction u, both in v · u and in the (v · u) u you subtract."
        raise AssertionError(f"expected {want.numpy().round(3).tolist()}, got "
                             f"{got.numpy().round(3).tolist()}.{hint}")  # fmt: skip
    vectors = _minilm_vectors()
    he = torch.stack([vectors[m] for m, _ in GENDER_PAIRS])  # (10, 384)
    she = torch.stack([vectors[f] for _, f in GENDER_PAIRS])  # (10, 384)
    gender = (he - she).mean(dim=0)  # (384,)
    neutral = lambda m: torch.as_tensor(answer(m, gender.clone()), dtype=torch.float)  # noqa: E731
    before = {name: _weat_d(name) for name in ("WEAT 1", "WEAT 6", "WEAT 7")}
    after = {name: _weat_d(name, neutral) for name in before}
    moves = ", ".join(f"{n} {before[n]:+.2f} → {after[n]:+.2f}" for n in ("WEAT 6", "WEAT 7"))
    return (f"correct: measured on MiniLM without the he−she direction, {moves}; the "
            f"flowers test, WEAT 1, stays at {after['WEAT 1']:+.2f}")  # fmt: skip


# --------------------------------------------------------------------------- membership_scores
@exercise("membership_scores", solution=membership_scores)
def check_membership_scores(answer) -> str:
    from ... import (
        line_passages,
        load_pretrained,
        membership_auc,
        passage_losses,
        shakespeare,
        train_val_split,
    )

    gpt, chars = load_pretrained()
    train_text, val_text = train_val_split(shakespeare())
    few = line_passages(train_text, length=33, samples=4, seed=1)  # 4 strings of 33 characters
    got = torch.as_tensor(returned(answer(gpt, chars, list(few))), dtype=torch.float).flatten()
    want = passage_losses(gpt, chars, few).float()  # (4,)
    if got.shape != want.shape:
        raise AssertionError(f"return one score per passage, shape {tuple(want.shape)}; got "
                             f"shape {tuple(got.shape)}.")  # fmt: skip
    if not torch.allclose(got, want, atol=1e-4):
        hint = ""
        if torch.allclose(got, want * 32, rtol=1e-3):
            hint = " Average over the 32 predicted characters, not sum: nats per character."
        elif torch.allclose(got, -want, atol=1e-4):
            hint = " The loss is minus the log-probability: positive, lower for likelier text."
        raise AssertionError(f"expected {want.numpy().round(3).tolist()}, got "
                             f"{got.numpy().round(3).tolist()}.{hint} Input characters 0..T-1, "
                             "targets 1..T: the first character is context only.")  # fmt: skip
    seen = line_passages(train_text, length=33, samples=300, seed=1)
    unseen = line_passages(val_text, length=33, samples=300, seed=1)
    auc = membership_auc(answer(gpt, chars, seen), answer(gpt, chars, unseen))
    return (
        f"correct: on 300 + 300 new passages of 33 characters (seed 1), a training passage "
        f"has the lower score in {auc:.0%} of the pairs: AUC {auc:.2f} (0.5: no signal)"
    )


# ------------------------------------------------------------------------------ fit_with_floor
def _sweep() -> tuple[list[float], list[float]]:
    from ... import load_scaling

    sizes = sorted((r for r in load_scaling()["rows"] if r["sweep"] == "size"),
                   key=lambda r: r["non_embedding"])  # fmt: skip
    return [r["non_embedding"] for r in sizes], [r["final_val_loss"] for r in sizes]


@exercise("fit_with_floor", solution=fit_with_floor)
def check_fit_with_floor(answer) -> str:
    from ... import fit_power_law, fit_power_law_with_floor

    x = [1.0, 10.0, 100.0, 1000.0]  # the reducible part stays large: any fine grid finds E
    y = [1.5 + 4.0 * v**-0.5 for v in x]  # E = 1.5, A = 4, α = 0.5 exactly
    got = tuple(float(v) for v in returned(answer(list(x), list(y))))
    if len(got) != 3:
        raise AssertionError(f"return three numbers, (E, A, α); got {len(got)}.")
    if abs(got[0] - 1.5) > 0.01 or abs(got[2] - 0.5) > 0.02:
        hint = ""
        if abs(got[0]) < 1e-9:
            hint = " E = 0 is the pure power law: try floors between 0 and min(y)."
        elif abs(got[2] + 0.5) < 0.02:
            hint = " α is minus the slope: L.fit_power_law's .exponent already is α."
        raise AssertionError(f"on y = 1.5 + 4·x^(−0.5) expected (1.5, 4.0, 0.5), got "
                             f"{tuple(round(v, 3) for v in got)}.{hint}")  # fmt: skip
    n, loss = _sweep()
    floor, prefactor, exponent = (float(v) for v in answer(n, loss))
    reference = fit_power_law_with_floor(n, loss)
    if not (abs(floor - reference.floor) <= 0.02 and abs(exponent - reference.exponent) <= 0.03):
        if floor < 0.01 < reference.floor:
            hint = (" E came out 0: measure each floor's miss as (E + A·x^(−α) − y)², in units "
                    "of the loss, not in logs and not by R² of the log-log line, whose best "
                    "floor is always the lowest.")  # fmt: skip
        else:
            hint = " Is your grid of floors fine enough (hundreds of values from 0 to min(y))?"
        raise AssertionError(
            f"on the scaling sweep expected E ≈ {reference.floor:.2f} and α ≈ "
            f"{reference.exponent:.2f} (L.fit_power_law_with_floor), got E = {floor:.2f}, "
            f"α = {exponent:.2f}.{hint}"
        )
    n, loss = np.array(n, dtype=float), np.array(loss)
    five = answer(list(n[:-1]), list(loss[:-1]))  # fitted without the largest model
    with_floor = float(five[0]) + float(five[1]) * n[-1] ** -float(five[2])
    without = float(fit_power_law(n[:-1], loss[:-1])(n[-1]))
    better = "with" if abs(with_floor - loss[-1]) < abs(without - loss[-1]) else "without"
    return (
        f"correct: fitted to the five smaller sizes only, E + A·N⁻ᵅ predicts the largest "
        f"(N = {n[-1]:,.0f}) at {with_floor:.3f} nats and a pure power law at {without:.3f}; "
        f"it measured {loss[-1]:.3f}: the prediction {better} the floor is closer"
    )


# ------------------------------------------------------------------------------ early_stopping
def _stopping_slip(steps, val_loss, patience, slip):
    """early_stopping with one typical slip: "reset" never resets the wait at a new lowest
    loss; "previous" compares each loss with the one before it, not with the lowest."""
    best, waited = 0, 0
    for i in range(1, len(val_loss)):
        against = val_loss[i - 1] if slip == "previous" else val_loss[best]
        if val_loss[i] < against:
            best = i if val_loss[i] < val_loss[best] else best
            waited = waited if slip == "reset" else 0
        else:
            waited += 1
            if waited == patience:
                return steps[i], steps[best]
    return steps[-1], steps[best]


@exercise("early_stopping", solution=early_stopping)
def check_early_stopping(answer) -> str:
    steps = [0, 100, 200, 300, 400, 500, 600, 700]
    cases = [  # (val_loss, patience)
        ([4.3, 2.5, 2.1, 2.05, 2.2, 2.4, 2.6, 2.0], 3),  # stops at 600; 700's 2.0 comes too late
        ([3.0, 2.25, 2.5, 2.25, 2.6, 2.7, 2.8, 2.9], 2),  # a tie at 100 and 300
        ([4.0, 3.0, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4], 3),  # never stops
        ([3.0, 2.5, 2.6, 2.4, 2.5, 2.45, 2.3, 2.35], 2),  # 2.4 at 300 restarts the wait
    ]
    for val_loss, patience in cases:
        got = tuple(returned(answer(list(steps), list(val_loss), patience)))
        want = early_stopping(steps, val_loss, patience)
        if got == want:
            continue
        hint = ""
        lowest = steps[int(np.argmin(val_loss))]
        if got == early_stopping(steps, val_loss, patience + 1):
            hint = (f" One evaluation too late: stop at the evaluation that makes {patience} "
                    f"in a row without a new lowest loss (waited == patience), not "
                    f"{patience + 1}.")  # fmt: skip
        elif got == _stopping_slip(steps, val_loss, patience, "reset"):
            hint = " Reset the count to 0 at each new lowest loss: the wait starts again there."
        elif got == _stopping_slip(steps, val_loss, patience, "previous"):
            hint = (" Compare each loss with the lowest so far, not with the evaluation before "
                    "it: a small dip after a rise is no new best.")  # fmt: skip
        elif len(got) == 2 and got[1] == lowest != want[1]:
            hint = (" Training cannot see the future: the best step is the lowest loss seen "
                    "by the time it stops, not the lowest of the whole curve.")  # fmt: skip
        elif val_loss[1] == val_loss[3] and got == (500, 300):  # the tie case, tie taken
            hint = (" A tie is no improvement: 2.25 at step 300 does not beat 2.25 at step "
                    "100, so the wait goes on.")  # fmt: skip
        elif len(got) == 2 and got[0] in steps and steps.index(got[0]) == steps.index(want[0]) - 1:
            hint = (f" Stop at the evaluation that makes {patience} in a row without a new "
                    "lowest loss, not one earlier.")  # fmt: skip
        raise AssertionError(f"val_loss {val_loss}, patience {patience}: expected (stop, best) "
                             f"{want}, got {got}.{hint}")  # fmt: skip
    from ...tools.overfitting import load_overfitting

    lines = []
    for run in load_overfitting()["rows"]:  # section 6's six runs, one per remedy
        stop, best = returned(answer(list(run["steps"]), list(run["val_loss"]), 3))
        if (stop, best) != early_stopping(run["steps"], run["val_loss"], 3):
            raise AssertionError(f"on section 6's run {run['remedy']!r} your function gives "
                                 f"{(stop, best)}, expected "
                                 f"{early_stopping(run['steps'], run['val_loss'], 3)}")  # fmt: skip
        kept = run["val_loss"][run["steps"].index(best)]
        saved = 1 - stop / run["steps"][-1]
        lines.append(f"{run['remedy']}: stops at {stop} ({saved:.0%} of the steps saved), keeps "
                     f"{best}, loss {kept:.2f} against the curve's lowest "
                     f"{min(run['val_loss']):.2f}")  # fmt: skip
    return "correct: on section 6's six runs, with patience 3: " + "; ".join(lines)
