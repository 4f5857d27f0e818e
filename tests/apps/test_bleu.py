"""BLEU from scratch against sacrebleu, on words and on Chinese characters."""

import math
import random

import pytest
import sacrebleu

from lessons_lib.apps.bleu import bleu, bleu_characters, brevity_penalty

WORDS = "the a cat dog sat lay on mat hat mouse ran".split()


def random_corpus(rng: random.Random, size: int) -> tuple[list[str], list[str]]:
    references, translations = [], []
    for _ in range(size):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
        hyp = [w if rng.random() < 0.7 else rng.choice(WORDS) for w in ref]  # a noisy copy
        hyp = hyp[: rng.randint(1, len(hyp))] if rng.random() < 0.3 else hyp  # some too short
        references.append(" ".join(ref))
        translations.append(" ".join(hyp))
    return references, translations


@pytest.mark.parametrize("seed", range(30))
def test_equals_sacrebleu_on_words(seed):
    references, translations = random_corpus(
        random.Random(seed), size=random.Random(seed).randint(1, 8)
    )
    expected = sacrebleu.corpus_bleu(translations, [references], tokenize="none").score
    assert bleu(references, translations) == pytest.approx(expected, abs=1e-6)


def test_equals_sacrebleu_on_chinese_characters_and_the_default_tokenizer_scores_zero():
    references = ["2021年3月5日", "1999年12月1日", "1600年1月31日"]
    translations = ["2021年3月5日", "1999年2月1日", "1600年1月13日"]
    expected = sacrebleu.corpus_bleu(translations, [references], tokenize="char").score
    ours = bleu(references, translations, tokenizer=bleu_characters)
    assert ours == pytest.approx(expected, abs=1e-6) and 50 < ours < 100
    assert sacrebleu.corpus_bleu(translations, [references]).score == pytest.approx(0.0)
    assert bleu(references, translations) == 0.0  # a whole date is one "word": no bigrams


def test_hand_worked_brevity_penalty_and_clipping():
    assert brevity_penalty(10, 10) == 1.0 and brevity_penalty(12, 10) == 1.0
    assert brevity_penalty(5, 10) == pytest.approx(math.exp(-1))
    assert brevity_penalty(0, 10) == 0.0
    # "the the the the": 4 unigrams, the reference has "the" twice: clipped p_1 = 2 / 4
    short = bleu(["the cat is on the mat"], ["the the the the"], max_order=1)
    assert short == pytest.approx(100 * 0.5 * math.exp(1 - 6 / 4))
    assert bleu(["a b c d"], ["a b c d"]) == pytest.approx(100.0)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(TypeError, match="lists of strings"):
        bleu("the cat", "the cat")
    with pytest.raises(ValueError, match="one reference per translation"):
        bleu(["a", "b"], ["a"])
