"""English dates and their Chinese form: a translation task made on the spot (chapter 08).

Every pair says one calendar date twice, e.g. ``the 5th of March, 2021`` and ``2021年3月5日``.
Chinese writes the year first, then the month, then the day, each followed by its unit
character (年 year, 月 month, 日 day), so a translator must move the year from the end of
most English forms to the front: real reordering, small enough to learn in seconds::

    >>> day = datetime.date(2021, 3, 5)
    >>> english_date(day, "ordinal"), chinese_date(day)
    ('the 5th of March, 2021', '2021年3月5日')

Held-out dates never appear in training: a date is held out when its day number since
1 January of year 1 (``date.toordinal()``) is a multiple of ``HELD_OUT_EVERY``. Every month,
day and year still occurs on both sides of the split.
"""

from __future__ import annotations

import datetime
import random

from .._checks import one_of, positive_int
from .._checks import seed as check_seed

FORMS = ("month_day_year", "day_month_year", "abbreviated", "iso", "ordinal")
"""The English forms, e.g. ``March 5, 2021`` · ``5 March 2021`` · ``Mar 5, 2021`` ·
``2021-03-05`` · ``the 5th of March, 2021``."""
YEARS = (1600, 2099)
"""The first and last year of the generated dates."""
HELD_OUT_EVERY = 5
"""One date in 5 is held out (see the module docstring)."""
SPLITS = ("train", "test")

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def ordinal_suffix(day: int) -> str:
    """``st``, ``nd``, ``rd`` or ``th``: 1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st.

    >>> [f"{d}{ordinal_suffix(d)}" for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '31st']
    """
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _check_date(date: object) -> datetime.date:
    """``date`` if it is a ``datetime.date``; else a ``TypeError`` that shows how to make one."""
    if not isinstance(date, datetime.date):
        raise TypeError(
            f"date must be a datetime.date, got {date!r}. Fix: datetime.date(2020, 5, 1) "
            "(year, month, day)."
        )
    return date


def english_date(date: datetime.date, form: str) -> str:
    """``date`` written in one of the English ``FORMS``."""
    _check_date(date)
    one_of(form, FORMS, "form")
    month = MONTHS[date.month - 1]
    if form == "month_day_year":
        return f"{month} {date.day}, {date.year}"
    if form == "day_month_year":
        return f"{date.day} {month} {date.year}"
    if form == "abbreviated":
        return f"{month[:3]} {date.day}, {date.year}"
    if form == "iso":
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
    return f"the {date.day}{ordinal_suffix(date.day)} of {month}, {date.year}"


def chinese_date(date: datetime.date) -> str:
    """``date`` in Chinese: year 年, month 月, day 日, with no leading zeros."""
    _check_date(date)
    return f"{date.year}年{date.month}月{date.day}日"


def is_held_out(date: datetime.date) -> bool:
    """Whether ``date`` belongs to the test split (one date in ``HELD_OUT_EVERY``)."""
    return date.toordinal() % HELD_OUT_EVERY == 0


def random_dates(n: int, seed: int = 0, split: str = "train") -> list[datetime.date]:
    """``n`` dates drawn uniformly from ``YEARS``, all from one ``split``, seeded."""
    positive_int(n, "n", minimum=0)
    one_of(split, SPLITS, "split")
    rng = random.Random(seed)
    first = datetime.date(YEARS[0], 1, 1).toordinal()
    last = datetime.date(YEARS[1], 12, 31).toordinal()
    dates = []
    while len(dates) < n:
        date = datetime.date.fromordinal(rng.randint(first, last))
        if is_held_out(date) == (split == "test"):
            dates.append(date)
    return dates


def date_pairs(
    n: int, seed: int = 0, split: str = "train", forms: tuple[str, ...] = FORMS
) -> list[tuple[str, str, str]]:
    """``n`` (english, chinese, form) triples; the form of each is drawn from ``forms``.

    >>> date_pairs(2, seed=1, forms=("iso",))
    [('2008-07-13', '2008年7月13日', 'iso'), ('1645-04-17', '1645年4月17日', 'iso')]
    """
    if isinstance(forms, str) or not forms:
        raise ValueError(f"forms must be a non-empty tuple of names from {FORMS}, got {forms!r}.")
    for form in forms:
        one_of(form, FORMS, "form")
    check_seed(seed)
    rng = random.Random(f"forms-{seed}")  # its own stream: the dates do not depend on forms
    pairs = []
    for date in random_dates(n, seed, split):
        form = rng.choice(forms)
        pairs.append((english_date(date, form), chinese_date(date), form))
    return pairs
