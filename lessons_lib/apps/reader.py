"""An extractive reader: it answers a question by pointing at words of the story (chapter 08).

SQuAD-style reading comprehension, on chapter 08's generated stories
(:mod:`lessons_lib.data.stories`). The question and the story go in as one sequence of words
(:mod:`lessons_lib.apps.reader_inputs`); a small **bidirectional** transformer (every word
sees every other, as in BERT) gives each word two scores: how likely the answer **starts**
there, and how likely it **ends** there::

    "Where is Mary ? [SEP] Mary went to the kitchen . John ..."  -> ids (B, T)
    -> word + position + "the question names it" vectors (B, T, C) -> blocks -> (B, T, C)
    -> Linear(C, 2) -> start_logits (B, T), end_logits (B, T)
    answer = the words story[s..e] with the best start_logits[s] + end_logits[e], s <= e

Training is cross-entropy on the true start and end positions. The reader can only copy: its
answer is always words of the story, never a word the story lacks.

Two facts about each word make it learn in seconds. **Sentence positions** (the word's place
in its sentence, and how many sentences ago it was said) instead of plain positions 0, 1, 2...:
a *where is* question wants the latest fact. And DrQA's **exact-match flag**: a vector added
to every story word the question names, so the reader need not learn to compare names. Both
can be switched off in :class:`ReaderConfig` to see what they buy: with the default training,
one-fact exact match is 0.99 with both, 0.55 with plain positions, 0.52 without the flag
(seed 0, 1000 held-out questions; always answering the last place scores 0.52).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._checks import is_int, one_of, positive_int
from ..data.stories import KINDS, QAExample
from ..training.fresh_batches import train_on_fresh_batches
from .reader_inputs import (
    ITOS,
    MAX_SLOT,
    PAD_ID,
    answer_position,
    as_pairs,
    batch,
    in_question,
    sentence_positions,
    story_mask,
)
from .translator import EncoderBlock

POSITIONS = ("sentence", "absolute")


@dataclass
class ReaderConfig:
    n_embd: int = 64  # channels of every word's vector
    n_head: int = 4  # attention heads per layer (fewer got stuck on some seeds)
    n_layer: int = 1  # transformer blocks: one is enough for one-fact questions
    max_len: int = 96  # longest input in words (question + [SEP] + story); a longer story is cut
    max_answer: int = 3  # longest answer span in words (every answer here is one word)
    positions: str = "sentence"  # "sentence": word-in-sentence + sentences-ago; or "absolute"
    match_flag: bool = True  # add a learned vector to every story word the question also has
    dropout: float = 0.0  # the stories never run out: no need to regularise


class Reader(nn.Module):
    """``forward(ids, targets=None) -> ((start_logits, end_logits), loss)``.

    ``ids`` (B, T) from :func:`batch`; ``targets`` (B, 2) the answer's start and end
    positions. Logits outside the story (question, ``[SEP]``, padding) are ``-inf``: the
    answer is always in the story.
    """

    def __init__(self, config: ReaderConfig | None = None):
        super().__init__()
        self.config = config = config or ReaderConfig()
        positive_int(config.max_len, "max_len", minimum=8)
        positive_int(config.max_answer, "max_answer")
        self.embedding = nn.Embedding(len(ITOS), config.n_embd)
        one_of(config.positions, POSITIONS, "positions")
        if config.positions == "absolute":
            self.positions = nn.Embedding(config.max_len, config.n_embd)  # t = 0, 1, ...
        else:
            self.word_positions = nn.Embedding(MAX_SLOT + 1, config.n_embd)  # word in sentence
            self.sentence_positions = nn.Embedding(MAX_SLOT + 1, config.n_embd)  # sentences ago
        if config.match_flag:
            self.match = nn.Embedding(2, config.n_embd)  # 1: this story word is in the question
        self.blocks = nn.ModuleList(
            EncoderBlock(config.n_embd, config.n_head, config.dropout)
            for _ in range(config.n_layer)
        )
        self.norm = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, 2)  # a start score and an end score per word

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None):
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.long:
            got = f"{ids.dtype} {tuple(ids.shape)}" if isinstance(ids, torch.Tensor) else ids
            raise ValueError(f"ids must be a (B, T) tensor of token ids (long), got {got}.")
        B, T = ids.shape
        if T > self.config.max_len:
            raise ValueError(
                f"ids have {T} positions; this reader reads at most max_len = "
                f"{self.config.max_len}. Build batches with batch(..., max_len)."
            )
        mask = (ids != PAD_ID)[:, None, None, :]  # (B, 1, 1, T): True where a real word stands
        x = self.embedding(ids)  # (B, T, C)
        if self.config.positions == "absolute":
            x = x + self.positions(torch.arange(T, device=ids.device))  # (T, C), broadcast
        else:
            word, ago = sentence_positions(ids)  # (B, T) each
            x = x + self.word_positions(word) + self.sentence_positions(ago)  # (B, T, C)
        if self.config.match_flag:
            x = x + self.match(in_question(ids).long())  # (B, T, C)
        for block in self.blocks:
            x = block(x, mask)
        logits = self.head(self.norm(x)).masked_fill(~story_mask(ids)[..., None], float("-inf"))
        start_logits, end_logits = logits.unbind(-1)  # (B, T, 2) -> 2 x (B, T)
        if targets is None:
            return (start_logits, end_logits), None
        loss = (
            F.cross_entropy(start_logits, targets[:, 0])
            + F.cross_entropy(end_logits, targets[:, 1])
        ) / 2
        return (start_logits, end_logits), loss

    def attention(self) -> torch.Tensor:
        """The last call's attention weights, one map per layer: (L, B, H, T, T)."""
        return torch.stack([block.attn.attn_weights for block in self.blocks])


def span_from_logits(
    start_logits: torch.Tensor, end_logits: torch.Tensor, max_len: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The best span ``s <= e`` (at most ``max_len`` words) of each row: ``(starts, ends)``.

    A span's score is ``start_logits[s] + end_logits[e]``; all ``T x T`` pairs are scored at
    once and the forbidden ones (end before start, too long) set to ``-inf``::

        >>> span_from_logits(torch.tensor([[0.0, 3.0, 1.0]]), torch.tensor([[4.0, 0.0, 2.0]]))
        (tensor([1]), tensor([2]))

    (the best end alone, position 0, lies before the best start). Shapes: (B, T) -> (B,), (B,).
    """
    for name, x in (("start_logits", start_logits), ("end_logits", end_logits)):
        if not isinstance(x, torch.Tensor) or x.dim() != 2:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name} must be a (B, T) tensor, got {got}; for one row use x[None].")
        if bool((x.isnan() | x.isposinf()).any()):  # -inf is fine: "no answer here"
            raise ValueError(f"{name} holds NaN or +inf: a span needs finite scores (or -inf).")
    if start_logits.shape != end_logits.shape:
        raise ValueError(
            f"start_logits {tuple(start_logits.shape)} and end_logits "
            f"{tuple(end_logits.shape)} must have the same shape (B, T)."
        )
    B, T = start_logits.shape
    max_len = T if max_len is None else positive_int(max_len, "max_len")
    scores = start_logits[:, :, None] + end_logits[:, None, :]  # (B, T_start, T_end)
    s, e = torch.arange(T)[:, None], torch.arange(T)[None, :]  # (T, 1), (1, T)
    allowed = (s <= e) & (e - s < max_len)  # (T, T): end not before start, not too long
    scores = scores.masked_fill(~allowed.to(scores.device), float("-inf"))
    best = scores.flatten(1).argmax(dim=1)  # (B,): index into the T x T grid
    if bool((none := scores.flatten(1).gather(1, best[:, None]).isneginf()).any()):
        raise ValueError(
            f"Row {int(none.nonzero()[0, 0])} has no span with a finite score (every allowed "
            "start or end is -inf): an empty story has no answer to point at."
        )
    return best // T, best % T


@torch.no_grad()
def read_answers(model: Reader, examples) -> list[str]:
    """The reader's answer to each question: words copied from its story."""
    ids, encoded = batch(examples, model.config.max_len)
    if not encoded:
        return []
    was_training = model.training
    model.eval()
    (start_logits, end_logits), _ = model(ids.to(model.head.weight.device))
    starts, ends = span_from_logits(start_logits, end_logits, model.config.max_answer)
    model.train(was_training)
    spans = zip(encoded, starts.tolist(), ends.tolist(), strict=True)
    return [" ".join(e.words[s : t + 1]) for e, s, t in spans]


def reader_exact_match(model: Reader, examples: list[QAExample]) -> dict[str, float]:
    """The share of questions answered exactly, per kind and in ``"all"``."""
    if isinstance(examples, QAExample) or not all(isinstance(e, QAExample) for e in examples):
        raise TypeError(
            "examples must be a list of QAExamples (each knows its answer and kind), e.g. "
            f"L.qa_examples(100, split='test'); got {examples!r:.80}."
        )
    right = [
        got == ex.answer for got, ex in zip(read_answers(model, examples), examples, strict=True)
    ]
    scores = {}
    for kind in KINDS:
        mine = [r for r, ex in zip(right, examples, strict=True) if ex.kind == kind]
        if mine:
            scores[kind] = sum(mine) / len(mine)
    scores["all"] = sum(right) / max(len(right), 1)
    return scores


ATTENTION_FROM = ("question", "answer")


@torch.no_grad()
def support_attention(
    model: Reader, example, layer: int | None = None, source: str = "question"
) -> torch.Tensor:
    """How much attention each sentence of the story gets: (n_sentences,).

    The attention weights of ``source``: the question's words (before ``[SEP]``), averaged
    over them, or the word the reader picks as its answer's start; averaged over heads,
    summed over each sentence's words; of ``layer`` (an index), or averaged over all layers
    when ``layer`` is None. The rest of the mass (at most 1 in all) goes to the question and
    ``[SEP]``. A sentence cut off a long story gets 0. ``example``: a QAExample or a
    ``(story, question)`` pair.
    """
    one_of(source, ATTENTION_FROM, "source")
    (sentences, _), *more = as_pairs(example)
    if more:
        raise ValueError("support_attention reads one example at a time; pass one, not a list.")
    L = model.config.n_layer
    if layer is not None and not (is_int(layer) and -L <= layer < L):
        raise ValueError(
            f"layer must be an int index of the {L} layer(s), from {-L} to {L - 1}, or None for "
            f"their mean; got {layer!r}."
        )
    ids, (enc,) = batch(example, model.config.max_len)
    was_training = model.training
    model.eval()
    (start_logits, _), _ = model(ids.to(model.head.weight.device))
    model.train(was_training)
    maps = model.attention()[:, 0].cpu()  # (L, H, T, T)
    maps = maps.mean(0) if layer is None else maps[layer]  # (H, T, T)
    if source == "question":
        weights = maps[:, : enc.n_question].mean(dim=(0, 1))  # (T,): over heads and words
    else:
        weights = maps[:, int(start_logits[0].argmax())].mean(dim=0)  # (T,): over heads
    sentence = torch.tensor(enc.sentence)  # (T,)
    return torch.stack([weights[sentence == i].sum() for i in range(len(sentences))])


def train_reader(
    model: Reader,
    steps: int = 300,
    batch_size: int = 16,
    lr: float = 5e-3,
    seed: int = 0,
    kinds: tuple[str, ...] = ("person",),
) -> list[float]:
    """Cross-entropy on the answer's start and end, on fresh stories every step; returns the
    loss of each step. Ctrl-C stops training and keeps what was learned.

    Measured with the defaults (``ReaderConfig()``: one block, 4 heads, 64 channels, 68k
    parameters; 300 steps of 16 one-fact questions): 9-10 s on 2 CPU threads
    (``torch.set_num_threads(2)``), 11-12 s on one; exact match on 1000 held-out one-fact
    questions 0.99 (0.97 to 0.99 over seeds 0-4, on 500).

    **Two-fact questions** are trained only when ``kinds`` asks for them, and they are not
    learnt in a notebook's time: with ``kinds=KINDS`` and the same budget, one-fact falls to
    0.86 and two-fact reaches 0.35, below always answering the story's last place (0.38);
    three blocks trained for 5000 steps of 32 (about 11 CPU minutes) reached only about 0.41.
    Chaining the object to its holder and the holder to a place is the hard part.
    """
    from ..data import stories

    positive_int(batch_size, "batch_size")

    def step_loss(step: int) -> torch.Tensor:
        examples = stories.qa_examples(batch_size, seed=seed * 1_000_003 + step, kinds=kinds)
        ids, encoded = batch(examples, model.config.max_len)
        where = [answer_position(ex, enc) for ex, enc in zip(examples, encoded, strict=True)]
        targets = torch.tensor(where)[:, None].repeat(1, 2)  # (B, 2): one-word answers
        device = model.head.weight.device
        return model(ids.to(device), targets.to(device))[1]

    return train_on_fresh_batches(model, step_loss, steps, lr, seed)
