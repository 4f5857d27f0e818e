"""An encoder–decoder transformer that translates English dates into Chinese (chapter 08).

The **encoder** reads the whole English text at once: its self-attention is bidirectional,
every character sees every other. The **decoder** writes the Chinese one character at a
time: its self-attention is causal (chapter 06), and its **cross-attention** lets each
output position read the encoder's output, to find where the year, month and day stand::

    source (B, S) -> encoder -> memory (B, S, C)
    target so far (B, T) -> decoder: causal self-attention, cross-attention over memory
                         -> logits (B, T, V_target): the next Chinese character

Training is **teacher forcing**: the decoder gets the true previous characters, so every
position learns at once. Decoding feeds it its own output, greedily or by beam search.
A character the model never saw becomes ``<unk>``; text that is not a date still comes out
as a date, because a date is all this model can write.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import positive_int
from .._checks import text as check_text
from ..data.dates import FORMS, MONTHS
from ..parts.attention import MultiHeadCrossAttention, MultiHeadSelfAttention
from ..parts.feed_forward import FeedForward
from ..training.fresh_batches import train_on_fresh_batches
from .beam_search import beam_search

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SOURCE_CHARS = sorted(set("".join(MONTHS) + "0123456789 ,-thesndrdof"))
TARGET_CHARS = list("0123456789年月日")


class Vocab:
    """Characters <-> ids, with ``<pad>`` = 0 and ``<unk>`` for anything unseen.

    Not chapter 01's ``CharTokenizer``: a translator needs special tokens (padding, start,
    end) and must not stop at a character it never saw, where ``CharTokenizer`` raises.
    """

    def __init__(self, chars: list[str], specials: tuple[str, ...]):
        self.itos = list(specials) + [c for c in chars if c not in specials]
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        unk = self.stoi.get(UNK, 0)
        return [self.stoi.get(char, unk) for char in text]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.itos[i] for i in ids if not self.itos[i].startswith("<"))


SOURCE = Vocab(SOURCE_CHARS, (PAD, UNK))
TARGET = Vocab(TARGET_CHARS, (PAD, BOS, EOS))


@dataclass
class TranslatorConfig:
    n_embd: int = 64  # channels of every position's vector
    n_head: int = 4  # attention heads per layer
    n_layer: int = 2  # blocks in the encoder, and as many in the decoder
    max_source: int = 32  # longest English input (longer text is cut)
    max_target: int = 14  # longest output, <bos> and <eos> included
    dropout: float = 0.0  # the task is clean and endless: no need to regularise


class EncoderBlock(nn.Module):
    """x + bidirectional self-attention(norm(x)), then x + feed-forward(norm(x)).

    The translator's encoder and chapter 08's span reader are stacks of these.
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
        self.attn = MultiHeadSelfAttention(n_embd, n_head, causal=False)
        self.ffn = FeedForward(n_embd, dropout=dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), mask)  # every token sees every real token
        return x + self.ffn(self.norm2(x))


class DecoderBlock(nn.Module):
    """Causal self-attention over the output so far, cross-attention over the input, FFN."""

    def __init__(self, config: TranslatorConfig):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(config.n_embd) for _ in range(3))
        self.attn = MultiHeadSelfAttention(config.n_embd, config.n_head, causal=True)
        self.cross = MultiHeadCrossAttention(config.n_embd, config.n_head)
        self.ffn = FeedForward(config.n_embd, dropout=config.dropout)

    def forward(self, y: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = y + self.attn(self.norm1(y))  # what has been written so far
        y = y + self.cross(self.norm2(y), memory, mask)  # what the English says
        return y + self.ffn(self.norm3(y))


_SOURCE_HOW = "source_batch(texts, model.config.max_source)"
_TARGET_HOW = "target_batch(texts), texts of at most model.config.max_target - 1 characters"


def _check_ids(ids, name: str, most: int, build: str) -> None:
    """A clear error unless ``ids`` is a (B, T) long tensor with T <= ``most`` positions."""
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.long:
        got = f"{ids.dtype} {tuple(ids.shape)}" if isinstance(ids, torch.Tensor) else ids
        raise ValueError(
            f"{name} must be a (B, T) tensor of ids (long), got {got!r:.60}; build it with {build}."
        )
    if ids.shape[1] > most:
        raise ValueError(
            f"{name} has {ids.shape[1]} positions, but this translator reads at most {most}: "
            f"build it with {build}."
        )


class Translator(nn.Module):
    """``forward(source, target_in, targets=None) -> (logits, loss)``; ``translate(texts)``."""

    def __init__(self, config: TranslatorConfig | None = None):
        super().__init__()
        self.config = config = config or TranslatorConfig()
        C = config.n_embd
        self.source_embedding = nn.Embedding(len(SOURCE), C)
        self.source_positions = nn.Embedding(config.max_source, C)
        self.target_embedding = nn.Embedding(len(TARGET), C)
        self.target_positions = nn.Embedding(config.max_target, C)
        self.encoder = nn.ModuleList(
            EncoderBlock(C, config.n_head, config.dropout) for _ in range(config.n_layer)
        )
        self.decoder = nn.ModuleList(DecoderBlock(config) for _ in range(config.n_layer))
        self.norm = nn.LayerNorm(C)
        self.head = nn.Linear(C, len(TARGET))

    def encode(self, source: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """source (B, S) ids -> memory (B, S, C) and the padding mask (B, 1, 1, S)."""
        _check_ids(source, "source", self.config.max_source, _SOURCE_HOW)
        mask = (source != 0)[:, None, None, :]  # True where a real character stands
        positions = torch.arange(source.shape[1], device=source.device)
        x = self.source_embedding(source) + self.source_positions(positions)  # (B, S, C)
        for block in self.encoder:
            x = block(x, mask)
        return x, mask

    def decode(self, target_in: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor):
        """target_in (B, T) ids, starting with <bos> -> logits (B, T, V_target)."""
        _check_ids(target_in, "target_in", self.config.max_target, _TARGET_HOW)
        positions = torch.arange(target_in.shape[1], device=target_in.device)
        y = self.target_embedding(target_in) + self.target_positions(positions)  # (B, T, C)
        for block in self.decoder:
            y = block(y, memory, mask)
        return self.head(self.norm(y))

    def forward(self, source, target_in, targets=None):
        memory, mask = self.encode(source)
        logits = self.decode(target_in, memory, mask)  # (B, T, V)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=0)
        return logits, loss

    def cross_attention(self) -> torch.Tensor:
        """The last call's cross-attention weights, one map per layer: (L, B, H, T, S)."""
        return torch.stack([block.cross.attn_weights for block in self.decoder])

    @torch.no_grad()
    def translate(
        self, texts: str | list[str], beam_size: int = 1, length_penalty: float = 0.0
    ) -> str | list[str]:
        """Chinese for each English date (a string for a string, a list for a list); with
        ``beam_size > 1`` by beam search (``length_penalty``: see ``beam_search``)."""
        one = isinstance(texts, str)
        batch = [texts] if one else texts
        if not isinstance(batch, list | tuple) or not all(isinstance(t, str) for t in batch):
            raise TypeError("translate needs a string or a list of strings, e.g. ['May 1, 2020'].")
        positive_int(beam_size, "beam_size")
        was_training = self.training
        self.eval()
        if beam_size == 1:
            out = self._greedy(batch)
        else:
            out = [self.beams(t, beam_size, length_penalty)[0][0] for t in batch]
        self.train(was_training)
        return out[0] if one else out

    def _greedy(self, texts: list[str]) -> list[str]:
        """Greedy decoding of the whole batch at once: the most probable next character."""
        if not texts:
            return []
        memory, mask = self.encode(source_batch(texts, self.config.max_source))
        bos, eos = TARGET.stoi[BOS], TARGET.stoi[EOS]
        prefixes = torch.full((len(texts), 1), bos)  # (B, 1)
        done = torch.zeros(len(texts), dtype=torch.bool)
        for _ in range(self.config.max_target - 1):
            token = self.decode(prefixes, memory, mask)[:, -1].argmax(-1)  # (B,)
            token = token.masked_fill(done, 0)  # a finished text gets padding
            prefixes = torch.cat([prefixes, token[:, None]], dim=1)  # (B, t + 1)
            done |= token == eos
            if done.all():
                break
        return [TARGET.decode(row[1:].tolist()) for row in prefixes]

    @torch.no_grad()
    def beams(
        self, text: str, beam_size: int = 4, length_penalty: float = 0.0
    ) -> list[tuple[str, float]]:
        """Beam search for one text: the ``beam_size`` best ``(chinese, log_prob)``, best first.

        ``beams(text, 1)`` is the greedy translation with its log-probability.
        """
        positive_int(beam_size, "beam_size")
        memory, mask = self.encode(source_batch([check_text(text, "text")], self.config.max_source))

        def next_log_probs(prefixes: torch.Tensor) -> torch.Tensor:
            K = prefixes.shape[0]
            logits = self.decode(prefixes, memory.expand(K, -1, -1), mask.expand(K, -1, -1, -1))
            return logits[:, -1].log_softmax(-1)  # (K, V)

        found = beam_search(
            next_log_probs, TARGET.stoi[BOS], TARGET.stoi[EOS], beam_size,
            self.config.max_target - 1, length_penalty,
        )  # fmt: skip
        return [(TARGET.decode(tokens), log_prob) for tokens, log_prob in found]


def _texts(texts, name: str, example: str) -> list[str]:
    """``texts`` if it is a non-empty list (or tuple) of strings; else a clear error."""
    if isinstance(texts, str) or not isinstance(texts, list | tuple):
        got = f"{texts!r:.40}" if isinstance(texts, str) else type(texts).__name__
        raise TypeError(f"{name} must be a list of strings, e.g. [{example!r}]; got {got}.")
    if not texts:
        raise ValueError(f"{name} is empty: give at least one text, e.g. [{example!r}].")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(text).__name__} {text!r:.40}.")
    return list(texts)


def source_batch(texts: list[str], max_source: int) -> torch.Tensor:
    """English texts -> (B, S) ids, padded with 0, each cut to ``max_source`` characters."""
    positive_int(max_source, "max_source")  # 0 would leave nothing but padding
    ids = [SOURCE.encode(text)[:max_source] for text in _texts(texts, "texts", "May 1, 2020")]
    S = max(1, max(len(i) for i in ids))
    return torch.tensor([i + [0] * (S - len(i)) for i in ids])


def target_batch(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Chinese texts -> decoder input ``<bos> y`` and targets ``y <eos>``, both (B, T).

    The target vocabulary is digits, 年, 月 and 日, without ``<unk>``: a text with any other
    character is refused (as padding it would silently drop out of the loss)."""
    for i, text in enumerate(_texts(texts, "texts", "2020年5月1日")):
        if unknown := [char for char in text if char not in TARGET_CHARS]:
            raise ValueError(
                f"texts[{i}] = {text!r} has {unknown[0]!r}, which the translator cannot write: "
                f"a target uses only {''.join(TARGET_CHARS)}. Fix or drop that text."
            )
    ids = [TARGET.encode(text) for text in texts]
    T = max(len(i) for i in ids) + 1
    bos, eos = TARGET.stoi[BOS], TARGET.stoi[EOS]
    target_in = [[bos] + i + [0] * (T - 1 - len(i)) for i in ids]
    targets = [i + [eos] + [0] * (T - 1 - len(i)) for i in ids]
    return torch.tensor(target_in), torch.tensor(targets)


def translation_exact_match(
    model: Translator, pairs, beam_size: int = 1, length_penalty: float = 0.0
) -> dict[str, float]:
    """The share of ``(english, chinese, form)`` pairs (as ``date_pairs`` gives them)
    translated exactly, per form and in all; ``(english, chinese)`` pairs count in "all"."""
    if not isinstance(pairs, list | tuple):
        raise TypeError(f"pairs must be a list, e.g. L.date_pairs(100), got {pairs!r:.60}.")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, list | tuple) and len(pair) in (2, 3)):
            raise TypeError(
                f"pairs[{i}] must be an (english, chinese, form) triple, as L.date_pairs gives, "
                f"or an (english, chinese) pair; got {pair!r:.60}."
            )
    got = model.translate([pair[0] for pair in pairs], beam_size, length_penalty)
    right = [g == pair[1] for g, pair in zip(got, pairs, strict=True)]
    scores = {}
    for form in FORMS:
        mine = [r for r, pair in zip(right, pairs, strict=True) if tuple(pair[2:3]) == (form,)]
        if mine:
            scores[form] = sum(mine) / len(mine)
    scores["all"] = sum(right) / max(len(right), 1)
    return scores


def train_translator(
    model: Translator,
    steps: int = 600,
    batch_size: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
) -> list[float]:
    """Teacher-forced training on fresh date pairs every step; returns the loss of each step.

    Every batch is new (the generator never runs out), so there is nothing to overfit. Ctrl-C
    stops training and keeps what was learned.
    """
    from ..data.dates import date_pairs

    positive_int(batch_size, "batch_size")

    def step_loss(step: int) -> torch.Tensor:
        pairs = date_pairs(batch_size, seed=seed * 1_000_003 + step)
        source = source_batch([e for e, _, _ in pairs], model.config.max_source)
        target_in, targets = target_batch([c for _, c, _ in pairs])
        return model(source, target_in, targets)[1]

    return train_on_fresh_batches(model, step_loss, steps, lr, seed)
