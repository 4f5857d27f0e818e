"""Chapter 10's exercises: the bytes of training state, the micro-batch of a data-parallel
plan, and the speed-up Amdahl's law allows."""

from __future__ import annotations

from . import exercise, returned


def training_state_bytes(n_params: int) -> int:
    """Bytes that training with Adam in float32 keeps per model: weights, gradients and
    Adam's two moments, 4 bytes each per parameter (activations not counted)."""
    return n_params * (4 + 4 + 4 + 4)


def micro_batch_size(global_batch: int, world_size: int, accumulate: int) -> int:
    """Windows in one forward pass of one rank; a ValueError when the plan does not split."""
    if global_batch % (world_size * accumulate):
        raise ValueError(
            f"{global_batch} windows do not split over {world_size} ranks x {accumulate} "
            "micro-steps"
        )
    return global_batch // (world_size * accumulate)


def amdahl_speedup(parallel_share: float, workers: int) -> float:
    """How much faster ``workers`` make a job whose ``parallel_share`` (0 to 1) parallelises."""
    return 1.0 / ((1.0 - parallel_share) + parallel_share / workers)


@exercise("training_state_bytes", solution=training_state_bytes)
def check_training_state_bytes(answer) -> str:
    for n in (10, 1000, 124_439_808):
        got = returned(answer(n))
        want = training_state_bytes(n)
        if got == want:
            continue
        hints = {
            4 * n: "that is the weights alone: training also keeps gradients and Adam's moments",
            8 * n: "weights and gradients: Adam adds two moments per parameter (m and v)",
            12 * n: "one piece is missing: weights, gradients, and Adam's *two* moments",
            20 * n: "in float32 training the weights are the master copy: no extra copy to count",
            128 * n: "that is bits: a float32 is 4 bytes",
            16: "multiply by the number of parameters",
        }
        hint = hints.get(got)
        if hint is None and isinstance(got, (int, float)) and got in (want / 1e9, want / 2**30):
            hint = "return bytes, not gigabytes"
        raise AssertionError(
            f"{n:,} parameters: expected {want:,} bytes, got {got!r}"
            + (f". {hint[0].upper()}{hint[1:]}" if hint else "")
        )
    return "correct: 16 bytes a parameter, 2 GB for GPT-2 before a single activation"


@exercise("micro_batch_size", solution=micro_batch_size)
def check_micro_batch_size(answer) -> str:
    for plan in ((32, 1, 2), (32, 2, 1), (32, 2, 4), (96, 3, 2), (8, 8, 1)):
        got, want = returned(answer(*plan)), micro_batch_size(*plan)
        b, n, k = plan
        if got != want:
            hint = " Divide by the ranks *and* the micro-steps." if got in (b // n, b // k) else ""
            raise AssertionError(
                f"global batch {b}, {n} ranks, {k} micro-steps: expected {want}, got {got!r}.{hint}"
            )
        if not isinstance(got, int):
            raise AssertionError(
                f"a forward pass runs on a whole number of windows: return an int (use //), "
                f"got {got!r}"
            )
    try:
        got = answer(30, 2, 4)
    except ValueError:
        return "correct: B / (N x K) windows per pass, and a clear error when they do not split"
    raise AssertionError(
        f"30 windows over 2 ranks x 4 micro-steps do not split evenly: raise a ValueError "
        f"(you returned {got!r}; the ranks would train on different amounts)"
    )


@exercise("amdahl_speedup", solution=amdahl_speedup)
def check_amdahl_speedup(answer) -> str:
    for share, workers in ((1.0, 8), (0.0, 8), (0.9, 2), (0.9, 1000), (0.5, 4)):
        got, want = returned(answer(share, workers)), amdahl_speedup(share, workers)
        if abs(float(got) - want) > 1e-9:
            hint = ""
            if abs(float(got) - workers * share) < 1e-9 or abs(float(got) - workers) < 1e-9:
                hint = " The serial part runs at the old speed whatever the number of workers."
            elif abs(float(got) - 1 / want) < 1e-9:
                hint = " That is the new time as a share of the old; the speed-up is its inverse."
            raise AssertionError(
                f"share {share}, {workers} workers: expected {want:.3f}, got {got!r}.{hint}"
            )
    return "correct: with 10% serial work, a thousand workers give less than 10x"
