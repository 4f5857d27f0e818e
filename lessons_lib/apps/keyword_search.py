"""Keyword search with BM25: the baseline of chapter 08's retrieval.

Before dense vectors (chapter 07's MiniLM), search engines matched **words**. A document
scores high for a query when it holds the query's words, the more of them the better, and
rare words count far more than common ones. **BM25** (Robertson et al., 1994, the ranking of
Okapi; still the default of Lucene and Elasticsearch) writes that down. For a query word
``t`` and a document ``d`` of ``|d|`` words::

    idf(t)    = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))   N documents, n_t of them hold t
    score(d)  = sum over the query's words t of
                idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avg|d|))

``tf(t, d)`` counts ``t`` in ``d``. The fraction grows with ``tf`` but saturates (``k1``:
the third "apple" adds less than the first), and ``b`` scales it down for long documents,
which hold many words by chance. A word in no document adds 0; one in every document adds
little (its idf is near 0). DrQA's retriever (Chen et al., 2017) was of this family: TF-IDF
over words and hashed word pairs. This one scores single words, with Lucene's idf.

:class:`KeywordIndex` has :class:`~lessons_lib.apps.open_book.StoryIndex`'s interface
(``stories``, ``retrieve``, ``len``), so ``recall_at_k`` and ``open_book_exact_match`` take
either.

>>> index = KeywordIndex([["Mary went to the garden."], ["John went to the office."]])
>>> index.retrieve("Where is John?", k=2)[0].tolist()
[1, 0]
"""

from __future__ import annotations

import math
import re
from collections import Counter

import torch

from .open_book import check_stories, question_batch

_WORD = re.compile(r"[a-z0-9]+")


def keyword_words(text: str) -> list[str]:
    """The words BM25 matches: lower-case runs of letters and digits, in order."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    return _WORD.findall(text.lower())


class KeywordIndex:
    """BM25 over stories (each a list of sentences, joined into one document).

    ``k1`` (>= 0) sets how fast repeats of a word saturate, ``b`` (0 to 1) how much a long
    document is scaled down; 1.2 and 0.75 are the usual defaults.
    """

    def __init__(self, stories: list[list[str]], k1: float = 1.2, b: float = 0.75):
        check_stories(stories)
        for name, value, top in (("k1", k1, math.inf), ("b", b, 1.0)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} must be a number, got {value!r}.")
            if not (math.isfinite(value) and 0 <= value <= top):
                raise ValueError(f"{name} must be in [0, {top}], got {value!r}.")
        self.stories = [list(story) for story in stories]
        self.k1, self.b = float(k1), float(b)
        self.counts = [Counter(keyword_words(" ".join(story))) for story in self.stories]
        self.lengths = torch.tensor([sum(c.values()) for c in self.counts], dtype=torch.float)
        holders = Counter(word for counts in self.counts for word in counts)  # n_t per word
        N = len(self.stories)
        self.idf = {t: math.log(1 + (N - n + 0.5) / (n + 0.5)) for t, n in holders.items()}

    def __len__(self) -> int:
        return len(self.stories)

    def scores(self, question: str) -> torch.Tensor:
        """The BM25 score of every story for ``question``: (N,)."""
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.lengths.mean())  # (N,)
        total = torch.zeros(len(self))  # (N,)
        for word in keyword_words(question):  # a repeated query word counts again
            if word not in self.idf:
                continue  # in no story: adds 0 everywhere
            tf = torch.tensor([float(c[word]) for c in self.counts])  # (N,)
            total += self.idf[word] * tf * (self.k1 + 1) / (tf + norm)
        return total

    def retrieve(self, questions: str | list[str], k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
        """The ``k`` best stories for each question, best first: ``(indices, scores)``, both
        (Q, k), or (k,) for one question string. Ties keep the stories' order."""
        batch, one = question_batch(questions, k, len(self))
        if not batch:
            return torch.zeros(0, k, dtype=torch.long), torch.zeros(0, k)
        scores = torch.stack([self.scores(q) for q in batch])  # (Q, N)
        order = torch.sort(scores, dim=1, descending=True, stable=True).indices  # (Q, N)
        indices = order[:, :k]  # (Q, k): best first, ties in the stories' order
        values = scores.gather(1, indices)  # (Q, k)
        if one:
            return indices[0], values[0]
        return indices, values
