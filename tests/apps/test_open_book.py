"""Open-book answering: the collection, MiniLM retrieval, recall@k, retrieve-then-read."""

import pytest
import torch

from lessons_lib.apps import open_book as O
from lessons_lib.apps import reader as R
from lessons_lib.apps.reader_inputs import as_pairs
from lessons_lib.pretrained.minilm import load_minilm


@pytest.fixture(scope="module")
def minilm():
    return load_minilm()


@pytest.fixture(scope="module")
def small(minilm):
    """30 stories (60 questions) and their MiniLM index."""
    collection = O.make_collection(30, seed=1)
    return collection, O.StoryIndex(collection.stories, *minilm)


def test_the_collection_gives_every_question_one_right_story():
    collection = O.make_collection(40, seed=0)
    assert len(collection.stories) == 40 and len(collection.questions) == 80
    for q, i in zip(collection.questions, collection.story_of, strict=True):
        name = q.question.removeprefix("Where is ").removesuffix("?")
        holders = [
            j for j, story in enumerate(collection.stories) if name in " ".join(story).split()
        ]
        assert holders == [i] and q.sentences == collection.stories[i]


def test_retrieve_returns_the_best_stories_in_order(small):
    collection, index = small
    assert index.vectors.shape == (30, 384) and len(index) == 30
    torch.testing.assert_close(index.vectors.norm(dim=1), torch.ones(30))
    questions = [q.question for q in collection.questions[:4]]
    found, scores = index.retrieve(questions, k=5)
    assert found.shape == scores.shape == (4, 5) and found.dtype == torch.long
    assert torch.all(scores[:, :-1] >= scores[:, 1:])  # best first
    assert all(len(set(row)) == 5 for row in found.tolist())
    one, one_scores = index.retrieve(questions[0], k=3)
    assert one.shape == (3,) and torch.equal(one, found[0, :3])
    torch.testing.assert_close(one_scores, scores[0, :3])
    # a story's own text finds that story first, with a cosine of 1
    own, own_score = index.retrieve(" ".join(collection.stories[7]), k=1)
    assert own.item() == 7 and abs(own_score.item() - 1) < 1e-4


def test_recall_is_high_on_a_small_collection(small):
    collection, index = small
    recall = O.recall_at_k(index, collection, ks=(1, 5))
    assert recall[1] >= 0.85 and recall[5] >= 0.95 and recall[5] >= recall[1]
    assert O.recall_at_k(index, collection, ks=5) == {5: recall[5]}  # one k


def test_sentence_vectors_score_a_story_by_its_best_sentence(small, minilm):
    collection, index = small
    stories = collection.stories[:10]
    by_sentence = O.StoryIndex(stories, *minilm, unit="sentence")
    n = sum(len(story) for story in stories)
    assert by_sentence.vectors.shape == (n, 384) and by_sentence.owner.shape == (n,)
    found, scores = by_sentence.retrieve(stories[3][-1], k=2)  # one sentence of story 3
    assert found[0].item() == 3 and abs(scores[0].item() - 1) < 1e-4
    questions = [q.question for q in collection.questions[:6]]
    _, best = by_sentence.retrieve(questions, k=10)
    own = by_sentence.vectors  # a story's score is the most similar of its sentences
    cosines = by_sentence._embed(questions) @ own.T
    for story in range(10):
        mine = cosines[:, by_sentence.owner == story].amax(dim=1)
        assert torch.isclose(best, mine[:, None], atol=1e-5).any(dim=1).all()
    with pytest.raises(ValueError, match="Unknown unit 'word'"):
        O.StoryIndex(stories, *minilm, unit="word")


def oracle_answer(model, pairs):
    """A perfect reader: the place of the person's last move, read off the story."""
    got = []
    for story, question in as_pairs(pairs):
        name = question.removeprefix("Where is ").removesuffix("?")
        moves = [s for s in story if s.startswith(f"{name} ") and " to the " in s]
        got.append(moves[-1].rstrip(".").split()[-1] if moves else "")
    return got


def test_with_a_perfect_reader_every_miss_is_a_retrieval_miss(small, monkeypatch):
    collection, index = small
    monkeypatch.setattr(R, "read_answers", oracle_answer)
    result = O.open_book_exact_match(None, index, collection)
    assert result["right_story"] == 1.0
    assert result["exact_match"] == pytest.approx(result["recall@1"])
    assert result["recall@1"] == pytest.approx(O.recall_at_k(index, collection, ks=(1,))[1])
    assert all(m.why == "retrieval" and m.read_story != m.right_story for m in result["misses"])


def test_open_book_reports_misses_with_their_cause(small):
    collection, index = small
    torch.manual_seed(0)
    reader = R.Reader(R.ReaderConfig(n_embd=16, n_head=2, n_layer=1)).eval()  # untrained
    result = O.open_book_exact_match(reader, index, collection)
    n = len(collection.questions)
    assert result["exact_match"] == pytest.approx(1 - len(result["misses"]) / n)
    for miss in result["misses"]:
        assert miss.got != miss.answer
        assert miss.why == ("retrieval" if miss.read_story != miss.right_story else "reading")


def test_bad_input_gets_clear_errors(small, minilm):
    _, index = small
    with pytest.raises(ValueError, match="k = 31, but the index holds only 30 stories"):
        index.retrieve("Where is Mary?", k=31)
    with pytest.raises(ValueError, match="k must be a positive int"):
        index.retrieve("Where is Mary?", k=0)
    with pytest.raises(TypeError, match="questions must be a string or a list of strings"):
        index.retrieve(42)
    with pytest.raises(ValueError, match="non-empty list of stories"):
        O.StoryIndex([], *minilm)
    with pytest.raises(TypeError, match="Each story must be a list of sentences"):
        O.StoryIndex(["Mary went to the garden."], *minilm)
    with pytest.raises(ValueError, match="at most 100 stories"):
        O.make_collection(101)
    with pytest.raises(TypeError, match="Each story must be a list of sentences.*got None"):
        O.StoryIndex([None], *minilm)
    collection = O.Collection(index.stories, [], [])
    for ks in ((), None, "1"):
        with pytest.raises(ValueError, match=f"ks must be a tuple of positive ints.*got {ks!r}"):
            O.recall_at_k(index, collection, ks=ks)
    with pytest.raises(ValueError, match="each k in ks must be a positive int, got 0"):
        O.recall_at_k(index, collection, ks=(0, 1))
    found, scores = index.retrieve([], k=2)
    assert found.shape == scores.shape == (0, 2)


@pytest.mark.slow
def test_retrieve_then_read_with_a_trained_reader(small):
    collection, index = small
    torch.manual_seed(0)
    reader = R.Reader()
    R.train_reader(reader)
    result = O.open_book_exact_match(reader, index, collection)
    assert result["right_story"] >= 0.9 and result["exact_match"] >= 0.8


def test_misspelled_names_swap_two_neighbouring_letters():
    collection = O.make_collection(50, seed=2)
    typos = O.misspell_names(collection, seed=0)
    assert typos.stories is collection.stories and typos.story_of == collection.story_of
    for q, t in zip(collection.questions, typos.questions, strict=True):
        name = q.question.removeprefix("Where is ").removesuffix("?")
        typo = t.question.removeprefix("Where is ").removesuffix("?")
        changed = [i for i, (a, b) in enumerate(zip(name, typo, strict=True)) if a != b]
        assert typo != name and sorted(typo) == sorted(name) and typo[0] == name[0]
        assert len(changed) == 2 and changed[1] == changed[0] + 1
        assert (t.answer, t.sentences) == (q.answer, q.sentences)
    again = O.misspell_names(collection, seed=0)
    assert [q.question for q in again.questions] == [q.question for q in typos.questions]
    with pytest.raises(TypeError):
        O.misspell_names(collection.questions)
