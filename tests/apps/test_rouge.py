"""ROUGE from scratch against Google's rouge-score, and on Chinese text."""

import random

import pytest
from rouge_score import rouge_scorer, tokenizers

from lessons_lib.apps.rouge import chinese_characters, lcs_length, rouge, rouge_tokens

WORDS = "the a cat dog sat lay on mat hat King Lear's 2 3rd O, -- ! fool. Fool? and".split()
EDGES = [("", ""), ("", "a cat"), ("a cat", ""), ("!!", "?"), ("the", "the"), ("a b", "b a")]


def random_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 25)))


def reference_scores(target: str, prediction: str) -> dict[str, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    return {name: s.fmeasure for name, s in scorer.score(target, prediction).items()}


def test_equals_rouge_score_on_many_texts():
    rng = random.Random(0)
    pairs = EDGES + [(random_text(rng), random_text(rng)) for _ in range(400)]
    for target, prediction in pairs:
        ours, theirs = rouge(target, prediction), reference_scores(target, prediction)
        assert ours.keys() == theirs.keys()
        for name in ours:
            assert ours[name] == pytest.approx(theirs[name], abs=1e-6), (target, prediction, name)


def test_a_hand_worked_example():
    # target: the cat sat on the mat (6 words); prediction: the cat lay on the mat (6 words)
    scores = rouge("the cat sat on the mat", "the cat lay on the mat")
    assert scores["rouge1"] == pytest.approx(5 / 6)  # the×2, cat, on, mat shared
    assert scores["rouge2"] == pytest.approx(3 / 5)  # "the cat", "on the", "the mat"
    assert scores["rougeL"] == pytest.approx(5 / 6)  # the cat . on the mat


def test_chinese_needs_the_character_tokenizer():
    text = "今天天气很好。"
    assert rouge(text, text) == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}  # no tokens
    assert reference_scores(text, text)["rouge1"] == 0.0  # rouge-score: the same blind spot
    assert rouge(text, text, tokenizer=chinese_characters)["rouge2"] == pytest.approx(1.0)
    half = rouge("今天天气很好", "今天下雨", tokenizer=chinese_characters)
    assert half["rouge1"] == pytest.approx(2 * (2 / 4) * (2 / 6) / (2 / 4 + 2 / 6))


def test_pieces():
    assert rouge_tokens("It's 2 O'Clock!") == ["it", "s", "2", "o", "clock"]
    assert chinese_characters("2021年3月5日, ok") == list("2021年3月5日ok")
    assert lcs_length(list("abcbdab"), list("bdcaba")) == 4
    assert lcs_length([], list("abc")) == 0


def test_tokenizer_by_name_or_as_a_rouge_score_tokenizer_object():
    text = "今天天气很好。"
    assert rouge(text, text, tokenizer="chinese") == rouge(text, text, tokenizer=chinese_characters)
    target, prediction = "The cat's hat, 2 days!", "the cat sat 2 days"
    theirs = rouge(target, prediction, tokenizer=tokenizers.DefaultTokenizer())
    assert theirs == rouge(target, prediction)


def test_bad_tokenizers_get_clear_errors():
    with pytest.raises(ValueError, match=r"tokenizer must be None .* 'chinese'.* got 'zh'"):
        rouge("a", "a", tokenizer="zh")
    with pytest.raises(TypeError, match="tokenizer must be None"):
        rouge("a", "a", tokenizer=3)
    with pytest.raises(TypeError, match="tokenizer must return a list of tokens"):
        rouge("a", "a", tokenizer=str.lower)


def test_a_list_of_sentences_gets_a_clear_error():
    with pytest.raises(TypeError, match=r"Join a list of sentences with ' '.join"):
        rouge("the target", ["a", "list"])
