"""Pronoun counts on a text counted by hand, and pronoun probabilities of a bigram-table model
whose every probability is known."""

import math

import pytest
import torch
import torch.nn as nn

from lessons_lib.measures import gender as G
from lessons_lib.tokenization.characters import CharTokenizer

SCENE = """KING:
The king is come; he bids you welcome, and his queen
says she will follow him.

QUEEN:
The Queen! Her grace is here. He'll see the nurse; she sleeps.
"""
TOKENIZER = CharTokenizer(" ,.;Tadeghiknrs")  # 4 non-letters, then letters


class TableLM(nn.Module):
    """A bigram model: the next character's probabilities depend on the last one only."""

    block_size = 32

    def __init__(self, table: torch.Tensor):
        super().__init__()
        self.table = table  # (V, V): row = this character, column = the next one

    def forward(self, idx, targets=None):
        return self.table.log()[idx], None  # (B, T) -> (B, T, V) log-probabilities as logits


def random_table(seed: int = 0) -> torch.Tensor:
    V = TOKENIZER.vocab_size
    return torch.softmax(torch.randn(V, V, generator=torch.Generator().manual_seed(seed)), -1)


def direct(table: torch.Tensor, prompt: str, continuation: str, then=None) -> float:
    """P(continuation | prompt), character by character, times P(next in ``then``)."""
    ids = TOKENIZER.encode(prompt + continuation)
    pairs = zip(ids[len(prompt) - 1 : -1], ids[len(prompt) :], strict=True)  # (last, next)
    p = math.prod(float(table[a, b]) for a, b in pairs)
    return p * float(table[ids[-1], then].sum()) if then is not None else p


def test_text_words_drop_speaker_headings_and_split_at_apostrophes():
    assert G.text_words("KING:\nThe King? He'll go, O king!") == [
        "the", "king", "he", "ll", "go", "o", "king",
    ]  # fmt: skip


def test_counts_match_the_hand_count():
    king, queen, nurse, doctor = G.gender_counts(SCENE, ["king", "Queen", "nurse", "doctor"])
    assert (king.word, king.occurrences, king.masculine, king.feminine) == ("king", 1, 2, 0)
    assert (queen.occurrences, queen.masculine, queen.feminine) == (2, 2, 4)  # not the heading
    assert (nurse.occurrences, nurse.masculine, nurse.feminine) == (1, 0, 1)
    assert king.masculine_share == 1.0 and queen.masculine_share == pytest.approx(1 / 3)
    assert doctor.occurrences == 0 and math.isnan(doctor.masculine_share)
    short = G.gender_counts(SCENE, ["king", "queen"], window=3)  # is come he | says she will ...
    assert [(c.masculine, c.feminine) for c in short] == [(1, 0), (0, 2)]
    only_he = G.gender_counts(SCENE, "queen", masculine=frozenset({"he"}))
    assert (only_he[0].masculine, only_he[0].feminine) == (1, 4)


def test_boundaries_are_the_characters_that_are_not_letters():
    assert [TOKENIZER.chars[i] for i in G.boundary_ids(TOKENIZER)] == [" ", ",", ".", ";"]


def test_a_uniform_model_gives_the_hand_worked_probability():
    V = TOKENIZER.vocab_size  # 15 characters, 4 of them end a word
    model = TableLM(torch.full((V, V), 1 / V))
    ends = G.boundary_ids(TOKENIZER)
    log_p = G.continuation_log_probability(model, TOKENIZER, "The king,", " he", ends)
    assert log_p == pytest.approx(3 * math.log(1 / V) + math.log(4 / V))
    no_end = G.continuation_log_probability(model, TOKENIZER, "The king,", " he")
    assert no_end == pytest.approx(3 * math.log(1 / V))


def test_the_probability_is_the_product_of_the_characters():
    table = random_table()
    model, ends = TableLM(table), G.boundary_ids(TOKENIZER)
    for prompt, continuation in [("The king,", " he"), ("The king;", " she"), ("a", "n")]:
        ours = G.continuation_log_probability(model, TOKENIZER, prompt, continuation, ends)
        assert math.exp(ours) == pytest.approx(direct(table, prompt, continuation, ends))
        plain = G.continuation_log_probability(model, TOKENIZER, prompt, continuation)
        assert math.exp(plain) == pytest.approx(direct(table, prompt, continuation))
        assert ours < plain  # "he" must also end a word: "hear" does not count


def test_pronoun_probabilities_average_over_the_templates():
    table = random_table(1)
    templates = ["The {word} said,", "a {word};"]
    (result,) = G.pronoun_probabilities(TableLM(table), TOKENIZER, ["king"], templates)
    ends = G.boundary_ids(TOKENIZER)
    he = sum(direct(table, t.format(word="king"), " he", ends) for t in templates) / 2
    she = sum(direct(table, t.format(word="king"), " she", ends) for t in templates) / 2
    assert result.word == "king"
    assert result.he == pytest.approx(he) and result.she == pytest.approx(she)
    assert result.masculine_share == pytest.approx(he / (he + she))
    assert math.isnan(G.PronounProbability("x", 0.0, 0.0).masculine_share)


def test_the_default_templates_fit_the_chapter_06_vocabulary():
    chars = set("\n !\"$&',-.0123456789:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz—")
    assert len(chars) == 76 and all("{word}" in t for t in G.TEMPLATES)
    assert all(set(t.format(word=w) + " she") <= chars for t in G.TEMPLATES for w in G.WORDS)
    assert len(G.WORDS) == len(set(G.WORDS)) and not G.MASCULINE & G.FEMININE


def test_bad_input_is_refused_with_a_fix():
    model = TableLM(random_table())
    with pytest.raises(ValueError, match="vocabulary"):
        G.pronoun_probabilities(model, TOKENIZER, ["Zebra"], ["The {word} said,"])
    with pytest.raises(ValueError, match="vocabulary"):
        G.pronoun_probabilities(model, TOKENIZER, ["king"])  # the default templates use "c"
    with pytest.raises(ValueError, match="must contain"):
        G.pronoun_probabilities(model, TOKENIZER, ["king"], ["The king said,"])
    with pytest.raises(ValueError, match="at least one word"):
        G.pronoun_probabilities(model, TOKENIZER, [])
    with pytest.raises(ValueError, match="shorten the prompt"):
        G.continuation_log_probability(model, TOKENIZER, "a" * 31, " he")
    with pytest.raises(ValueError, match="at least one character"):
        G.continuation_log_probability(model, TOKENIZER, "", " he")
    with pytest.raises(ValueError, match="single words"):
        G.gender_counts(SCENE, ["the king"])
    with pytest.raises(ValueError, match="positive int"):
        G.gender_counts(SCENE, window=0)
    with pytest.raises(TypeError, match="string"):
        G.gender_counts(SCENE.split())


def test_prompts_templates_and_words_must_be_text():
    model = TableLM(random_table())
    with pytest.raises(TypeError, match="prompt must be a str, got 3"):
        G.continuation_log_probability(model, TOKENIZER, 3, " he")
    with pytest.raises(TypeError, match=r"templates must be a list of strings; for one use \["):
        G.pronoun_probabilities(model, TOKENIZER, ["king"], "The {word} said,")
    with pytest.raises(TypeError, match="words must be strings"):
        G.pronoun_probabilities(model, TOKENIZER, [1, 2])
    with pytest.raises(TypeError, match="model must be a model"):
        G.continuation_log_probability("model", TOKENIZER, "The", " he")
