"""Tests of data.search_queries: chapter 07's search queries and the speeches they target."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.data import speeches as module
from lessons_lib.data.search_queries import (
    SEARCH_QUERIES,
    content_words,
    search_collection,
    speech_passages,
    target_ranks,
)
from lessons_lib.data.speeches import Speech, find_speech, play_genres, speeches

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


# --- the collection chapter 07 searches, its passages, and the ranks --------------------------


def test_the_collection_starts_with_the_twelve_targets_and_is_repeatable():
    collection = search_collection()
    assert len(collection) == len(SEARCH_QUERIES) + 300
    for query, speech in zip(SEARCH_QUERIES, collection, strict=False):
        assert speech == find_speech(query.contains, play=query.play)
    others = collection[len(SEARCH_QUERIES) :]
    assert len(set(map(id, others))) == 300 and not set(others) & set(collection[:12])
    assert all(s.n_words >= 40 for s in others)
    assert search_collection() == collection  # the same seed, the same speeches
    assert search_collection(seed=1) != collection
    assert len(search_collection(n_others=5)) == len(SEARCH_QUERIES) + 5


def test_passages_by_hand():
    text = "\n".join("abcdefgh")  # 8 lines
    speech = Speech("Hamlet", "tragedies", "HAMLET", 1, 1, text)
    short = Speech("Hamlet", "tragedies", "HORATIO", 1, 1, "x\ny")
    passages, owner = speech_passages([speech, short], lines=4, overlap=1)
    assert passages == ["a\nb\nc\nd", "d\ne\nf\ng", "g\nh", "x\ny"]
    assert owner.tolist() == [0, 0, 0, 1]
    passages, owner = speech_passages([speech])  # 6 lines overlapping by 2: starts 0 and 4
    assert passages == ["a\nb\nc\nd\ne\nf", "e\nf\ng\nh"]
    with pytest.raises(ValueError, match="overlap must be an int in"):
        speech_passages([speech], lines=4, overlap=4)


def test_every_line_of_every_speech_is_in_a_passage():
    collection = search_collection(n_others=20)
    passages, owner = speech_passages(collection)
    for n, speech in enumerate(collection):
        lines = {line for p, o in zip(passages, owner.tolist(), strict=True) if o == n
                 for line in p.split("\n")}  # fmt: skip
        assert set(speech.text.split("\n")) == lines


def test_content_words():
    assert content_words("What's in a NAME? That which we call a rose") == {
        "what's",
        "name",
        "that",
        "which",
        "call",
        "rose",
    }
    assert content_words("") == set()


def test_target_ranks_by_hand():
    owner = torch.tensor([0, 0, 1, 2])  # speech 0 has two passages
    scores = torch.tensor(
        [
            [0.1, 0.9, 0.5, 0.2],  # query 0: speech 0 scores 0.9 (its best passage): first
            [0.8, 0.1, 0.3, 0.9],  # query 1: speech 2 (0.9) and 0 (0.8) beat speech 1: third
            [0.0, 0.0, 0.0, 0.5],  # query 2: speech 2 first
        ]
    )
    assert target_ranks(scores, owner) == [1, 3, 1]
    with pytest.raises(ValueError, match=r"passage_scores must be \(queries, 4 passages\)"):
        target_ranks(scores[:, :3], owner)
