"""The reader's inputs: words and ids, question [SEP] story, sentence positions, the flag."""

import pytest
import torch

from lessons_lib.apps import reader_inputs as I
from lessons_lib.data import stories as S

STORY = ["Mary went to the kitchen.", "John moved to the garden.", "Mary went back to the office."]


def test_encode_lays_out_question_sep_story_and_cuts_the_oldest_words():
    enc = I.encode(STORY, "Where is Mary?", max_len=64)
    assert enc.words[:5] == ["Where", "is", "Mary", "?", I.SEP] and enc.n_question == 4
    assert enc.words[5:11] == ["Mary", "went", "to", "the", "kitchen", "."]
    assert enc.ids[4] == I.SEP_ID and enc.ids[0] == I.STOI["where"]  # case does not matter
    assert enc.sentence[:5] == [-1] * 5 and enc.sentence[5] == 0 and enc.sentence[-1] == 2
    short = I.encode(STORY, "Where is Mary?", max_len=16)
    assert len(short.ids) == 16  # the latest words stay:
    assert short.words[5:] == "to the garden . Mary went back to the office .".split()
    assert I.word_ids(["Zaphod", "MARY", "☃"]) == [I.UNK_ID, I.STOI["mary"], I.UNK_ID]


def test_in_question_flags_the_story_words_the_question_names():
    ids, _ = I.batch([(STORY, "Where is Mary?")], 64)
    words = I.encode(STORY, "Where is Mary?", 64).words
    flagged = [w for w, f in zip(words, I.in_question(ids)[0], strict=True) if f]
    assert flagged == ["Mary", "Mary"]  # not the question's own word


def test_sentence_positions_count_words_and_sentences_back_from_the_end():
    ids, encoded = I.batch([(STORY, "Where is Mary?"), (STORY[:1], "Where is John?")], 64)
    word, ago = I.sentence_positions(ids)
    assert word.shape == ago.shape == ids.shape
    first = encoded[0]
    for t, s in enumerate(first.sentence):
        assert ago[0, t] == (0 if s < 0 else len(STORY) - s)  # the last sentence is 1 ago
        after_an_end = t > 0 and first.words[t - 1] in (".", "?", I.SEP)
        assert (word[0, t] == 0) == (t == 0 or after_an_end)  # a sentence's first word
    short = len(encoded[1].ids)
    assert torch.all(ago[1, short:] == 0) and torch.all(ago[1, 5:short] == 1)
    assert (word <= I.MAX_SLOT).all() and (ago <= I.MAX_SLOT).all()
    long, _ = I.batch([(" ".join(["Mary went to the garden."] * 20), "Where is Mary?")], 96)
    _, ago = I.sentence_positions(long)
    assert ago.max() == I.MAX_SLOT  # old sentences share the last slot


def test_stories_come_as_examples_pairs_or_text_and_bad_ones_get_clear_errors():
    example = S.qa_examples(1, seed=3)[0]
    pairs = I.as_pairs(example)
    assert pairs == [(example.sentences, example.question)]
    assert I.as_pairs([example, example]) == pairs * 2
    assert I.as_pairs((" ".join(STORY) + " ", "Where is Mary?")) == [(STORY, "Where is Mary?")]
    assert I.as_pairs([]) == []
    with pytest.raises(TypeError, match="QAExamples .* a \\(story, question\\) pair"):
        I.as_pairs(42)
    with pytest.raises(TypeError, match="Each item must be"):
        I.as_pairs([("Mary went to the garden.", 3)])
    with pytest.raises(TypeError, match="A story is a string or a list of sentences"):
        I.as_pairs([(42, "Where is Mary?")])


def test_batches_are_padded_and_the_answer_is_found_in_its_supporting_sentence():
    examples = S.qa_examples(20, seed=4)
    ids, encoded = I.batch(examples, 96)
    assert ids.shape == (20, max(len(e.ids) for e in encoded)) and ids.dtype == torch.long
    for row, (example, enc) in enumerate(zip(examples, encoded, strict=True)):
        assert ids[row, len(enc.ids) :].eq(I.PAD_ID).all()
        t = I.answer_position(example, enc)
        assert enc.words[t] == example.answer and enc.sentence[t] in example.support
    with pytest.raises(ValueError, match="not in the supporting sentences"):
        bad = S.QAExample(STORY, "Where is Mary?", "attic", "person", [2])
        I.answer_position(bad, I.encode(bad.sentences, bad.question, 64))
