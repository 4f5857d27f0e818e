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

import numpy as np

from .._checks import number, positive_int

# Published figures, each with its source, for scale:
GPT3_PARAMETERS = 175e9  # Brown et al. 2020, "Language Models are Few-Shot Learners"
GPT3_TOKENS = 300e9  # ibid.: tokens seen in training
GPT3_FLOPS = 3.14e23  # ibid., table D.1 (about 6 · 175e9 · 300e9)
GPT3_ENERGY_MWH = 1287  # Patterson et al. 2021, "Carbon Emissions and Large Neural Network
# Training", table 4: an estimate for the training run, not a meter reading


def _plain(value: object) -> object:
    """A NumPy scalar as the Python number it holds (``np.int64(3)`` -> 3); else ``value``."""
    return value.item() if isinstance(value, np.generic) else value


def training_flops(parameters: float, tokens: float) -> float:
    """Training compute 6·N·D in FLOPs for ``parameters`` N and ``tokens`` D seen."""
    n = number(_plain(parameters), "parameters (N, e.g. L.count_parameters(model))", above=0)
    d = number(_plain(tokens), "tokens (D, e.g. L.tokens_seen(steps, batch, block))", above=0)
    return 6.0 * n * d


def tokens_seen(steps: int, batch_size: int, block_size: int) -> int:
    """Tokens a run trains on: every position of every window of every step predicts one."""
    steps = positive_int(_plain(steps), "steps (optimisation steps done)", minimum=0)
    batch_size = positive_int(_plain(batch_size), "batch_size (windows per step)")
    block_size = positive_int(_plain(block_size), "block_size (tokens per window)")
    return steps * batch_size * block_size


def energy_kwh(seconds: float, watts: float) -> float:
    """Energy in kilowatt-hours of drawing ``watts`` for ``seconds``: an estimate, as good as
    the stated power draw."""
    seconds = number(_plain(seconds), "seconds (how long it ran)", minimum=0)
    watts = number(_plain(watts), "watts (the power drawn, e.g. 300 for a GPU)", above=0)
    return watts * seconds / 3.6e6
