"""Open-book question answering: find the right story, then read the answer in it (chapter 08).

The reader of :mod:`lessons_lib.apps.reader` needs to be handed the story. Here it must first
find it among many, as DrQA (Chen et al., 2017) finds a Wikipedia paragraph and then reads
it: **retrieve, then read**::

    question -> MiniLM (chapter 07) -> a unit vector q (384,)
    every story -> MiniLM -> unit vectors S (N, 384), computed once
    scores = S @ q  (cosine similarities)  -> the top-k stories
    the reader reads the best story -> the answer

**The collection** (:func:`make_collection`) is built so that a question has exactly one
right story: every story has people of its own (two by default), dealt out of the 200 names
without replacement (so at most 100 stories of two, or 200 of one), and the questions are
the *Where is X?* ones, about every person of every story. Objects are shared by all
stories (there are only 8), so a *Where is the apple?* question would name no story: those
are left to the reader handed its story. The stories are held-out ones (the test split),
never seen in the reader's training.

A story's vector is the average of all its words, so one name is a small part of it: with
``unit="sentence"`` every sentence gets its own vector and a story scores as its best
sentence (more vectors to compute, a sharper match). Measured on 100 stories of two people
(200 questions, 2 CPU threads): embedding takes about 1.5 s either way (100 story vectors or
666 sentence vectors); recall@1 / recall@5 are 0.925 / 0.98 by story and 1.0 / 1.0 by
sentence; with the default reader, end-to-end exact match is 0.93 by story (every miss a
retrieval miss: the person is named in one sentence of a story about someone else) and 1.0
by sentence.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import torch

from .._checks import one_of, positive_int
from .._checks import seed as check_seed
from ..data.stories import QAExample, stories_with_own_people

UNITS = ("story", "sentence")
"""What gets one vector: a whole story (its sentences joined), or each sentence."""


@dataclass
class Collection:
    """Stories to search and questions about them, each with the index of its story."""

    stories: list[list[str]]  # each story, a list of sentences
    questions: list[QAExample]  # "Where is X?", X one of the story's own people
    story_of: list[int]  # questions[i] is about stories[story_of[i]]


def make_collection(n_stories: int = 100, seed: int = 0, people: int = 2) -> Collection:
    """``n_stories`` held-out stories with ``people`` people of their own, and the question
    about each person (``people * n_stories`` questions; see the module docstring).
    ``n_stories * people`` can be at most 200, the number of names."""
    groups = stories_with_own_people(n_stories, seed=seed, split="test", people=people)
    questions = [q for group in groups for q in group]
    story_of = [i for i, group in enumerate(groups) for _ in group]
    return Collection([group[0].sentences for group in groups], questions, story_of)


def misspell_names(collection: Collection, seed: int = 0) -> Collection:
    """The same stories, with every question's name misspelled: two neighbouring letters of
    it swapped (``Where is Fatima?`` -> ``Where is Fatiam?``), as a hurried user types.

    A keyword retriever matches whole words, so a misspelled name matches nothing; a
    sentence encoder reads word pieces and may still come close."""
    if not isinstance(collection, Collection):
        raise TypeError(
            f"collection must be a Collection (from make_collection), got {collection!r:.60}."
        )
    rng = random.Random(check_seed(seed))
    questions = []
    for q in collection.questions:
        name = q.question.removeprefix("Where is ").removesuffix("?")
        places = [i for i in range(2, len(name)) if name[i - 1] != name[i]]  # keep the initial
        i = rng.choice(places or [1])  # swap letters i - 1 and i, never two equal ones
        typo = name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
        questions.append(replace(q, question=f"Where is {typo}?"))
    return Collection(collection.stories, questions, list(collection.story_of))


class StoryIndex:
    """Every story as MiniLM vectors; :meth:`retrieve` finds the closest to a question.

    With ``unit="story"`` a story is embedded as its sentences joined by spaces; with
    ``unit="sentence"`` each sentence is, and a story's score is its best sentence's. Vectors
    come from chapter 07's ``embed_sentences`` (mean-pooled, unit length), so a dot product is
    a cosine similarity. Pass ``model`` and ``tokenizer`` (from ``load_minilm()``) or neither,
    to use the one ``embed_sentences`` keeps loaded.
    """

    def __init__(self, stories: list[list[str]], model=None, tokenizer=None, unit: str = "story"):
        from ..pretrained.minilm import embed_sentences

        check_stories(stories)
        self.stories = [list(story) for story in stories]
        self.unit = one_of(unit, UNITS, "unit")
        self._embed = lambda texts: embed_sentences(texts, model, tokenizer)
        if unit == "story":
            texts, owner = [" ".join(story) for story in self.stories], range(len(stories))
        else:
            texts = [sentence for story in self.stories for sentence in story]
            owner = [i for i, story in enumerate(self.stories) for _ in story]
        self.vectors = self._embed(texts)  # (M, 384): M stories or sentences
        self.owner = torch.tensor(list(owner))  # (M,): the story of each vector

    def __len__(self) -> int:
        return len(self.stories)

    def retrieve(self, questions: str | list[str], k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
        """The ``k`` best stories for each question, best first: ``(indices, scores)``.

        Both are (Q, k), Q the number of questions; a single question string gives (k,).
        ``scores`` are cosine similarities, in [-1, 1].
        """
        batch, one = question_batch(questions, k, len(self))
        if not batch:
            return torch.zeros(0, k, dtype=torch.long), torch.zeros(0, k)
        q = self._embed(list(batch))  # (Q, 384), unit length
        scores = q @ self.vectors.T  # (Q, M): cosine of every question with every vector
        best = torch.full((len(batch), len(self)), -2.0)  # (Q, N), below any cosine
        best = best.scatter_reduce(1, self.owner.expand_as(scores), scores, reduce="amax")
        top = best.topk(k, dim=1)  # (Q, k), sorted, best first
        if one:
            return top.indices[0], top.values[0]
        return top.indices, top.values


def recall_at_k(
    index: StoryIndex, collection: Collection, ks: tuple[int, ...] = (1, 5)
) -> dict[int, float]:
    """For each k, the share of questions whose right story is among the top k retrieved.
    ``ks``: the k's (one int is taken as one k)."""
    ks = (ks,) if isinstance(ks, int) else ks
    if not isinstance(ks, list | tuple | range) or not ks:
        raise ValueError(f"ks must be a tuple of positive ints, e.g. (1, 5); got {ks!r}.")
    for k in ks:
        positive_int(k, "each k in ks")
    found, _ = index.retrieve([q.question for q in collection.questions], k=max(ks))  # (Q, K)
    right = torch.tensor(collection.story_of)[:, None]  # (Q, 1)
    return {k: (found[:, :k] == right).any(dim=1).float().mean().item() for k in ks}


@dataclass
class Miss:
    """A question the open-book system got wrong, and why."""

    question: str
    answer: str  # the right answer
    got: str  # what the system answered
    right_story: int  # the index of the story the question is about
    read_story: int  # the story the system read (the top-1 retrieved)
    why: str  # "retrieval" (it read a wrong story) or "reading" (right story, wrong answer)


def open_book_exact_match(reader, index: StoryIndex, collection: Collection) -> dict:
    """Retrieve the top story of every question, read the answer in it, score it.

    Returns ``{"exact_match", "right_story", "recall@1", "misses"}``: the end-to-end share of
    right answers; the reader's share when handed the right story (the ceiling retrieval
    leaves it); the share of questions whose top story is the right one; and a
    :class:`Miss` for every wrong answer.
    """
    from .reader import read_answers

    questions = [q.question for q in collection.questions]
    top, _ = index.retrieve(questions, k=1)  # (Q, 1)
    read = top[:, 0].tolist()
    got = read_answers(
        reader, [(index.stories[i], q) for i, q in zip(read, questions, strict=True)]
    )
    given = read_answers(reader, collection.questions)  # handed the right story
    misses = []
    for q, g, i, j in zip(collection.questions, got, read, collection.story_of, strict=True):
        if g != q.answer:
            misses.append(Miss(q.question, q.answer, g, j, i, "retrieval" if i != j else "reading"))
    n = max(len(questions), 1)
    return {
        "exact_match": 1 - len(misses) / n,
        "right_story": sum(c == q.answer for c, q in zip(given, collection.questions, strict=True))
        / n,
        "recall@1": sum(i == j for i, j in zip(read, collection.story_of, strict=True)) / n,
        "misses": misses,
    }


def question_batch(questions, k: int, stories: int) -> tuple[list[str], bool]:
    """``questions`` (one string or a list of them) as a list, and whether it was one string;
    checks that ``k`` is a whole number from 1 to ``stories`` (a retriever's ``retrieve``)."""
    one = isinstance(questions, str)
    batch = [questions] if one else questions
    if not isinstance(batch, list | tuple) or not all(isinstance(q, str) for q in batch):
        raise TypeError("questions must be a string or a list of strings.")
    positive_int(k, "k")
    if k > stories:
        raise ValueError(f"k = {k}, but the index holds only {stories} stories.")
    return list(batch), one


def check_stories(stories) -> None:
    """Raise a clear error unless ``stories`` is a non-empty list of stories (lists of
    sentences), the input of both retrievers' constructors."""
    if not isinstance(stories, list | tuple) or not stories:
        raise ValueError("stories must be a non-empty list of stories (lists of sentences).")
    for story in stories:
        if not isinstance(story, list | tuple) or not all(isinstance(s, str) for s in story):
            raise TypeError(
                "Each story must be a list of sentences, e.g. ['Mary went to the garden.'],"
                f" got {story!r:.60}."
            )
