"""What training costs: compute in FLOPs and an energy estimate (chapter 09).

A transformer with N parameters does about 2·N multiply-adds' worth of floating-point
operations per token going forward and twice that going back, so training on D tokens costs

    C ≈ 6 · N · D   FLOPs                      (Kaplan et al. 2020, section 2.1)

(the attention scores add 6·n_layer·T·n_embd per token, small while the window T is short
next to 2·n_embd). Energy is power times time; ``energy_kwh`` needs a power draw you state.

    >>> training_flops(1_000_000, 2_000_000)
    12000000000000.0
    >>> round(energy_kwh(3600, watts=1000), 3)   # one kilowatt for one hour
    1.0
"""

from __future__ import annotations

# Published figures, each with its source, for scale:
GPT3_PARAMETERS = 175e9  # Brown et al. 2020, "Language Models are Few-Shot Learners"
GPT3_TOKENS = 300e9  # ibid.: tokens seen in training
GPT3_FLOPS = 3.14e23  # ibid., table D.1 (about 6 · 175e9 · 300e9)
GPT3_ENERGY_MWH = 1287  # Patterson et al. 2021, "Carbon Emissions and Large Neural Network
# Training", table 4: an estimate for the training run, not a meter reading


def training_flops(parameters: float, tokens: float) -> float:
    """Training compute 6·N·D in FLOPs for ``parameters`` N and ``tokens`` D seen."""
    if parameters <= 0 or tokens <= 0:
        raise ValueError(
            f"parameters and tokens must be positive, got {parameters!r} and {tokens!r}."
        )
    return 6.0 * parameters * tokens


def tokens_seen(steps: int, batch_size: int, block_size: int) -> int:
    """Tokens a run trains on: every position of every window of every step predicts one."""
    return steps * batch_size * block_size


def energy_kwh(seconds: float, watts: float) -> float:
    """Energy in kilowatt-hours of drawing ``watts`` for ``seconds``: an estimate, as good as
    the stated power draw."""
    if seconds < 0 or watts <= 0:
        raise ValueError(f"need seconds >= 0 and watts > 0, got {seconds!r} and {watts!r}.")
    return watts * seconds / 3.6e6
