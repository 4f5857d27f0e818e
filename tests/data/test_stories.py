"""The stories: every answer is checked by reading the sentences again, not with the generator."""

import collections
import re

import pytest

from lessons_lib.data import stories as S

# How to read a sentence back: the test's own grammar, written out, not the generator's lists.
MOVE = re.compile(r"([A-Z][a-z]+) (?:went|journeyed|travelled|moved|went back) to the ([a-z]+)\.")
PICK = re.compile(r"([A-Z][a-z]+) (?:picked up|grabbed|took|got) the ([a-z]+)\.")
DROP = re.compile(r"([A-Z][a-z]+) (?:dropped|put down|left|discarded) the ([a-z]+)\.")
PERSON_Q = re.compile(r"Where is ([A-Z][a-z]+)\?")
OBJECT_Q = re.compile(r"Where is the ([a-z]+)\?")


def replay(sentences: list[str]) -> tuple[dict, dict]:
    """Read a story from the start: where each person is, and where each object is.

    Returns ``person -> (place, index of the move)`` and ``object -> (place, support)``,
    checking on the way that nobody acts before they have moved, that only a free object
    standing in one's own place is picked up, and that only a held one is dropped.
    """
    where: dict[str, tuple[str, int]] = {}  # person -> (place, the move's index)
    holder: dict[str, tuple[str, int]] = {}  # object -> (person, the pick-up's index)
    lying: dict[str, tuple[str, list[int]]] = {}  # object -> (place, [move, drop])
    for i, sentence in enumerate(sentences):
        if m := MOVE.fullmatch(sentence):
            person, place = m.groups()
            assert where.get(person, ("",))[0] != place, f"{sentence!r}: already there"
            where[person] = (place, i)
        elif m := PICK.fullmatch(sentence):
            person, thing = m.groups()
            assert person in where, f"{sentence!r}: {person} has no place yet"
            assert thing not in holder, f"{sentence!r}: the {thing} is held already"
            if thing in lying:
                assert lying[thing][0] == where[person][0], f"{sentence!r}: not here"
                del lying[thing]
            holder[thing] = (person, i)
        elif m := DROP.fullmatch(sentence):
            person, thing = m.groups()
            assert holder.get(thing, ("",))[0] == person, f"{sentence!r}: not held by {person}"
            place, move = where[person]
            lying[thing] = (place, [move, i])
            del holder[thing]
        else:
            raise AssertionError(f"not a story sentence: {sentence!r}")
    objects = {thing: (place, support) for thing, (place, support) in lying.items()}
    for thing, (person, pick) in holder.items():
        place, move = where[person]  # the holder's place now
        objects[thing] = (place, sorted([pick, move]))
    return where, objects


def check(example: S.QAExample) -> None:
    where, objects = replay(example.sentences)
    assert S.LENGTHS[0] <= len(example.sentences) <= S.LENGTHS[1]
    if m := PERSON_Q.fullmatch(example.question):
        assert example.kind == "person"
        place, move = where[m.group(1)]
        assert (example.answer, example.support) == (place, [move])
    else:
        m = OBJECT_Q.fullmatch(example.question)
        assert m and example.kind == "object", example.question
        assert (example.answer, example.support) == objects[m.group(1)]
    story_words = " ".join(example.sentences).replace(".", "").split()
    assert example.answer in story_words and " " not in example.answer


@pytest.mark.parametrize("split", S.SPLITS)
def test_every_answer_and_its_support_agree_with_a_fresh_reading(split):
    examples = S.qa_examples(2000, seed=5, split=split)
    for example in examples:
        check(example)
    kinds = collections.Counter(e.kind for e in examples)
    assert set(kinds) == set(S.KINDS) and min(kinds.values()) > 900  # drawn evenly
    lengths = collections.Counter(len(e.sentences) for e in examples)
    assert set(lengths) == set(range(S.LENGTHS[0], S.LENGTHS[1] + 1))


def test_the_support_names_the_one_asked_about_and_the_answer_place():
    for example in S.qa_examples(1000, seed=6):
        asked = example.question.removeprefix("Where is ").removeprefix("the ").rstrip("?")
        first = example.sentences[example.support[0]]
        if example.kind == "person":
            assert len(example.support) == 1 and first.startswith(f"{asked} ")
            assert first.endswith(f" {example.answer}.")
            later = example.sentences[example.support[0] + 1 :]
            assert not any(MOVE.fullmatch(s) and s.startswith(f"{asked} ") for s in later)
        else:  # one sentence moves the person, the other names the object
            assert len(example.support) == 2
            a, b = (example.sentences[i] for i in example.support)
            named, move = (a, b) if f" the {asked}." in a else (b, a)
            holder = named.split()[0]
            assert f"the {asked}." in a + b and MOVE.fullmatch(move)
            assert move.startswith(f"{holder} ") and move.endswith(f" {example.answer}.")
            # the object's sentence is its last mention
            last = max(i for i, s in enumerate(example.sentences) if f" the {asked}." in s)
            assert last in example.support


def test_objects_are_both_held_and_dropped_and_dropped_ones_stay_behind():
    examples = S.qa_examples(1000, seed=7, kinds=("object",))
    dropped = [e for e in examples if DROP.fullmatch(e.sentences[e.support[1]])]
    held = [e for e in examples if PICK.fullmatch(e.sentences[max(e.support)])]
    assert len(dropped) > 100 and len(held) > 100
    # the dropper walked on: the answer is not where they are now
    walked_on = 0
    for e in dropped:
        dropper = e.sentences[e.support[1]].split()[0]
        walked_on += replay(e.sentences)[0][dropper][0] != e.answer
    assert walked_on > 20


def test_the_splits_share_no_story():
    train = {tuple(e.sentences) for e in S.qa_examples(3000, seed=0, split="train")}
    test = {tuple(e.sentences) for e in S.qa_examples(1000, seed=0, split="test")}
    assert not train & test
    assert all(S.is_held_out(story) for story in test)
    assert not any(S.is_held_out(story) for story in train)


def test_examples_are_seeded():
    assert S.qa_examples(30, seed=3) == S.qa_examples(30, seed=3)
    assert S.qa_examples(30, seed=3) != S.qa_examples(30, seed=4)
    assert S.qa_examples(0) == []
    assert {e.kind for e in S.qa_examples(40, kinds=("person",))} == {"person"}
    few = S.qa_examples(50, seed=1, names=S.NAMES[:3])
    assert {s.split()[0] for e in few for s in e.sentences} <= set(S.NAMES[:3])


def test_stories_with_own_people_never_share_a_name():
    stories = S.stories_with_own_people(90, seed=2)
    assert len(stories) == 90
    people = [e.question[len("Where is ") : -1] for questions in stories for e in questions]
    assert len(people) == 180 and len(set(people)) == 180
    for questions in stories:
        assert len(questions) == 2 and all(q.sentences is questions[0].sentences for q in questions)
        assert S.is_held_out(questions[0].sentences)
        for q in questions:
            check(q)
        named = {s.split()[0] for s in questions[0].sentences}
        assert named == {q.question[len("Where is ") : -1] for q in questions}


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="n must be an int >= 0"):
        S.qa_examples(-1)
    with pytest.raises(ValueError, match="Unknown split 'dev'"):
        S.qa_examples(3, split="dev")
    with pytest.raises(ValueError, match="Unknown kind 'place'"):
        S.qa_examples(3, kinds=("place",))
    with pytest.raises(ValueError, match="kinds must be a non-empty tuple"):
        S.qa_examples(3, kinds="person")
    with pytest.raises(TypeError, match="seed must be an int"):
        S.qa_examples(3, seed="0")
    with pytest.raises(ValueError, match="names must come from NAMES"):
        S.qa_examples(3, names=("Mary", "Zaphod"))
    with pytest.raises(ValueError, match="at least 2 different names"):
        S.qa_examples(3, names=("Mary", "Mary"))
    with pytest.raises(TypeError, match="names must be a list"):
        S.qa_examples(3, names="Mary")
    with pytest.raises(ValueError, match="at most 100 stories"):
        S.stories_with_own_people(101)
