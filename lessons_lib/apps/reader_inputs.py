"""What the reader of chapter 08 reads: words, ids, and what it is told about each word.

A question and its story become one row of word ids, ``question [SEP] story``::

    >>> enc = encode(["Mary went to the garden."], "Where is Mary?", max_len=32)
    >>> enc.words
    ['Where', 'is', 'Mary', '?', '[SEP]', 'Mary', 'went', 'to', 'the', 'garden', '.']

The vocabulary is the stories' fixed words (:data:`lessons_lib.data.stories.WORDS`) plus
``[PAD]``, ``[SEP]`` and ``[UNK]``; case does not matter and any other word becomes ``[UNK]``
(no crash). Besides its id, each word's vector gets two facts computed from the ids alone, so
they hold for any text: its **place in its sentence** and **how many sentences ago** it was
said (:func:`sentence_positions`), and whether **the question names it** (:func:`in_question`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from ..data.stories import WORDS, QAExample

PAD, SEP, UNK = "[PAD]", "[SEP]", "[UNK]"
ITOS = [PAD, SEP, UNK] + list(dict.fromkeys(w.lower() for w in WORDS))
STOI = {word: i for i, word in enumerate(ITOS)}
PAD_ID, SEP_ID, UNK_ID = 0, 1, 2
MAX_SLOT = 15  # the word and sentence positions stop here (later words share the last one)


def split_words(text: str) -> list[str]:
    """Words and punctuation marks: ``"Where is Mary?"`` -> ``['Where', 'is', 'Mary', '?']``."""
    return re.findall(r"[A-Za-z]+|[^\sA-Za-z]", text)


def word_ids(words: list[str]) -> list[int]:
    """Vocabulary ids, case-insensitive; an unknown word is ``[UNK]``."""
    return [STOI.get(word.lower(), UNK_ID) for word in words]


@dataclass
class Encoded:
    """One (question, story) pair as the reader sees it."""

    words: list[str]  # question words, [SEP], story words (the story cut from the left)
    ids: list[int]  # their vocabulary ids
    sentence: list[int]  # each word's sentence in the story, -1 for the question and [SEP]
    n_question: int  # question words before [SEP]


def encode(sentences: list[str], question: str, max_len: int) -> Encoded:
    """Question + ``[SEP]`` + story; when that is longer than ``max_len`` words, the story's
    oldest words go (the latest facts are the ones a *where is* question needs)."""
    q = split_words(question)[: max_len // 4]
    story, sentence = [], []
    for i, text in enumerate(sentences):
        mine = split_words(text)
        story += mine
        sentence += [i] * len(mine)
    cut = max(0, len(story) - (max_len - len(q) - 1))  # the oldest words that do not fit
    story, sentence = story[cut:], sentence[cut:]
    words = q + [SEP] + story
    ids = word_ids(q) + [SEP_ID] + word_ids(story)
    return Encoded(words, ids, [-1] * (len(q) + 1) + sentence, len(q))


def answer_position(example: QAExample, enc: Encoded) -> int:
    """Where the answer stands: in the latest supporting sentence that contains it."""
    for i in reversed(example.support):
        for t, (word, s) in enumerate(zip(enc.words, enc.sentence, strict=True)):
            if s == i and word == example.answer:
                return t
    raise ValueError(f"{example.answer!r} is not in the supporting sentences {example.support}.")


def sentence_positions(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each word's place in its sentence and how many sentences ago it was said, (B, T) each.

    A sentence ends after ``.``, ``?`` or ``[SEP]``. ``word`` counts from 0 at each sentence's
    first word; ``ago`` is 1 for the story's last sentence, 2 for the one before, ..., and 0
    for the question and ``[SEP]``. Both stop at ``MAX_SLOT``.

    >>> ids = torch.tensor([word_ids("Where is Mary ?".split()) + [SEP_ID] + word_ids(
    ...     "Mary went to the garden . Mary moved to the office .".split())])
    >>> word, ago = sentence_positions(ids)
    >>> word
    tensor([[0, 1, 2, 3, 0, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]])
    >>> ago
    tensor([[0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]])
    """
    B, T = ids.shape
    ends = (ids == STOI["."]) | (ids == STOI["?"]) | (ids == SEP_ID)  # (B, T)
    starts = torch.zeros_like(ends)
    starts[:, 1:] = ends[:, :-1]  # a sentence starts after an end
    t = torch.arange(T, device=ids.device).expand(B, T)  # (B, T)
    first = torch.where(starts, t, torch.zeros_like(t)).cummax(dim=1).values  # sentence start
    word = (t - first).clamp(max=MAX_SLOT)
    number = starts.long().cumsum(dim=1)  # (B, T): 0 for the question, 1 for [SEP], ...
    real = ids != PAD_ID
    last = torch.where(real, number, torch.zeros_like(number)).amax(dim=1, keepdim=True)
    ago = (last - number + 1).clamp(min=0, max=MAX_SLOT)
    ago = ago.masked_fill(~story_mask(ids), 0)  # the question, [SEP] and padding: 0
    return word, ago


def in_question(ids: torch.Tensor) -> torch.Tensor:
    """(B, T) boolean: True on each story word that also occurs in the question.

    DrQA's *exact match* feature (Chen et al., 2017): the reader is told outright which
    words of the story the question names, instead of having to learn to compare them.
    """
    question = (ids == SEP_ID).long().cumsum(dim=1) == 0  # (B, T): before [SEP]
    same = ids[:, :, None] == ids[:, None, :]  # (B, T, T): word t equals word u
    return (same & question[:, None, :]).any(dim=-1) & story_mask(ids)


def story_mask(ids: torch.Tensor) -> torch.Tensor:
    """(B, T) boolean: True on the story's words (after ``[SEP]``, not padding)."""
    after_sep = (ids == SEP_ID).long().cumsum(dim=1) > 0  # (B, T)
    return after_sep & (ids != SEP_ID) & (ids != PAD_ID)


def as_pairs(examples) -> list[tuple[list[str], str]]:
    """QAExamples, one (story, question) pair or a list of pairs -> [(sentences, question)]."""
    if isinstance(examples, QAExample):
        examples = [examples]
    elif isinstance(examples, tuple) and len(examples) == 2 and isinstance(examples[1], str):
        examples = [examples]
    if not isinstance(examples, list | tuple):
        raise TypeError(
            "Pass QAExamples (from qa_examples), a (story, question) pair, or a list of them; "
            f"got {type(examples).__name__}."
        )
    pairs = []
    for item in examples:
        if isinstance(item, QAExample):
            item = (item.sentences, item.question)
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str)):
            raise TypeError(
                f"Each item must be a QAExample or a (story, question) pair, got "
                f"{item!r}; e.g. ('Mary went to the garden.', 'Where is Mary?')."
            )
        story = item[0]
        if isinstance(story, str):  # one entry per sentence
            story = [s.strip() for s in re.findall(r"[^.]+\.?", story) if s.strip()]
        if not isinstance(story, list | tuple) or not all(isinstance(s, str) for s in story):
            raise TypeError(f"A story is a string or a list of sentences, got {story!r}.")
        pairs.append((list(story), item[1]))
    return pairs


def batch(examples, max_len: int) -> tuple[torch.Tensor, list[Encoded]]:
    """Encode and pad: ids (B, T) and each row's :class:`Encoded` (its words and sentences)."""
    encoded = [encode(s, q, max_len) for s, q in as_pairs(examples)]
    T = max([len(e.ids) for e in encoded], default=1)
    ids = torch.tensor([e.ids + [PAD_ID] * (T - len(e.ids)) for e in encoded])
    return ids.reshape(len(encoded), T), encoded
