"""Tests of chapter 02's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import pytest

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import ch02
from lessons_lib.tokenization.bpe import merge_pair

NAMES = ["count_chunk_pairs", "encode_word", "token_bytes"]


def _unweighted(chunk_counts):
    return ch02.count_chunk_pairs({chunk: 1 for chunk in chunk_counts})


def _missing_last_pair(chunk_counts):
    counts = {}
    for chunk, freq in chunk_counts.items():
        for i in range(len(chunk) - 2):
            pair = (chunk[i], chunk[i + 1])
            counts[pair] = counts.get(pair, 0) + freq
    return counts


def _pair_once_per_chunk(chunk_counts):
    counts = {}
    for chunk, freq in chunk_counts.items():
        for pair in set(zip(chunk, chunk[1:], strict=False)):
            counts[pair] = counts.get(pair, 0) + freq
    return counts


def _characters_not_bytes(word, merges):
    return list(word)


def _reversed_merges(word, merges):
    return ch02.encode_word(word, merges[::-1])


def _ids_off_by_one(word, merges):
    return [i - 1 if i >= 256 else i for i in ch02.encode_word(word, merges)]


def _new_ids_from_255(word, merges):
    ids = list(word.encode("utf-8"))
    for i, pair in enumerate(merges):
        ids = merge_pair(ids, pair, 255 + i)  # the slip: merge i should make 256 + i
    return ids


def _code_points_not_bytes(word, merges):
    ids = [ord(char) for char in word]
    for i, pair in enumerate(merges):
        ids = merge_pair(ids, pair, 256 + i)
    return ids


def _first_merge_only(word, merges):
    ids = list(word.encode("utf-8"))
    for i, pair in enumerate(merges):
        for j in range(len(ids) - 1):
            if (ids[j], ids[j + 1]) == pair:
                return ids[:j] + [256 + i] + ids[j + 2 :]
    return ids


def _as_text(token_id, merges):
    return ch02.token_bytes(token_id, merges).decode("utf-8", errors="replace")


def _wrong_merge_index(token_id, merges):
    if token_id < 256:
        return bytes([token_id])
    left, right = merges[token_id - 257]
    return _wrong_merge_index(left, merges) + _wrong_merge_index(right, merges)


def _merge_index_without_offset(token_id, merges):
    if token_id < 256:
        return bytes([token_id])
    left, right = merges[token_id]  # the slip: merges[token_id - 256]
    return _merge_index_without_offset(left, merges) + _merge_index_without_offset(right, merges)


def _every_id_a_byte(token_id, merges):
    return bytes([token_id])


def _raises_other_value_error(token_id, merges):
    raise ValueError("something else")


def _only_one_level(token_id, merges):
    if token_id < 256:
        return bytes([token_id])
    left, right = merges[token_id - 256]
    return bytes([left % 256, right % 256])


WRONG = [
    ("count_chunk_pairs", _unweighted, "multiply each chunk's pairs by how often the chunk occurs"),
    ("count_chunk_pairs", _missing_last_pair, "you missed the last pair of each chunk"),
    ("count_chunk_pairs", _pair_once_per_chunk, "a pair that occurs twice inside one chunk"),
    ("count_chunk_pairs", lambda c: list(c), "return a dict mapping each pair"),
    ("encode_word", _characters_not_bytes, "start from the UTF-8 bytes, list(word.encode"),
    ("encode_word", _reversed_merges, "apply the merges in the order they were learned"),
    ("encode_word", _ids_off_by_one, "merge i creates id 256 + i"),
    ("encode_word", _new_ids_from_255, "merge i creates id 256 + i"),
    ("encode_word", _code_points_not_bytes, "not from ord() of each character"),
    ("encode_word", _first_merge_only, "a merge can apply more than once"),
    ("token_bytes", _as_text, "return bytes, e.g. bytes([token_id])"),
    ("token_bytes", _wrong_merge_index, "is made by merges[256 - 256]"),
    ("token_bytes", _only_one_level, "the bytes of its two parts, joined"),
    ("token_bytes", _merge_index_without_offset, "look up merges[token_id - 256]"),
    ("token_bytes", _every_id_a_byte, "an id from 256 on is not a byte but a merge"),
]


def test_chapter_two_exercises_are_registered():
    assert set(NAMES) <= set(ex.names())


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG, ids=lambda x: getattr(x, "__name__", x))
def test_typical_mistakes_get_specific_hints(name, answer, hint):
    passed, message = ex.run_check(name, answer)
    assert not passed
    assert hint in message, message
    assert message.endswith(f'(Hint: ex.solution("{name}") shows one answer.)')


def test_other_errors_in_the_answer_are_reported_as_crashes():
    passed, message = ex.run_check("token_bytes", _raises_other_value_error)
    assert not passed and message.startswith("your code raised ValueError: something else")


def test_wrong_encoding_names_the_merges_by_a_name_that_works_in_a_notebook(monkeypatch):
    passed, message = ex.run_check("encode_word", _first_merge_only)
    assert not passed and "The check's merges: ex.ch02.practice_tokenizer().merges" in message
    # as in a fresh notebook, where no chapter module is an attribute of ``ex`` yet
    monkeypatch.delattr(ex, "ch02")
    assert ex.ch02.practice_tokenizer().merges == ch02.practice_tokenizer().merges
    with pytest.raises(AttributeError, match="no attribute 'ch99'"):
        ex.ch99  # noqa: B018


def test_success_messages_show_a_worked_example():
    assert ex.run_check("count_chunk_pairs", ch02.count_chunk_pairs)[1] == (
        "correct: {(104, 105): 3, (104, 105, 105): 1} gives {(104, 105): 4, (105, 105): 1}"
    )
    assert ex.run_check("token_bytes", ch02.token_bytes)[1].endswith("the UTF-8 bytes of '子'")


def test_model_solutions_by_hand():
    assert ch02.count_chunk_pairs({(1, 2, 1): 2, (1, 2): 1}) == {(1, 2): 3, (2, 1): 2}
    merges = [(97, 97), (97, 98), (256, 257)]  # the textbook example
    assert ch02.encode_word("aaabdaaabac", merges) == [258, 100, 258, 97, 99]
    assert ch02.token_bytes(258, merges) == b"aaab"
    assert ch02.token_bytes(200, merges) == bytes([200])


def test_practice_tokenizer_is_small_and_fixed():
    tok = ch02.practice_tokenizer()
    assert tok.vocab_size == 296
    assert tok.encode(" cat's") == [262, 274]
