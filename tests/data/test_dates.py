"""The date pairs: every pair says the same date twice, checked without the generator's code."""

import collections
import datetime
import re

import pytest

from lessons_lib.data import dates as D

# How to read each English form back, with the standard library's parser (not the generator).
PARSE = {
    "month_day_year": "%B %d, %Y",
    "day_month_year": "%d %B %Y",
    "abbreviated": "%b %d, %Y",
    "iso": "%Y-%m-%d",
}


def parse_english(text: str, form: str) -> datetime.date:
    if form == "ordinal":
        match = re.fullmatch(r"the (\d{1,2})(st|nd|rd|th) of ([A-Z][a-z]+), (\d{4})", text)
        assert match, text
        day, suffix, month, year = match.groups()
        expected = {"1": "st", "2": "nd", "3": "rd"}.get(day[-1], "th")
        if day in ("11", "12", "13"):
            expected = "th"
        assert suffix == expected, text
        return datetime.datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
    return datetime.datetime.strptime(text, PARSE[form]).date()


def parse_chinese(text: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})年([1-9]\d?)月([1-9]\d?)日", text)
    assert match, text
    return datetime.date(*map(int, match.groups()))


@pytest.mark.parametrize("split", D.SPLITS)
def test_every_pair_says_the_same_date_in_both_languages(split):
    pairs = D.date_pairs(3000, seed=7, split=split)
    for english, chinese, form in pairs:
        date = parse_english(english, form)
        assert date == parse_chinese(chinese), (english, chinese)
        assert D.YEARS[0] <= date.year <= D.YEARS[1]
        assert D.is_held_out(date) == (split == "test")
    forms = collections.Counter(form for *_, form in pairs)
    assert set(forms) == set(D.FORMS) and min(forms.values()) > 450  # each about 600


def test_the_listed_examples():
    day = datetime.date(2021, 3, 5)
    written = [D.english_date(day, form) for form in D.FORMS]
    assert written == [
        "March 5, 2021",
        "5 March 2021",
        "Mar 5, 2021",
        "2021-03-05",
        "the 5th of March, 2021",
    ]
    assert D.chinese_date(day) == "2021年3月5日"
    assert D.english_date(datetime.date(1999, 12, 22), "ordinal") == "the 22nd of December, 1999"


def test_the_splits_do_not_share_a_date_and_cover_the_calendar():
    train = set(D.random_dates(4000, seed=0, split="train"))
    test = set(D.random_dates(1000, seed=0, split="test"))
    assert not train & test
    for side in (train, test):
        assert {d.month for d in side} == set(range(1, 13))
        assert {d.day for d in side} == set(range(1, 32))
        assert min(d.year for d in side) < 1620 and max(d.year for d in side) > 2080


def test_pairs_are_seeded_and_the_dates_do_not_depend_on_the_forms():
    assert D.date_pairs(50, seed=3) == D.date_pairs(50, seed=3)
    assert D.date_pairs(50, seed=3) != D.date_pairs(50, seed=4)
    iso = [chinese for _, chinese, _ in D.date_pairs(50, seed=3, forms=("iso",))]
    mixed = [chinese for _, chinese, _ in D.date_pairs(50, seed=3)]
    assert iso == mixed


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: D.date_pairs(3, forms=("roman",)), "Unknown form .roman.; choose one of"),
        (lambda: D.date_pairs(3, forms="iso"), "non-empty tuple"),
        (lambda: D.date_pairs(-1), "n must be an int >= 0"),
        (lambda: D.random_dates(3, split="dev"), "Unknown split .dev.; choose one of"),
    ],
)
def test_bad_arguments_say_what_to_pass(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("function", [D.english_date, D.chinese_date])
def test_a_date_must_be_a_datetime_date(function):
    args = ("2020-05-01", "iso") if function is D.english_date else ("2020-05-01",)
    with pytest.raises(TypeError, match=r"date must be a datetime.date, got '2020-05-01'.*Fix"):
        function(*args)
