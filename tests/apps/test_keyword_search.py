"""BM25 keyword search: a hand-worked score, the formula against scikit-learn's word counts,
the StoryIndex interface, and names that only keywords find."""

import math

import pytest
import torch
from sklearn.feature_extraction.text import CountVectorizer

from lessons_lib.apps import keyword_search as K
from lessons_lib.apps import open_book as O


def test_words_are_lower_case_letters_and_digits():
    assert K.keyword_words("Where is Mary? In 2021, the Garden.") == [
        "where", "is", "mary", "in", "2021", "the", "garden",
    ]  # fmt: skip
    with pytest.raises(TypeError):
        K.keyword_words(None)


def test_a_hand_worked_score():
    # two documents of 2 and 4 words (mean 3); "apple" is in one of them
    index = K.KeywordIndex([["apple pie"], ["a b c d"]], k1=1.2, b=0.75)
    idf = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))  # ln 2
    norm = 1.2 * (1 - 0.75 + 0.75 * 2 / 3)  # the short document is scaled up
    want = idf * 1 * 2.2 / (1 + norm)
    scores = index.scores("Apple?")
    assert scores[0].item() == pytest.approx(want, rel=1e-6) and scores[1].item() == 0.0
    assert index.scores("banana").abs().sum().item() == 0.0  # a word in no document adds 0


def test_scores_follow_the_formula_on_scikit_learn_counts():
    collection = O.make_collection(20, seed=3)
    docs = [" ".join(story) for story in collection.stories]
    counts = CountVectorizer(token_pattern=r"[a-z0-9]+").fit(docs)  # lower-cases by default
    tf = torch.tensor(counts.transform(docs).toarray(), dtype=torch.float64)  # (N, words)
    vocab = counts.vocabulary_
    n, lengths = (tf > 0).sum(0), tf.sum(1)  # (words,), (N,)
    index = K.KeywordIndex(collection.stories, k1=1.5, b=0.5)
    for q in collection.questions[:10]:
        want = torch.zeros(len(docs), dtype=torch.float64)
        for word in K.keyword_words(q.question):
            if word in vocab:
                j = vocab[word]
                idf = math.log(1 + (len(docs) - n[j] + 0.5) / (n[j] + 0.5))
                norm = 1.5 * (1 - 0.5 + 0.5 * lengths / lengths.mean())
                want += idf * tf[:, j] * 2.5 / (tf[:, j] + norm)
        torch.testing.assert_close(index.scores(q.question).double(), want, rtol=1e-5, atol=1e-6)


def test_repeats_saturate_and_long_documents_are_scaled_down():
    index = K.KeywordIndex([["apple x x x"], ["apple apple x x"], ["apple " + "x " * 20]])
    once, twice, long = index.scores("apple").tolist()
    assert twice > once > long > 0
    assert twice < 2 * once  # the second "apple" adds less than the first
    flat = K.KeywordIndex(index.stories, b=0.0).scores("apple").tolist()
    assert flat[0] == pytest.approx(flat[2])  # b = 0: length does not matter


def test_retrieve_has_story_index_s_interface():
    collection = O.make_collection(30, seed=1)
    index = K.KeywordIndex(collection.stories)
    questions = [q.question for q in collection.questions[:4]]
    found, scores = index.retrieve(questions, k=5)
    assert found.shape == scores.shape == (4, 5) and found.dtype == torch.long
    assert torch.all(scores[:, :-1] >= scores[:, 1:])
    one, one_scores = index.retrieve(questions[0], k=3)
    assert torch.equal(one, found[0, :3]) and torch.equal(one_scores, scores[0, :3])
    # ties (a question with no known word) keep the stories' order
    assert index.retrieve("Where is Zzyzx?", k=3)[0].tolist() == [0, 1, 2]
    empty, _ = index.retrieve([], k=2)
    assert empty.shape == (0, 2)


def test_names_are_found_every_time():
    collection = O.make_collection(100, seed=0)
    recall = O.recall_at_k(K.KeywordIndex(collection.stories), collection, ks=(1, 5))
    assert recall == {1: 1.0, 5: 1.0}


@pytest.mark.parametrize(
    ("stories", "kwargs", "error"),
    [
        ([], {}, ValueError),
        ("a story", {}, ValueError),
        ([["fine."], "not a list"], {}, TypeError),
        ([["fine."]], {"k1": -1}, ValueError),
        ([["fine."]], {"b": 1.5}, ValueError),
        ([["fine."]], {"b": "0.5"}, TypeError),
    ],
)
def test_bad_arguments_say_what_is_wrong(stories, kwargs, error):
    with pytest.raises(error):
        K.KeywordIndex(stories, **kwargs)


def test_bad_retrieve_arguments():
    index = K.KeywordIndex([["Mary went to the garden."], ["John went to the office."]])
    with pytest.raises(ValueError, match="holds only 2"):
        index.retrieve("Where is Mary?", k=3)
    with pytest.raises(TypeError):
        index.retrieve([1, 2], k=1)
