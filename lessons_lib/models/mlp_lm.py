"""An MLP language model: a window of previous characters → the next one (chapter 03).

The model of Bengio et al. (2003), "A Neural Probabilistic Language Model"::

    the last block_size token ids          (B, T, block_size)
      → one embedding vector per token     (B, T, block_size, n_embd)
      → concatenated into one vector       (B, T, block_size * n_embd)
      → n_layer hidden layers (activation) (B, T, n_hidden)
      → logits over the vocabulary         (B, T, vocab_size)

It keeps the course's contract ``forward(idx, targets=None) -> (logits, loss)`` with idx of
shape (B, T), like the bigram before it and the GPT after it, so :func:`lessons_lib.train`
and :func:`lessons_lib.generate` work unchanged.

**Short contexts.** Position ``t`` of a window sees the tokens ``idx[:, :t+1]`` and nothing
after them; position 0 sees one token. The MLP needs exactly ``block_size`` inputs, so each
context is padded on the left with a dedicated padding id, ``vocab_size`` (one extra row of
the embedding table, learned like the others), meaning "nothing is known here". A window of
``T <= block_size`` tokens therefore gives ``T`` predictions with 1, 2, ..., T tokens of real
context, as a GPT does, and :func:`lessons_lib.generate` (which crops the context to the last
``block_size`` tokens) asks for the last one, which sees the whole window.

>>> model = MLPLM(MLPConfig.preset("tiny", vocab_size=10))
>>> logits, loss = model(torch.zeros(2, 8, dtype=torch.long))
>>> tuple(logits.shape), loss
((2, 8, 10), None)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import fraction, one_of, positive_int
from ..parts.activations import activation_module, check_activation
from .lm import check_token_ids, language_model_loss


@dataclass
class MLPConfig:
    """The shape of an :class:`MLPLM`; ``MLPConfig.preset(name, vocab_size)`` gives a named one."""

    vocab_size: int  # how many distinct tokens the model reads and predicts (76 for our text)
    block_size: int = 8  # the window: how many previous tokens each prediction may see
    n_embd: int = 16  # length of each token's embedding vector
    n_hidden: int = 256  # neurons in each hidden layer
    n_layer: int = 1  # how many hidden layers (Linear + activation) between input and output
    activation: str = "tanh"  # "sigmoid", "tanh", "relu" or "gelu"
    dropout: float = 0.0  # fraction of hidden values zeroed at random while training

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_embd", "n_hidden", "n_layer"):
            positive_int(getattr(self, name), f"MLPConfig.{name}")
        check_activation(self.activation)
        fraction(self.dropout, "MLPConfig.dropout")

    @classmethod
    def preset(cls, name: str, vocab_size: int, **overrides) -> MLPConfig:
        """A named configuration (see ``MLP_PRESETS``) for ``vocab_size`` tokens.

        ``overrides`` change single fields: ``MLPConfig.preset("small", 76, dropout=0.2)``.
        """
        one_of(name, MLP_PRESETS, "preset")
        return cls(vocab_size=vocab_size, **{**MLP_PRESETS[name], **overrides})


MLP_PRESETS: dict[str, dict] = {
    # for unit tests and quick experiments: about 2 thousand parameters with 10 tokens
    "tiny": dict(block_size=8, n_embd=4, n_hidden=32, n_layer=1),
    # chapter 03's Shakespeare model: about 55 thousand parameters, trains in seconds on a CPU
    "small": dict(block_size=8, n_embd=16, n_hidden=256, n_layer=1),
    # wider and deeper (about 0.4 million parameters with 76 tokens): for your own experiments
    "wide": dict(block_size=8, n_embd=32, n_hidden=512, n_layer=2),
}
"""Named sizes of :class:`MLPConfig` (everything but ``vocab_size``)."""


class MLPLM(nn.Module):
    """A multi-layer perceptron that predicts the next token from the last ``block_size``.

    ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) with T <= block_size →
    logits (B, T, vocab_size); position t sees ``idx[:, :t+1]``, left-padded (module docs).
    """

    def __init__(self, config: MLPConfig):
        super().__init__()
        if not isinstance(config, MLPConfig):
            raise TypeError(
                f"MLPLM expects an MLPConfig, got {type(config).__name__}: build one with "
                "MLPConfig(vocab_size=...) or MLPConfig.preset('small', vocab_size=...)."
            )
        self.config = config
        self.vocab_size = config.vocab_size
        self.block_size = config.block_size  # L.generate crops to it; L.train's window length
        self.pad_id = config.vocab_size  # the extra embedding row: "no token here"
        self.tok_emb = nn.Embedding(config.vocab_size + 1, config.n_embd)
        layers: list[nn.Module] = []
        width = config.block_size * config.n_embd  # the concatenated window
        for _ in range(config.n_layer):
            layers += [
                nn.Linear(width, config.n_hidden),
                activation_module(config.activation),
                nn.Dropout(config.dropout),
            ]
            width = config.n_hidden
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(width, config.vocab_size)
        with torch.no_grad():  # start close to a uniform guess: first loss ≈ ln(vocab_size)
            self.head.weight.mul_(0.1)
            self.head.bias.zero_()

    def context_windows(self, idx: torch.Tensor) -> torch.Tensor:
        """(B, T) ids → (B, T, block_size) windows: row t holds the ids up to and with idx[:, t].

        Missing ids on the left (t < block_size - 1) are ``pad_id``.
        """
        check_token_ids(idx, self.vocab_size)
        B, T = idx.shape
        if T == 0:
            raise ValueError("idx has no tokens (T = 0): pass at least one token per row.")
        if T > self.block_size:
            raise ValueError(
                f"idx holds {T} tokens per row, but this model sees a window of at most "
                f"block_size={self.block_size}. Keep the last ones (idx[:, -{self.block_size}:]), "
                f"or train and evaluate with block_size={self.block_size} windows "
                f"(L.evaluate(model, ids, block_size={self.block_size}))."
            )
        padded = F.pad(idx, (self.block_size - 1, 0), value=self.pad_id)  # (B, block_size-1+T)
        return padded.unfold(1, self.block_size, 1)  # (B, T, block_size)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        windows = self.context_windows(idx)  # (B, T, block_size)
        B, T, W = windows.shape
        emb = self.tok_emb(windows)  # (B, T, block_size, n_embd)
        x = emb.reshape(B, T, W * self.config.n_embd)  # (B, T, block_size * n_embd): concatenated
        h = self.hidden(x)  # (B, T, n_hidden)
        logits = self.head(h)  # (B, T, vocab_size)
        return logits, language_model_loss(logits, targets)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in asdict(self.config).items())
