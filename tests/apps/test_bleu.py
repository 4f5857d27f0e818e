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


@pytest.mark.parametrize("seed", range(10))
def test_several_references_as_sacrebleu_streams_equal_sacrebleu(seed):
    rng = random.Random(seed)
    references, translations = random_corpus(rng, size=rng.randint(1, 6))
    others = [  # a second and a third reference for each translation, of other lengths
        [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) for _ in references]
        for _ in range(2)
    ]
    streams = [references, *others]
    expected = sacrebleu.corpus_bleu(translations, streams, tokenize="none").score
    assert bleu(streams, translations) == pytest.approx(expected, abs=1e-6)
    # one stream, sacrebleu's [references], is the plain list of references
    assert bleu([references], translations) == bleu(references, translations)


def test_tokenizers_by_sacrebleu_name():
    references, translations = ["2021年3月5日", "1999年12月1日"], ["2021年3月5日", "1999年2月1日"]
    expected = sacrebleu.corpus_bleu(translations, [references], tokenize="char").score
    assert bleu(references, translations, tokenizer="char") == pytest.approx(expected, abs=1e-6)
    words = ["the cat sat on the mat"], ["the cat sat on a mat"]
    assert bleu(*words, tokenizer="none") == bleu(*words)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(TypeError, match="translations must be a list of strings, got a str"):
        bleu("the cat", "the cat")
    with pytest.raises(ValueError, match="one reference per translation"):
        bleu(["a", "b"], ["a"])
    hyps, refs = ["the cat sat"], ["the cat sat"]
    with pytest.raises(TypeError, match=r"translations\[0\].*takes the references first"):
        bleu(hyps, [refs, refs])  # sacrebleu's order
    with pytest.raises(ValueError, match=r"references\[1\] holds 2 strings for 1 translations"):
        bleu([refs, ["a", "b"]], hyps)
    with pytest.raises(TypeError, match=r"references must be .* got NoneType"):
        bleu(None, hyps)
    with pytest.raises(ValueError, match=r"tokenizer must be .* 'char', 'none'.* got '13a'"):
        bleu(refs, hyps, tokenizer="13a")
    with pytest.raises(TypeError, match="tokenizer must be None"):
        bleu(refs, hyps, tokenizer=4)
    with pytest.raises(TypeError, match="tokenizer must return a list of tokens, got str"):
        bleu(refs, hyps, tokenizer=str.lower)
    for order in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="max_order must be a positive int"):
            bleu(refs, hyps, max_order=order)
