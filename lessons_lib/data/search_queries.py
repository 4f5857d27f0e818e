"""Queries for chapter 07's semantic search: famous speeches, asked for in modern English.

Each query comes in two kinds, both written for the course (no Shakespeare is quoted):

* ``query``: what the speech *says*, in plain modern English, as a reader who half-remembers
  it might put it;
* ``summary``: what *happens* while it is spoken, the way a plot summary tells it.

Chapter 07 measures how often a sentence-embedding model finds the right speech with each:
embeddings match what a text says far better than what it is about. The search runs over
:func:`search_collection` (the twelve targets first, then speeches picked at random), cut by
:func:`speech_passages`; :func:`target_ranks` says where each query's target came, and
:func:`content_words` is what a keyword search compares.

>>> from lessons_lib.data.speeches import find_speech
>>> q = SEARCH_QUERIES[0]
>>> find_speech(q.contains, play=q.play).where
'Hamlet 3.1, HAMLET'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import torch

from .._checks import is_int, positive_int, tensor
from .._checks import seed as check_seed
from .._checks import text as text_
from .speeches import Speech, find_speech, speeches


class SearchQuery(NamedTuple):
    """Two queries in modern English and the famous speech both should find."""

    query: str  # what the speech says, paraphrased in modern English
    summary: str  # what happens in the scene, as a plot summary would say it
    play: str  # the play's title, as in Speech.play
    contains: str  # a phrase of the speech, as this edition spells it (see find_speech)


SEARCH_QUERIES = (
    SearchQuery(
        "Should I go on living and put up with all the pain life throws at me, or end it "
        "all? Dying would be like falling asleep, except that we fear what dreams might "
        "come after death.",
        "a man asks himself whether to keep putting up with life's troubles or to kill "
        "himself, and is held back only by fear of what comes after death",
        "Hamlet",
        "To be, or not to be",
    ),
    SearchQuery(
        "The days creep past one after another until the end of time. Life is just a "
        "passing shadow, a poor actor on a stage, a story told by a fool that means "
        "nothing.",
        "a grieving ruler says that time just crawls on day after day and that a human "
        "life is empty and means nothing at all",
        "Macbeth",
        "To-morrow, and to-morrow, and to-morrow",
    ),
    SearchQuery(
        "Is that a knife I see floating in front of me, with its handle turned toward my "
        "hand? Or is it only an illusion made by my overheated brain?",
        "a man about to commit a murder sees a knife floating in the air in front of him "
        "and cannot tell whether it is real or a hallucination",
        "Macbeth",
        "Is this a dagger which I see before me",
    ),
    SearchQuery(
        "Why must you be called Romeo? Turn your back on your father and your family "
        "name; or if you won't, swear that you love me and I will give up being a "
        "Capulet.",
        "alone at night, a girl begs the boy she loves to disown his father and give up "
        "his family name, or else she will give up her own",
        "Romeo and Juliet",
        "wherefore art thou Romeo",
    ),
    SearchQuery(
        "Fellow citizens, listen: I am here to bury Caesar, not to speak in his praise. "
        "Brutus tells you Caesar was too ambitious, and Brutus, of course, is a man of "
        "honour.",
        "at a public funeral a man keeps repeating that the murderers are decent men "
        "while slowly stirring the crowd to riot against them",
        "Julius Caesar",
        "Friends, Romans, countrymen",
    ),
    SearchQuery(
        "The war is over and my family rules, so everyone is feasting and dancing; but I "
        "was born misshapen and unfit for love, so I have decided to become a villain.",
        "a bitter, deformed nobleman complains that peacetime has no use for him and "
        "reveals his plot to turn his brothers against each other",
        "Richard III",
        "Now is the winter of our discontent",
    ),
    SearchQuery(
        "The whole world is a theatre and every person an actor who plays seven roles in "
        "turn: the baby, the schoolboy, the lover, the soldier, the judge, the foolish "
        "old man, and second childhood.",
        "a gloomy man describes life as a performance in seven parts, from a crying baby "
        "to a toothless old man",
        "As You Like It",
        "All the world's a stage",
    ),
    SearchQuery(
        "Mercy cannot be forced out of anyone; it falls like soft rain from the sky and "
        "does good both to the person who shows it and to the person who receives it.",
        "a woman disguised as a lawyer urges a moneylender to forgive, saying that "
        "forgiveness blesses both the one who gives it and the one who receives it",
        "The Merchant of Venice",
        "The quality of mercy is not strain'd",
    ),
    SearchQuery(
        "Friends, attack the gap in the wall one more time! In peace a man should be "
        "quiet and gentle, but when war comes, act like a tiger.",
        "a king urges his soldiers to charge again at a gap in the city walls and to "
        "fight like wild animals",
        "Henry V",
        "Once more unto the breach, dear friends",
    ),
    SearchQuery(
        "Winds, blow until you burst; storms and floods, drown the towers; lightning, "
        "burn my white hair. I don't blame the weather: it is not one of my ungrateful "
        "daughters.",
        "an old king out in a violent storm shouts at the wind and the lightning to do "
        "their worst to him",
        "King Lear",
        "Blow, winds, and crack your cheeks",
    ),
    SearchQuery(
        "Our show is finished. The actors were spirits and have vanished into the air, "
        "and in the same way the towers, the palaces and the whole world will dissolve. "
        "Our lives are like dreams that end in sleep.",
        "an old magician stops the spirits' entertainment and reflects that everything, "
        "even the earth itself, will fade away and leave nothing behind",
        "The Tempest",
        "Our revels now are ended",
    ),
    SearchQuery(
        "If music feeds love, keep playing and give me too much of it, so that my hunger "
        "for it grows sick and dies. Play that tune again; it had a falling ending.",
        "a lovesick duke asks for more and more songs, hoping to have so much that his "
        "longing wears itself out",
        "Twelfth Night",
        "If music be the food of love, play on",
    ),
)


def search_collection(n_others: int = 300, seed: int = 0) -> list[Speech]:
    """The speeches chapter 07 searches: the target of ``SEARCH_QUERIES[i]`` at index i, then
    ``n_others`` other speeches of at least 40 words, picked at random with ``seed``, in corpus
    order."""
    positive_int(n_others, "n_others")
    check_seed(seed)
    targets = [find_speech(q.contains, play=q.play) for q in SEARCH_QUERIES]
    others = [s for s in speeches(min_words=40) if s not in targets]
    if n_others > len(others):
        raise ValueError(f"n_others={n_others}, but only {len(others)} other speeches exist.")
    generator = torch.Generator().manual_seed(seed)
    picked = sorted(torch.randperm(len(others), generator=generator)[:n_others].tolist())
    return targets + [others[i] for i in picked]


def speech_passages(
    collection: Sequence[Speech], lines: int = 6, overlap: int = 2
) -> tuple[list[str], torch.Tensor]:
    """Each speech cut into passages of ``lines`` lines, the next starting ``overlap`` lines
    before the last one ends; a short speech is one passage. Returns the passages and
    ``owner`` (P,): the index in ``collection`` of each passage's speech.

    >>> speech = Speech("Hamlet", "tragedies", "HAMLET", 1, 1, "a\\nb\\nc\\nd\\ne\\nf\\ng\\nh")
    >>> speech_passages([speech], lines=4, overlap=1)[0]
    ['a\\nb\\nc\\nd', 'd\\ne\\nf\\ng', 'g\\nh']
    """
    if not isinstance(collection, list | tuple) or not all(
        isinstance(s, Speech) for s in collection
    ):
        raise TypeError(
            "collection must be a list of Speech records, e.g. L.search_collection() or "
            f"L.speeches(plays='Hamlet'); got {type(collection).__name__}."
        )
    positive_int(lines, "lines")
    if not is_int(overlap) or not 0 <= overlap < lines:
        raise ValueError(f"overlap must be an int in [0, lines={lines}), got {overlap!r:.40}.")
    passages, owner = [], []
    for n, speech in enumerate(collection):
        text_lines = speech.text.split("\n")
        for start in range(0, max(len(text_lines) - overlap, 1), lines - overlap):
            passages.append("\n".join(text_lines[start : start + lines]))
            owner.append(n)
    return passages, torch.tensor(owner)


def content_words(text: str) -> set[str]:
    """The distinct words of four letters or more, lower-cased: what a keyword search compares.

    >>> sorted(content_words("To be, or not to be: that is the question."))
    ['question', 'that']
    """
    return {w for w in re.findall(r"[a-z']+", text_(text, "text").lower()) if len(w) >= 4}


def target_ranks(passage_scores: torch.Tensor, owner: torch.Tensor) -> list[int]:
    """Where each query's target came (1 = first), for (Q, P) ``passage_scores``: a speech
    scores as its best passage (``owner`` (P,) names each passage's speech), and the target
    of query q is speech q.

    >>> target_ranks(torch.tensor([[0.9, 0.1, 0.5], [0.9, 0.3, 0.8]]), torch.tensor([0, 1, 1]))
    [1, 2]
    """
    tensor(passage_scores, "passage_scores")
    if tensor(owner, "owner").dim() != 1 or owner.is_floating_point() or not len(owner):
        raise ValueError(f"owner must be a (P,) tensor of speech numbers, got {owner!r:.60}.")
    n_speeches = int(owner.max()) + 1
    if passage_scores.dim() != 2 or passage_scores.shape[1] != len(owner):
        raise ValueError(
            f"passage_scores must be (queries, {len(owner)} passages), got "
            f"{tuple(passage_scores.shape)}."
        )
    speech_scores = torch.stack(  # (Q, N): each speech's best passage
        [passage_scores[:, owner == n].max(dim=1).values for n in range(n_speeches)], dim=1
    )
    order = speech_scores.argsort(dim=1, descending=True, stable=True)  # (Q, N), best first
    return [order[q].tolist().index(q) + 1 for q in range(len(order))]
