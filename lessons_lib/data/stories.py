"""Short stories of people moving things around, and questions about them (chapter 08).

A bAbI-style task (Weston et al., 2015), generated on the spot: people go from place to place,
pick objects up and drop them, and a question asks where someone or something is::

    >>> ex = qa_examples(1, seed=0)[0]
    >>> for sentence in ex.sentences:
    ...     print(sentence)
    Selma travelled to the bedroom.
    Kofi went back to the hallway.
    Selma moved to the attic.
    Selma journeyed to the hallway.
    Selma went back to the cellar.
    >>> ex.question, ex.answer, ex.kind, ex.support
    ('Where is Selma?', 'cellar', 'person', [4])

Two kinds of question, with the sentences that support the answer (``support``, indices):

- ``"person"``, *Where is Mary?*: one supporting fact, Mary's last move.
- ``"object"``, *Where is the apple?*: two supporting facts. The last sentence that names
  the apple says who last picked it up or dropped it. If that person still holds it, the
  answer is where that person is **now** (their last move); if they dropped it, the answer is
  where they were **when they dropped it** (their last move before the drop), wherever they
  went afterwards.

Every answer is one word, a place, written in the story. A person picks up only an object
that is free where they stand (never seen before, or dropped in that place) and drops only
what they hold; carried objects travel with their holder.

**Held-out stories never appear in training**: a story belongs to the test split when the MD5
hash of its text (the sentences joined by spaces) is 0 modulo ``HELD_OUT_EVERY``, so the
two splits share no story, and every question about a test story is a test question.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from .._checks import one_of, positive_int
from .._checks import seed as check_seed

KINDS = ("person", "object")
"""``"person"``: *Where is Mary?*, one supporting fact; ``"object"``: *Where is the apple?*,
two supporting facts."""
SPLITS = ("train", "test")
HELD_OUT_EVERY = 5
"""One story in 5 is held out (see the module docstring)."""
LENGTHS = (4, 10)
"""The fewest and the most sentences of a story."""

NAMES = tuple(
    """Mary John Sandra Daniel Emily Fred Julie Bill Jeff Yann Greg Brian Lily Bernhard Julius
    Jessica Alice Bob Carol David Eve Frank Grace Henry Irene Jack Karen Leo Mia Nora Oscar Paul
    Quinn Rosa Sam Tina Uma Victor Wendy Xavier Yara Zoe Adam Bella Carl Diana Eric Fiona George
    Hannah Ivan Jane Kevin Laura Mark Nina Owen Peter Rachel Simon Tara Ulrich Vera Walter Yusuf
    Zack Amir Beth Chen Dora Elena Felix Gina Hugo Iris Jonas Kira Liam Maya Noah Olga Pablo Ruth
    Sofia Tom Ursula Vince Wanda Yuki Aaron Basil Clara Dylan Edith Flora Gavin Helen Isaac Joel
    Kate Lucas Mona Nadia Otto Priya Ravi Selma Theo Ugo Viola Wyatt Xena Yosef Zara Abel Bruno
    Cora Dmitri Elsa Farid Gemma Hector Ines Jamal Kofi Lena Milo Nils Opal Piet Rhea Stefan
    Tobias Una Vlad Wren Yves Alma Boris Celia Dario Enzo Fatima Gus Heidi Ida Jorge Kai Lars
    Marta Nico Odile Petra Reza Sven Thea Umar Vivian Anya Bianca Cyrus Dina Emil Freya Gideon
    Hilda Igor Juno Kurt Leila Magnus Nell Oren Pia Rolf Sasha Tessa Uri Vito Willa Aiko Bram
    Chiara Dev Esme Fritz Greta Hamid Ingrid Jude Kenji Lotte Mateo Nour Omar Pilar Rufus Saul
    Tove Axel""".split()
)
"""200 first names; a story has 2 to 4 of them."""
PLACES = ("kitchen", "garden", "hallway", "bathroom", "bedroom", "office", "cellar", "attic")
OBJECTS = ("apple", "football", "milk", "book", "key", "umbrella", "hat", "lamp")
"""A story moves 1 to 3 of these."""
MOVE_VERBS = ("went", "journeyed", "travelled", "moved", "went back")
PICK_VERBS = ("picked up", "grabbed", "took", "got")
DROP_VERBS = ("dropped", "put down", "left", "discarded")
WORDS = tuple(
    dict.fromkeys(
        [*NAMES, *PLACES, *OBJECTS, *" ".join(MOVE_VERBS + PICK_VERBS + DROP_VERBS).split()]
        + ["to", "the", "Where", "is", ".", "?"]
    )
)
"""Every word (and the two punctuation marks) a story or a question is made of."""


@dataclass
class QAExample:
    """One story, one question about it, the answer, and the sentences that support it."""

    sentences: list[str]  # the story, one sentence per entry, e.g. "Mary went to the garden."
    question: str  # "Where is Mary?" or "Where is the apple?"
    answer: str  # one word, a place that occurs in the story
    kind: str  # "person" (one supporting fact) or "object" (two)
    support: list[int]  # indices into sentences of the facts the answer rests on, ascending


def is_held_out(sentences: Sequence[str]) -> bool:
    """Whether a story belongs to the test split (one story in ``HELD_OUT_EVERY``)."""
    digest = hashlib.md5(" ".join(sentences).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % HELD_OUT_EVERY == 0


def tell_story(rng: random.Random, people: Sequence[str], n_sentences: int) -> list[tuple]:
    """A random story as events ``(person, action, thing, sentence)``; ``action`` is
    ``"move"`` (thing = a place), ``"pick"`` or ``"drop"`` (thing = an object).

    Everyone's first sentence is a move (nobody can act before we know where they are).
    """
    objects = rng.sample(OBJECTS, rng.randint(1, 3))
    place: dict[str, str] = {}  # person -> where they are
    holder: dict[str, str] = {}  # object -> who holds it
    lying: dict[str, str] = {}  # object -> the place where it was dropped
    events = []
    while len(events) < n_sentences:
        person = rng.choice(people)
        here = place.get(person)
        free = [o for o in objects if o not in holder and lying.get(o, here) == here]
        held = [o for o in objects if holder.get(o) == person]
        options = ["move"] * 5  # odds 5 : 3 : 2 when everything is possible
        options += ["pick"] * 3 if here and free else []
        options += ["drop"] * 2 if held else []
        action = rng.choice(options)
        if action == "move":
            thing = rng.choice([p for p in PLACES if p != here])
            place[person] = thing
            verb = rng.choice(MOVE_VERBS)
            sentence = f"{person} {verb} to the {thing}."
        elif action == "pick":
            thing = rng.choice(free)
            holder[thing] = person
            lying.pop(thing, None)
            sentence = f"{person} {rng.choice(PICK_VERBS)} the {thing}."
        else:
            thing = rng.choice(held)
            del holder[thing]
            lying[thing] = here
            sentence = f"{person} {rng.choice(DROP_VERBS)} the {thing}."
        events.append((person, action, thing, sentence))
    return events


def questions_about(events: list[tuple]) -> list[QAExample]:
    """Every question the story answers: each person who moved, each object seen."""
    sentences = [sentence for *_, sentence in events]
    last_move: dict[str, int] = {}  # person -> index of their latest move so far
    object_at: dict[str, tuple[str, list[int], str]] = {}  # object -> (answer, support, who)
    for i, (person, action, thing, _) in enumerate(events):
        if action == "move":
            last_move[person] = i
        elif action == "drop":  # where the dropper stood: their last move before the drop
            object_at[thing] = (events[last_move[person]][2], [last_move[person], i], "")
        else:  # held: wherever the holder goes next; filled in below
            object_at[thing] = ("", [i], person)
    out = [
        QAExample(sentences, f"Where is {p}?", events[i][2], "person", [i])
        for p, i in last_move.items()
    ]
    for thing, (answer, support, who) in object_at.items():
        if who:  # still held: the holder's last move, before or after the pick-up
            move = last_move[who]
            answer, support = events[move][2], sorted(support + [move])
        out.append(QAExample(sentences, f"Where is the {thing}?", answer, "object", support))
    return out


def _check_kinds(kinds: object) -> tuple[str, ...]:
    if isinstance(kinds, str) or not isinstance(kinds, Sequence) or not kinds:
        raise ValueError(f"kinds must be a non-empty tuple of names from {KINDS}, got {kinds!r}.")
    for kind in kinds:
        one_of(kind, KINDS, "kind")
    return tuple(kinds)


def qa_examples(
    n: int,
    seed: int = 0,
    split: str = "train",
    kinds: Sequence[str] = KINDS,
    names: Sequence[str] = NAMES,
) -> list[QAExample]:
    """``n`` stories with one question each, all from one ``split``, seeded.

    The kind of each question is drawn evenly from ``kinds``; a story has 4 to 10 sentences,
    2 to 4 people drawn from ``names`` and 1 to 3 objects. The same ``seed`` gives the same
    examples; ``split="test"`` gives held-out stories (see the module docstring).
    """
    positive_int(n, "n", minimum=0)
    check_seed(seed)
    one_of(split, SPLITS, "split")
    kinds = _check_kinds(kinds)
    names = _check_names(names, 2)
    rng = random.Random(f"stories-{seed}")
    examples = []
    kind = rng.choice(kinds)
    while len(examples) < n:
        people = rng.sample(names, rng.randint(2, min(4, len(names))))
        events = tell_story(rng, people, rng.randint(*LENGTHS))
        if is_held_out([sentence for *_, sentence in events]) != (split == "test"):
            continue
        mine = [q for q in questions_about(events) if q.kind == kind]
        if mine:
            examples.append(rng.choice(mine))
            kind = rng.choice(kinds)  # the next example's kind, drawn once: no bias to "person"
    return examples


def _check_names(names: object, fewest: int) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a list of first names, e.g. NAMES[:10], got {names!r}.")
    names = tuple(dict.fromkeys(names))
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise ValueError(
            f"names must come from NAMES (the reader's vocabulary knows only those), got "
            f"{unknown[:3]}; e.g. names=NAMES[:10]."
        )
    if len(names) < fewest:
        raise ValueError(f"names must hold at least {fewest} different names, got {len(names)}.")
    return names


def stories_with_own_people(
    n_stories: int, seed: int = 0, split: str = "test", people: int = 2
) -> list[list[QAExample]]:
    """``n_stories`` stories whose people occur in no other story, each with the *Where is
    X?* question about every one of its ``people`` (chapter 08's open-book collection).

    The names are dealt out of ``NAMES`` without replacement, so a question about a person
    has exactly one right story; ``n_stories * people`` must not exceed ``len(NAMES)``.
    Everyone moves at least once, so every person can be asked about.
    """
    positive_int(n_stories, "n_stories")
    positive_int(people, "people")
    one_of(split, SPLITS, "split")
    if n_stories * people > len(NAMES):
        raise ValueError(
            f"{n_stories} stories of {people} people need {n_stories * people} different "
            f"names, but NAMES has {len(NAMES)}: ask for at most "
            f"{len(NAMES) // people} stories."
        )
    rng = random.Random(f"own-people-{check_seed(seed)}")
    pool = rng.sample(NAMES, n_stories * people)
    stories = []
    while len(stories) < n_stories:
        mine = pool[len(stories) * people : (len(stories) + 1) * people]
        events = tell_story(rng, mine, rng.randint(max(LENGTHS[0], 2 * people), LENGTHS[1]))
        questions = [q for q in questions_about(events) if q.kind == "person"]
        held_out = is_held_out([sentence for *_, sentence in events])
        if len(questions) == people and held_out == (split == "test"):
            stories.append(sorted(questions, key=lambda q: mine.index(q.question[9:-1])))
    return stories
