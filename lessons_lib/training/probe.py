"""Linear probes: what a frozen representation knows, measured (chapter 07).

A **linear probe** is the simplest classifier there is, one ``nn.Linear`` layer (logistic
regression), trained on top of features that stay frozen. If it classifies well, the
information was already in the features in a form a straight line can read; the probe adds
almost nothing of its own. Compare it with the same probe on a cheap baseline feature
(:func:`bag_of_characters`) to see what the representation adds.

A GPT has no sentence vector of its own; :func:`gpt_hidden_states` gives its last hidden
states (what the head reads), one vector per position, for a probe to pool.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import finite, number, positive_int, tensor
from ..models.lm import check_model


def bag_of_characters(texts: Sequence[str], alphabet: str | None = None) -> torch.Tensor:
    """How often each character occurs in each text, as a share of its length: (N, |alphabet|).

    ``alphabet`` defaults to every character of ``texts`` (sorted), which is what a baseline
    that knows only spelling habits, not meaning, can use.

    >>> bag_of_characters(["aab", "b"], alphabet="ab")
    tensor([[0.6667, 0.3333],
            [0.0000, 1.0000]])
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings; for one text use [text].")
    texts = list(texts)
    odd = next((t for t in texts if not isinstance(t, str)), None)
    if odd is not None:
        raise TypeError(f"texts must be a list of strings, got {odd!r:.40} among them.")
    if alphabet is not None and not isinstance(alphabet, str):
        raise TypeError(f"alphabet must be a str of characters, got {type(alphabet).__name__}.")
    alphabet = "".join(sorted(set("".join(texts)))) if alphabet is None else alphabet
    column = {c: i for i, c in enumerate(alphabet)}
    features = torch.zeros(len(texts), len(alphabet))
    for row, text in enumerate(texts):
        for char in text:
            if char in column:
                features[row, column[char]] += 1
        features[row] /= max(len(text), 1)
    return features


@torch.no_grad()
def gpt_hidden_states(model: nn.Module, idx: torch.Tensor) -> torch.Tensor:
    """The vectors a GPT's head reads, (B, T, C): the output of its final layer norm.

    Runs the model once on ``idx`` (B, T) and keeps what ``model.norm`` returns (a forward
    hook; the logits are thrown away). Position t has read the tokens 0..t only.

    >>> from lessons_lib.models.gpt import GPT, GPTConfig
    >>> gpt = GPT(GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=4))
    >>> tuple(gpt_hidden_states(gpt, torch.zeros(3, 5, dtype=torch.long)).shape)
    (3, 5, 4)
    """
    check_model(model, "model")
    norm = getattr(model, "norm", None)
    if not isinstance(norm, nn.Module) or not hasattr(model, "blocks"):
        raise TypeError(
            f"model must be a GPT (a final layer norm `norm` before the head), got "
            f"{type(model).__name__}; e.g. gpt, chars = L.load_pretrained()."
        )
    kept = []
    hook = norm.register_forward_hook(lambda module, inputs, output: kept.append(output))
    try:
        model(idx)  # (B, T, vocab) logits, unused; the hook keeps the (B, T, C) before them
    finally:
        hook.remove()
    return kept[-1]


def fit_linear_probe(
    features: torch.Tensor,
    labels: torch.Tensor,
    steps: int = 300,
    lr: float = 0.05,
    weight_decay: float = 1e-4,
    seed: int = 0,
) -> nn.Linear:
    """Logistic regression on frozen ``features`` (N, D) for integer ``labels`` (N,).

    Full-batch AdamW on the cross-entropy for ``steps`` steps; the features are standardised
    first (zero mean, unit variance per column, from the training data), which the returned
    layer folds in, so ``probe(x).argmax(1)`` classifies raw features.
    """
    positive_int(steps, "steps")
    number(lr, "lr (the learning rate, e.g. 0.05)", above=0)
    number(weight_decay, "weight_decay (e.g. 1e-4; 0: none)", minimum=0)
    _check_examples(features, labels)
    if len(features) == 0:
        raise ValueError("features and labels are empty: the probe needs examples to fit.")
    with torch.random.fork_rng():  # a seeded start that leaves the caller's generator alone
        torch.manual_seed(seed)
        probe = nn.Linear(features.shape[1], int(labels.max()) + 1)
    mean, std = features.mean(0), features.std(0).clamp(min=1e-6)
    x = (features - mean) / std  # (N, D), standardised
    optimizer = torch.optim.AdamW(probe.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        loss = F.cross_entropy(probe(x), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    with torch.no_grad():  # fold the standardisation into the layer: W (x - m) / s + b
        probe.weight.div_(std)
        probe.bias.sub_(probe.weight @ mean)
    return probe


def _check_examples(features: object, labels: object) -> None:
    """Raise a clear error unless ``features`` (N, D) are finite floats and ``labels`` (N,)
    are class ids: ints from 0."""
    if (
        tensor(features, "features").dim() != 2
        or tensor(labels, "labels").dim() != 1
        or (len(features) != len(labels))
    ):
        raise ValueError(
            f"features must be (N, D) and labels (N,), got {tuple(features.shape)} and "
            f"{tuple(labels.shape)}."
        )
    if not features.is_floating_point():
        raise TypeError(f"features must be floats, got {features.dtype}: use features.float().")
    try:  # a NaN feature would make every prediction class 0
        finite(features, "features")
    except ValueError as error:
        raise ValueError(f"{error} Drop those rows, or find where they came from.") from None
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise TypeError(
            f"labels must be integer class ids (0, 1, ...), got {labels.dtype}: use "
            "labels.long() if they are whole numbers."
        )
    if len(labels) and int(labels.min()) < 0:
        raise ValueError(f"labels must be class ids >= 0, got {int(labels.min())}.")


@torch.no_grad()
def probe_accuracy(probe: nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of ``features`` whose predicted class is the label."""
    check_model(probe, "probe")
    _check_examples(features, labels)
    if len(labels) == 0:
        raise ValueError("features and labels are empty: there is no accuracy to measure.")
    return (probe(features).argmax(1) == labels).float().mean().item()
