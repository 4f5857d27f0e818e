"""Greedy decoding and beam search, written in the open (chapter 08).

A sequence model gives the log-probability of every next token after a prefix. The most
probable *sequence* is what a translator wants, but trying every sequence costs ``V^T``.

* **Greedy** keeps one prefix and always appends the single most probable token. A token
  that looks best now can lead to a poor sequence later, and greedy cannot go back.
* **Beam search** keeps the ``beam_size`` most probable prefixes. Each step, every prefix
  is extended by every token, and the best ``beam_size`` of all the extensions stay. A
  prefix that ends in ``eos`` is finished and set aside; the beam is one narrower for each
  such prefix from then on (Hugging Face and fairseq take the best ``2 * beam_size``
  extensions, so that ``beam_size`` prefixes stay open). The search stops when no prefix is
  left, or when the best finished sequence is more probable than every prefix still open
  (adding tokens only lowers a log-probability, so no open prefix can catch up)::

      score(y_1 .. y_t) = log p(y_1) + log p(y_2 | y_1) + ... + log p(y_t | y_1 .. y_{t-1})

``beam_size=1`` is greedy decoding. Every token adds a negative log-probability, so a plain
sum prefers short outputs. **Length normalisation** ranks finished sequences by
``score / n ** length_penalty`` instead, ``n`` the number of tokens written (``eos``
included): 0 is the plain sum, 1 the average log-probability per token (Wu et al., 2016, use a
similar power of the length, with 0.6 to 0.7).

A worked example: a table of next-token probabilities over ``bos`` (0), ``eos`` (1), a (2)
and b (3). Greedy takes a (0.5), then b, then eos: 0.5 * 0.4 * 0.9 = 0.18. Two beams also
keep b, and b then eos is 0.4 * 0.9 = 0.36::

>>> import torch
>>> table = torch.tensor([[0.0, 0.1, 0.5, 0.4],    # after bos (0): a 0.5, b 0.4
...                       [0.0, 1.0, 0.0, 0.0],    # after eos: nothing (never used)
...                       [0.0, 0.3, 0.3, 0.4],    # after a: b 0.4, eos 0.3, a 0.3
...                       [0.0, 0.9, 0.05, 0.05]]) # after b: eos 0.9
>>> step = lambda prefixes: table[prefixes[:, -1]].log()
>>> [(tokens, round(lp, 3)) for tokens, lp in beam_search(step, 0, 1, beam_size=1)]
[([2, 3], -1.715)]
>>> beam_search(step, 0, 1, beam_size=2)[0][0]
[3]
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .._checks import is_int, positive_int

NextLogProbs = Callable[[torch.Tensor], torch.Tensor]
"""``next_log_probs(prefixes)``: prefixes (K, t) token ids -> (K, V) log-probabilities."""


def beam_search(
    next_log_probs: NextLogProbs,
    bos: int,
    eos: int,
    beam_size: int = 4,
    max_len: int = 32,
    length_penalty: float = 0.0,
) -> list[tuple[list[int], float]]:
    """The ``beam_size`` best sequences found, best first: ``[(tokens, log_prob)]``.

    Every sequence starts after ``bos``; ``tokens`` leaves out ``bos`` and ``eos``. A
    sequence that reaches ``max_len`` tokens without ``eos`` is returned unfinished. "Best"
    is the highest ``log_prob / n ** length_penalty`` (``n`` tokens, ``eos`` included);
    ``log_prob`` itself is returned.
    """
    _check_arguments(next_log_probs, bos, eos, beam_size, max_len, length_penalty)

    def ranked(hyp: tuple[list[int], float]) -> float:  # higher is better
        return hyp[1] / max(len(hyp[0]) - 1, 1) ** length_penalty

    open_beams = [([bos], 0.0)]  # (prefix with bos, log-probability so far)
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        prefixes = torch.tensor([prefix for prefix, _ in open_beams])  # (K, t)
        log_probs = _checked(next_log_probs(prefixes), len(open_beams))  # (K, V)
        extended = _best_extensions(open_beams, log_probs, beam_size)  # exercise 1 of ch. 08
        # finished extensions leave the beam, which then shrinks: fewer than beam_size stay open
        open_beams = [(prefix, score) for prefix, score in extended if prefix[-1] != eos]
        finished += [(prefix, score) for prefix, score in extended if prefix[-1] == eos]
        finished = sorted(finished, key=ranked, reverse=True)[:beam_size]
        # Stop when no open prefix can overtake the worst kept finished one. An open prefix's
        # rank is score / n ** length_penalty: its score only falls as tokens are added, and
        # n grows to max_len at most, so score / max_len ** length_penalty is the best rank
        # it can still reach (with length_penalty 0 that is just its score).
        if not open_beams or (
            len(finished) == beam_size
            and ranked(finished[-1]) >= max(s for _, s in open_beams) / max_len**length_penalty
        ):
            break
    best = sorted(finished + open_beams, key=ranked, reverse=True)[:beam_size]
    return [([t for t in prefix[1:] if t != eos], score) for prefix, score in best]


def _best_extensions(
    beams: list[tuple[list[int], float]], log_probs: torch.Tensor, beam_size: int
) -> list[tuple[list[int], float]]:
    """Every beam ``(prefix, score)`` extended by every token of its row of ``log_probs``
    (K, V), the new score the old plus the token's log-probability; the ``beam_size`` best of
    all extensions, best first."""
    scores = torch.tensor([score for _, score in beams])[:, None] + log_probs  # (K, V)
    flat = scores.flatten()  # (K * V,)
    best = flat.topk(min(beam_size, flat.numel())).indices  # the best extensions of all beams
    out = []
    for index in best.tolist():
        beam, token = divmod(index, scores.shape[1])
        out.append((beams[beam][0] + [token], flat[index].item()))
    return out


def _check_arguments(next_log_probs, bos, eos, beam_size, max_len, length_penalty) -> None:
    positive_int(beam_size, "beam_size")
    positive_int(max_len, "max_len")
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, int | float):
        raise TypeError(f"length_penalty must be a number (0 to 2), got {length_penalty!r}.")
    if not 0 <= length_penalty <= 2:
        raise ValueError(
            "length_penalty must be in [0, 2] (0: plain sum, 1: per token), "
            f"got {length_penalty!r}."
        )
    if not callable(next_log_probs) or not (is_int(bos) and is_int(eos)):
        raise TypeError(
            "beam_search needs next_log_probs, a function prefixes (K, t) -> (K, V) "
            f"log-probabilities, and token ids bos and eos (ints); got {next_log_probs!r:.60}, "
            f"bos={bos!r}, eos={eos!r}."
        )


def _checked(log_probs, K: int) -> torch.Tensor:
    """``log_probs`` if it is a (K, V) tensor of log-probabilities: every value <= 0 or -inf
    (a NaN, a +inf or a raw logit above 0 would make the search's answer meaningless)."""
    shape = tuple(log_probs.shape) if isinstance(log_probs, torch.Tensor) else log_probs
    if not isinstance(log_probs, torch.Tensor) or log_probs.dim() != 2 or len(log_probs) != K:
        raise ValueError(
            f"next_log_probs must return (K, V) log-probabilities for K = {K} prefixes, "
            f"got {shape!r:.60}."
        )
    if not bool((log_probs <= 1e-4).all()):  # one pass: False for NaN, +inf and above 0
        nan = bool(log_probs.isnan().any())
        worst = "NaN" if nan else f"{log_probs.max().item():.3g}"
        raise ValueError(
            f"next_log_probs returned {worst}: it must return log-probabilities, all <= 0 "
            "(-inf for an impossible token), never NaN. From logits return "
            "logits.log_softmax(-1), from probabilities probs.log()."
        )
    return log_probs


def greedy_decode(
    next_log_probs: NextLogProbs, bos: int, eos: int, max_len: int = 32
) -> tuple[list[int], float]:
    """The greedy sequence and its log-probability: beam search with one beam."""
    return beam_search(next_log_probs, bos, eos, beam_size=1, max_len=max_len)[0]
