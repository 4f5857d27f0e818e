"""A made-up language whose true entropy rate is known exactly (chapter 01).

On real text nobody knows the lowest loss a model could reach. On a language we invent as a
Markov chain, we can compute it: the *entropy rate*, the floor no model can beat. We can also
compute the floor of a model that sees only the last ``k`` words, so the value of context
becomes a number.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np
import torch

from .._checks import positive_int, tensor
from .._checks import seed as check_seed
from ..parts.softmax import entropy
from ..tokenization.inputs import as_token_ids

_MAX_TABLE = 1_000_000  # entries of the transition table toy_language may build


@dataclass
class MarkovLanguage:
    """Words drawn one at a time; the next word depends on the previous ``order`` words.

    ``transitions`` has shape ``(V,) * order + (V,)``: ``transitions[a, b, c]`` is
    P(next = c | previous two = a, b) for order 2. Rows sum to 1.
    """

    words: list[str]
    order: int
    transitions: torch.Tensor

    def __post_init__(self) -> None:
        positive_int(self.order, "order (how many previous words the next one depends on)")
        V = len(self.words)
        expected = (V,) * (self.order + 1)
        if tuple(tensor(self.transitions, "transitions").shape) != expected:
            raise ValueError(
                f"transitions must have shape {expected} for {V} words and order "
                f"{self.order}, got {tuple(self.transitions.shape)}."
            )
        transitions = self.transitions.double()
        sums = transitions.sum(dim=-1, keepdim=True)
        if not torch.allclose(sums, torch.ones_like(sums)) or bool((transitions < 0).any()):
            raise ValueError("Each row of transitions must be a probability distribution.")
        self.transitions = transitions / sums  # exact in float64, so no mass leaks away

    @property
    def vocab_size(self) -> int:
        return len(self.words)

    def stationary(self) -> torch.Tensor:
        """The long-run probability of each context of ``order`` words, shape ``(V,) * order``.

        Found by running the chain's probabilities forward until they stop changing.
        """
        V, k = self.vocab_size, self.order
        pi = torch.full((V,) * k, 1.0 / V**k, dtype=torch.float64)
        for _ in range(100_000):
            # P(b..., c) = sum over the oldest word a of P(a, b...) * P(c | a, b...)
            new = (pi[..., None] * self.transitions).sum(dim=0)
            if float((new - pi).abs().max()) < 1e-15:
                return new
            pi = new
        raise RuntimeError("The chain did not settle: it may not be irreducible and aperiodic.")

    def block_probs(self) -> torch.Tensor:
        """P(x_1, ..., x_{order+1}) for a window of ``order + 1`` consecutive words."""
        return self.stationary()[..., None] * self.transitions

    def conditional_entropy(self, context: int) -> float:
        """H(next word | previous ``context`` words) in nats: the floor of a model that sees
        ``context`` words. ``context >= order`` gives the entropy rate."""
        positive_int(context, "context (how many previous words the model sees)", minimum=0)
        context = min(context, self.order)
        block = self.block_probs()
        # keep the last context + 1 words of the window; sum out the older ones
        joint = block.sum(dim=tuple(range(self.order - context))) if context < self.order else block
        ctx = joint.sum(dim=-1)
        h_joint = entropy(joint.flatten())  # H(context words, next word)
        return float(h_joint - entropy(ctx.flatten())) if context else float(h_joint)

    def entropy_rate(self) -> float:
        """The lowest achievable loss, in nats per word, for any model of this language."""
        return self.conditional_entropy(self.order)

    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        """``n`` word ids from the chain, started from its long-run distribution."""
        positive_int(n, "n")
        if n < self.order:
            raise ValueError(f"n must be at least order={self.order}, got {n}.")
        rng = np.random.default_rng(seed)
        V, k = self.vocab_size, self.order
        start = rng.choice(V**k, p=self.stationary().flatten().numpy())
        ids = [int(d) for d in np.unravel_index(start, (V,) * k)]
        cumulative = {
            ctx: list(itertools.accumulate(self.transitions[ctx].tolist()))
            for ctx in itertools.product(range(V), repeat=k)
        }
        for u in rng.random(n - k):
            row = cumulative[tuple(ids[-k:])]
            ids.append(min(bisect.bisect_right(row, u * row[-1]), V - 1))
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids) -> str:
        """The words for a sequence of ids, separated by spaces."""
        ids = as_token_ids(ids)
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:  # a negative id would silently pick a word from the end
            raise ValueError(f"ids must be 0..{self.vocab_size - 1} (one per word), got {bad[0]}.")
        return " ".join(self.words[i] for i in ids)


def toy_language(seed: int = 0, words: int = 8, order: int = 2, choices: int = 3) -> MarkovLanguage:
    """A random language over ``words`` made-up words (8) in which the next word depends on
    the previous ``order`` words (2).

    After each context only ``choices`` next words are likely (random weights), and every
    other word keeps a small chance, so the chain never gets stuck.
    """
    syllables = ["ka", "lo", "mi", "nu", "pe", "ri", "su", "to", "va", "ze", "bo", "fu"]
    check_seed(seed)
    positive_int(order, "order (how many previous words the next one depends on)")
    positive_int(words, "words")
    positive_int(choices, "choices")
    if not 2 <= words <= len(syllables) or not choices <= words:
        raise ValueError(
            f"words must be 2..{len(syllables)} and choices 1..words, got words={words} and "
            f"choices={choices}."
        )
    if words ** (order + 1) > _MAX_TABLE:
        raise ValueError(
            f"words={words} and order={order} need a table of {words ** (order + 1):,} "
            f"probabilities (more than {_MAX_TABLE:,}). Use a smaller order or fewer words."
        )
    g = torch.Generator().manual_seed(seed)
    contexts = words**order
    weights = torch.full((contexts, words), 0.01, dtype=torch.float64)
    for row in range(contexts):
        picks = torch.randperm(words, generator=g)[:choices]
        weights[row, picks] += torch.rand(choices, generator=g, dtype=torch.float64) + 0.2
    weights /= weights.sum(dim=1, keepdim=True)
    return MarkovLanguage(syllables[:words], order, weights.view((words,) * (order + 1)))
