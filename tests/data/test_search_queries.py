"""Tests of data.search_queries: chapter 07's search queries and the speeches they target."""

from __future__ import annotations

import pytest

from lessons_lib.data import speeches as module
from lessons_lib.data.search_queries import SEARCH_QUERIES
from lessons_lib.data.speeches import find_speech, play_genres, speeches

WHERE = {  # hand-checked against the markdown: play act.scene, speaker
    "To be, or not to be": "Hamlet 3.1, HAMLET",
    "To-morrow, and to-morrow, and to-morrow": "Macbeth 5.5, MACBETH",
    "Is this a dagger which I see before me": "Macbeth 2.1, MACBETH",
    "wherefore art thou Romeo": "Romeo and Juliet 2.2, JULIET",
    "Friends, Romans, countrymen": "Julius Caesar 3.2, ANTONY",
    "Now is the winter of our discontent": "Richard III 1.1, GLOUCESTER",
    "All the world's a stage": "As You Like It 2.7, JAQUES",
    "The quality of mercy is not strain'd": "The Merchant of Venice 4.1, PORTIA",
    "Once more unto the breach, dear friends": "Henry V 3.1, KING HENRY V",
    "Blow, winds, and crack your cheeks": "King Lear 3.2, KING LEAR",
    "Our revels now are ended": "The Tempest 4.1, PROSPERO",
    "If music be the food of love, play on": "Twelfth Night 1.1, DUKE ORSINO",
}


@pytest.fixture(scope="module")
def one_line_texts() -> list[str]:
    return [s.text.replace("\n", " ") for s in speeches()]


@pytest.mark.parametrize("target", SEARCH_QUERIES, ids=lambda q: q.contains[:24])
def test_every_search_target_is_exactly_one_speech(target, one_line_texts):
    speech = find_speech(target.contains, play=target.play)
    assert speech.where == WHERE[target.contains]
    assert target.contains in speech.text.replace("\n", " ")  # spelt as in this edition
    assert sum(target.contains in text for text in one_line_texts) == 1
    assert speech.n_words >= 20


def test_search_queries_are_in_our_own_words():
    assert len(SEARCH_QUERIES) == len(WHERE) == 12
    for kind in ("query", "summary"):
        texts = [getattr(q, kind) for q in SEARCH_QUERIES]
        assert len(set(texts)) == len(texts)
        for q, text in zip(SEARCH_QUERIES, texts, strict=True):
            assert module._squeeze(q.contains) not in module._squeeze(text), text
            assert len(text.split()) >= 12, text
    assert len({q.play for q in SEARCH_QUERIES}) >= 10
    assert all(q.play in play_genres() for q in SEARCH_QUERIES)
