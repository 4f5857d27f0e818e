"""Tests of tokenization.bpe: the byte-level BPE tokenizer of chapter 02."""

from __future__ import annotations

import doctest
import json
import random
import time
from collections import Counter

import pytest
import torch

from lessons_lib import BPETokenizer
from lessons_lib.data.shakespeare import shakespeare, train_val_split
from lessons_lib.tokenization import bpe
from lessons_lib.tokenization.bpe import GPT2_SPLIT_PATTERN, merge_pair, split_text

UNICODE_SAMPLES = [
    "",
    "a",
    "To be, or not to be: that is the question.\n\n",
    "héllo wörld, naïve café, Ærøskøbing",
    "你好，世界！分词器把文本切成词元。",
    "emoji 🙂👍🏽 and a family 👨‍👩‍👧 (joined by zero-width joiners)",
    "tabs\tand\r\nwindows newlines   and   spaces  ",
    "x² ½ Ⅻ ٣ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u0301 combining é vs e\u0301",
    "snake_case __init__ a-b--c ''quoted'' it's we'll they're I'M",
    "\x00\x01 control \x7f bytes and \ufeff BOM",
]


def random_text(rng: random.Random, length: int) -> str:
    """Random text mixing ASCII, accents, Chinese, emoji and whitespace."""
    ranges = [(32, 126), (0xC0, 0x24F), (0x4E00, 0x9FFF), (0x1F300, 0x1FAFF), (0x0600, 0x06FF)]
    chars = []
    for _ in range(length):
        if rng.random() < 0.2:
            chars.append(rng.choice(" \n\t"))
        else:
            low, high = rng.choice(ranges)
            chars.append(chr(rng.randint(low, high)))
    return "".join(chars)


def naive_train(text: str, vocab_size: int, pattern: str | None = GPT2_SPLIT_PATTERN):
    """The textbook algorithm, slowly: recount every pair of every chunk before each merge."""
    chunks = [list(c.encode("utf-8")) for c in split_text(text, pattern)]
    merges, counts = [], []
    while 256 + len(merges) < vocab_size:
        pair_counts = Counter(p for chunk in chunks for p in zip(chunk, chunk[1:], strict=False))
        if not pair_counts:
            break
        pair = max(pair_counts, key=lambda p: (pair_counts[p], -p[0], -p[1]))
        merges.append(pair)
        counts.append(pair_counts[pair])
        chunks = [merge_pair(chunk, pair, 255 + len(merges)) for chunk in chunks]
    return merges, counts


@pytest.fixture(scope="module")
def corpus() -> tuple[str, str]:
    """300,000 characters of training text and the validation split (chapter 02's setting)."""
    train_text, val_text = train_val_split(shakespeare(), 0.9)
    return train_text[:300_000], val_text


@pytest.fixture(scope="module")
def small() -> BPETokenizer:
    return BPETokenizer.train(shakespeare()[:20_000], vocab_size=300)


# --- the textbook example and the building blocks ------------------------------------------------


def test_textbook_example_encodes_to_five_tokens_after_three_merges():
    tok = BPETokenizer.train("aaabdaaabac", vocab_size=259, pattern=None)
    assert tok.merges == [(97, 97), (97, 98), (256, 257)]  # aa, ab, (aa)(ab)
    assert tok.merge_counts == [4, 2, 2]
    ids = tok.encode("aaabdaaabac")
    assert ids == [258, 100, 258, 97, 99] and len(ids) == 5
    assert tok.token_strings(ids) == ["aaab", "d", "aaab", "a", "c"]
    assert tok.decode(ids) == "aaabdaaabac"


def test_docstring_examples_are_correct():
    results = doctest.testmod(bpe)
    assert results.attempted >= 4
    assert results.failed == 0


@pytest.mark.parametrize(
    ("ids", "pair", "expected"),
    [
        ([97, 97, 97], (97, 97), [256, 97]),  # left to right: the first two merge
        ([97, 97, 97, 97], (97, 97), [256, 256]),
        ([1, 2, 3, 1, 2], (1, 2), [256, 3, 256]),
        ([1, 2, 3], (2, 1), [1, 2, 3]),
        ([], (1, 2), []),
        ([1], (1, 2), [1]),
    ],
)
def test_merge_pair_by_hand(ids, pair, expected):
    assert merge_pair(ids, pair, 256) == expected


def test_split_text_keeps_every_character_and_respects_words():
    text = "Life's but a walking shadow,  a poor player\n\nThat struts 1599 times"
    chunks = split_text(text, GPT2_SPLIT_PATTERN)
    assert "".join(chunks) == text
    assert chunks[:6] == ["Life", "'s", " but", " a", " walking", " shadow"]
    assert chunks[6:9] == [",", " ", " a"]  # a run of spaces leaves its last one to the word
    assert chunks[-6:] == ["\n", "\n", "That", " struts", " 1599", " times"]
    assert split_text(text, None) == [text]
    assert split_text("", None) == [] and split_text("", GPT2_SPLIT_PATTERN) == []


# --- training ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vocab_size", "pattern"),
    [
        ("aaabdaaabac", 259, None),
        ("the cat sat on the mat; the hat, the cat's hat. " * 3, 300, GPT2_SPLIT_PATTERN),
        ("你好，世界！你好，分词器。世界很大。" * 2 + " naïve café", 290, GPT2_SPLIT_PATTERN),
        ("abababab cdcdcd abab ab", 270, None),
    ],
)
@pytest.mark.filterwarnings("ignore:Only .* possible")
def test_training_matches_the_slow_textbook_algorithm(text, vocab_size, pattern):
    tok = BPETokenizer.train(text, vocab_size, pattern=pattern)
    merges, counts = naive_train(text, vocab_size, pattern)
    assert tok.merges == merges
    assert tok.merge_counts == counts


def test_training_matches_the_slow_algorithm_on_shakespeare():
    text = shakespeare()[:6_000]
    tok = BPETokenizer.train(text, 330)
    merges, counts = naive_train(text, 330)
    assert tok.merges == merges and tok.merge_counts == counts


def test_merge_counts_never_increase(small):
    counts = small.merge_counts
    assert len(counts) == len(small.merges) == 44
    assert all(a >= b for a, b in zip(counts, counts[1:], strict=False))


def test_training_is_greedy_so_truncation_equals_a_smaller_training(small):
    text = shakespeare()[:20_000]
    smaller = BPETokenizer.train(text, vocab_size=280)
    assert small.truncated(24).merges == smaller.merges
    assert small.truncated(24).merge_counts == smaller.merge_counts
    assert small.truncated(0).encode("the") == list(b"the")


def test_vocab_entries_are_the_bytes_of_their_two_parts(small):
    for i, (left, right) in enumerate(small.merges):
        assert small.vocab[256 + i] == small.vocab[left] + small.vocab[right]
    assert small.vocab[:256] == [bytes([b]) for b in range(256)]
    assert small.vocab_size == 300


def test_merges_never_cross_chunk_borders(small):
    text = shakespeare()[50_000:52_000]
    by_chunk = [i for chunk in split_text(text, GPT2_SPLIT_PATTERN) for i in small.encode(chunk)]
    assert small.encode(text) == by_chunk
    for token in small.token_strings(range(256, small.vocab_size)):
        assert split_text(token, GPT2_SPLIT_PATTERN) == [token]  # each token lies in one chunk


def test_encode_applies_the_merges_in_the_order_they_were_learned(small):
    from lessons_lib.course.exercises.ch02 import encode_word

    for word in [" the", " thou", " Hamlet", "ing", " 你好", " 🙂"]:
        assert small.encode(word) == encode_word(word, small.merges)


def test_too_few_pairs_warns_and_stops_early():
    with pytest.warns(UserWarning, match="Only 2 merges possible"):
        tok = BPETokenizer.train("abc", vocab_size=300, pattern=None)
    assert tok.vocab_size == 258
    assert tok.encode("abc") == [257]


def test_verbose_training_prints_each_merge(capsys):
    BPETokenizer.train("aaabdaaabac", vocab_size=259, pattern=None, verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "merge 1/3: (97, 97) -> 256 'aa' (4 occurrences)"
    assert out[2] == "merge 3/3: (256, 257) -> 258 'aaab' (2 occurrences)"


def test_training_is_quiet_by_default(capsys):
    BPETokenizer.train("aaabdaaabac", vocab_size=259, pattern=None)
    assert capsys.readouterr().out == ""


@pytest.mark.slow
def test_shakespeare_vocab_512_is_fast_and_compresses_held_out_text(corpus):
    train_text, val_text = corpus
    start = time.perf_counter()
    tok = BPETokenizer.train(train_text, vocab_size=512)
    seconds = time.perf_counter() - start
    assert seconds < 10, f"training took {seconds:.1f} s; the chapter promises a few seconds"
    assert tok.vocab_size == 512
    ids = tok.encode(val_text)
    assert tok.decode(ids) == val_text
    tokens_per_byte = len(ids) / len(val_text.encode("utf-8"))
    assert 0.45 < tokens_per_byte < 0.6
    assert tok.token_strings(tok.encode(" the")) == [" the"]


# --- encoding, decoding, round trips ----------------------------------------------------------


@pytest.mark.parametrize("text", UNICODE_SAMPLES)
@pytest.mark.parametrize("pattern", [GPT2_SPLIT_PATTERN, None])
def test_round_trip_of_arbitrary_unicode(small, text, pattern):
    tok = BPETokenizer(small.merges, pattern=pattern)
    ids = tok.encode(text)
    assert all(0 <= i < tok.vocab_size for i in ids)
    assert len(ids) <= len(text.encode("utf-8"))
    assert tok.decode(ids) == text


def test_round_trip_of_random_unicode(small):
    rng = random.Random(0)
    trained_on_it = BPETokenizer.train(random_text(rng, 3_000), vocab_size=400)
    for _ in range(100):
        text = random_text(rng, rng.randint(0, 60))
        assert small.decode(small.encode(text)) == text
        assert trained_on_it.decode(trained_on_it.encode(text)) == text


def test_bytes_are_the_first_256_ids(small):
    assert small.truncated(0).encode("é中") == list("é中".encode())  # 2 + 3 bytes
    assert small.decode([0xC3, 0xA9]) == "é"
    assert small.decode([0xC3]) == "\ufffd"  # half a character shows as the replacement char


def test_decode_accepts_a_tensor(small):
    ids = small.encode("To be, or not to be")
    assert small.decode(torch.tensor(ids)) == "To be, or not to be"


def test_special_tokens_get_the_last_ids_and_are_never_split():
    text = "the cat sat on the mat. the cat's hat. " * 4
    tok = BPETokenizer.train(text, vocab_size=268, special_tokens=["<|endoftext|>", "<pad>"])
    assert len(tok.merges) == 10 and tok.vocab_size == 268
    assert tok.special_tokens == {"<|endoftext|>": 266, "<pad>": 267}
    ids = tok.encode("the cat<|endoftext|>the hat<pad>")
    assert ids.count(266) == 1 and ids[-1] == 267
    assert tok.decode(ids) == "the cat<|endoftext|>the hat<pad>"
    assert tok.token_strings([266]) == ["<|endoftext|>"]
    assert tok.decode(tok.encode("<|endoftext")) == "<|endoftext"  # not special: plain bytes
    assert 266 not in tok.encode("<|endoftext")


def test_special_tokens_in_the_training_text_are_not_learned_from():
    with pytest.warns(UserWarning, match="Only 1 merge possible"):
        tok = BPETokenizer.train("ab<|end|>" * 50, vocab_size=262, special_tokens=["<|end|>"])
    assert tok.merges == [(97, 98)]  # only 'ab': nothing merges with or across the special
    assert all(b"|" not in tok.vocab[i] for i in range(256, len(tok.vocab)))


def test_repr(small):
    expected = "BPETokenizer(vocab_size=300, merges=44, pattern=GPT-2, special_tokens=[])"
    assert repr(small) == expected
    assert "pattern=None" in repr(BPETokenizer(pattern=None))
    assert "pattern=custom" in repr(BPETokenizer(pattern=r"\S+|\s+"))


# --- saving and loading --------------------------------------------------------------------------


def test_save_and_load_round_trip(small, tmp_path):
    tok = BPETokenizer(small.merges, special_tokens=["<|endoftext|>"])
    tok.merge_counts = small.merge_counts
    path = tmp_path / "tok.json"
    tok.save(path)
    loaded = BPETokenizer.load(path)
    assert loaded.merges == tok.merges and loaded.pattern == tok.pattern
    assert loaded.special_tokens == tok.special_tokens
    assert loaded.merge_counts == small.merge_counts
    text = "Now is the winter of our discontent 你好 <|endoftext|>"
    assert loaded.encode(text) == tok.encode(text)


def test_saved_file_is_readable_json(small, tmp_path):
    path = tmp_path / "tok.json"
    small.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "lessons_lib.BPETokenizer" and data["version"] == 1
    assert data["merges"][0] == list(small.merges[0])
    readable = data["tokens (for reading only)"]
    assert readable["256"] == small.vocab[256].decode("utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "is not a saved BPETokenizer"),
        ('{"format": "something else"}', "is not a saved BPETokenizer"),
        ('{"format": "lessons_lib.BPETokenizer", "version": 2}', "has version 2; expected 1"),
        (
            '{"format": "lessons_lib.BPETokenizer", "version": 1, "pattern": null, '
            '"special_tokens": []}',
            "'merges' is missing or of the wrong type",
        ),
        (
            '{"format": "lessons_lib.BPETokenizer", "version": 1, "pattern": null, '
            '"special_tokens": [], "merges": [[97, 300]]}',
            r"is corrupt: Merge 0 is \[97, 300\]",
        ),
        (
            '{"format": "lessons_lib.BPETokenizer", "version": 1, "pattern": 5, '
            '"special_tokens": [], "merges": []}',
            "'pattern' is missing or of the wrong type",
        ),
    ],
)
def test_corrupt_files_raise_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        BPETokenizer.load(path)
    assert "Fix: load a file written by BPETokenizer.save(path)" in str(info.value)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vocab_size", [0, 100, 255])
def test_vocab_size_below_256_is_rejected(vocab_size):
    with pytest.raises(ValueError, match=f"at least 256 .* got {vocab_size}. Try 512"):
        BPETokenizer.train("hello", vocab_size)


def test_vocab_size_must_leave_room_for_special_tokens():
    with pytest.raises(ValueError, match="plus 1 special tokens, got 256"):
        BPETokenizer.train("hello", 256, special_tokens=["<|endoftext|>"])


@pytest.mark.parametrize("vocab_size", [512.0, "512", True])
def test_vocab_size_must_be_an_int(vocab_size):
    with pytest.raises(TypeError, match="vocab_size must be an int"):
        BPETokenizer.train("hello", vocab_size)


@pytest.mark.parametrize("text", [b"bytes", ["a", "list"], None, 42])
def test_text_must_be_a_str(small, text):
    with pytest.raises(TypeError, match=r"text must be a str, got .*Fix: "):
        BPETokenizer.train(text, 300)
    with pytest.raises(TypeError, match=r"text must be a str, got .*Fix: "):
        small.encode(text)


@pytest.mark.parametrize("bad", [-1, 300, 10**6])
def test_decode_unknown_ids(small, bad):
    with pytest.raises(ValueError, match=f"Unknown token id {bad}: .* ids 0..299"):
        small.decode([104, bad])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["a"], r"ids must hold int token ids, got 'a' \(a str\)"),
        ([97.9], r"ids must hold int token ids, got 97\.9 \(a float\)"),
        ([97, False], r"ids must hold int token ids, got False \(a bool\) at position 1"),
        ("012", r"ids must be a sequence of int token ids, got '012'\. A str is text"),
        (torch.tensor([97.0]), r"ids must be a 1-D sequence of integer token ids"),
        (97, r"ids must be a sequence .*wrap it in a list: \[97\]"),
    ],
)
def test_decode_refuses_non_integers(small, bad, message):
    with pytest.raises(TypeError, match=message):
        small.decode(bad)
    with pytest.raises(TypeError, match=message):
        small.token_strings(bad)


def test_token_bytes_takes_one_int_id(small):
    assert small.token_bytes(97) == small.token_bytes(torch.tensor(97)) == b"a"
    with pytest.raises(TypeError, match=r"token_id must hold int token ids, got 97\.9"):
        small.token_bytes(97.9)


@pytest.mark.parametrize(
    ("merges", "message"),
    [
        ([(97, 256)], r"Merge 0 is \(97, 256\): .* below 256"),
        ([(97, 98), (98, 300)], r"Merge 1 is \(98, 300\)"),
        ([(97,)], "Merge 0"),
        (["ab"], "Merge 0"),
        ([(97, 98), (97, 98)], "The same pair is merged twice"),
        ([(-1, 97)], "Merge 0"),
    ],
)
def test_bad_merges_are_rejected(merges, message):
    with pytest.raises(ValueError, match=message):
        BPETokenizer(merges)


@pytest.mark.parametrize("make", [BPETokenizer, lambda **kw: BPETokenizer.train("ab", 300, **kw)])
def test_special_tokens_must_be_a_list_of_strings(make):
    # a str alone would make one special token per character: "<", "e", "o", "s", ">"
    with pytest.raises(TypeError, match=r"special_tokens must be a list .*\['<eos>'\]"):
        make(special_tokens="<eos>")
    with pytest.raises(TypeError, match="special_tokens must be strs"):
        make(special_tokens=["<eos>", 7])
    with pytest.raises(TypeError, match="special_tokens must be a list of strs, got None"):
        make(special_tokens=None)


def test_bad_special_tokens_and_pattern_are_rejected():
    with pytest.raises(ValueError, match="non-empty strings"):
        BPETokenizer(special_tokens=[""])
    with pytest.raises(ValueError, match="pattern is not a valid regular expression"):
        BPETokenizer(pattern="[a-z")
    with pytest.raises(TypeError, match="pattern must be a regular expression"):
        BPETokenizer.train("hello", 260, pattern=42)
    with pytest.raises(TypeError, match="verbose must be True or False, got 'False'"):
        BPETokenizer.train("hello", 260, verbose="False")
    with pytest.raises(ValueError, match="listed twice"):
        BPETokenizer(special_tokens=["<a>", "<a>"])
    with pytest.raises(TypeError, match="pattern must be a regular expression"):
        BPETokenizer(pattern=42)


def test_a_pattern_that_skips_characters_is_caught():
    tok = BPETokenizer(pattern=r"[a-z]+")
    with pytest.raises(ValueError, match="skips some characters"):
        tok.encode("hello world")
    with pytest.raises(ValueError, match="skips some characters"):
        BPETokenizer.train("hello world", 260, pattern=r"[a-z]+")


@pytest.mark.parametrize("num_merges", [-1, 45, 2.0, True])
def test_truncated_checks_its_argument(small, num_merges):
    with pytest.raises(ValueError, match="num_merges must be an int from 0 to 44"):
        small.truncated(num_merges)


@pytest.mark.parametrize(
    ("ids", "pair", "new_id", "message"),
    [
        ("abc", (97, 98), 256, r"ids must be a list of int ids, got 'abc'.*text.encode"),
        (b"ab", (97, 98), 256, r"ids must be a list of int ids, got b'ab'"),
        (torch.tensor([97, 98]), (97, 98), 256, r"ids must be a list.*Fix: list\(ids\)"),
        ([97, 98], ("a", "b"), 256, r"pair must be two int ids"),
        ([97, 98], (97,), 256, r"pair must be two int ids"),
        ([97, 98], (97, 98), 256.0, r"new_id an int"),
    ],
)
def test_merge_pair_refuses_what_is_not_ids(ids, pair, new_id, message):
    with pytest.raises(TypeError, match=message):
        merge_pair(ids, pair, new_id)


def test_merge_pair_takes_a_tuple_of_ids():
    assert merge_pair((97, 98, 97, 98), [97, 98], 256) == [256, 256]


def test_the_pattern_leaves_file_separators_to_punctuation():
    # U+001C..U+001F are whitespace to Python's \s but not to GPT-2's regex
    assert split_text("a\x1cb", GPT2_SPLIT_PATTERN) == ["a", "\x1c", "b"]
    assert split_text("a \x1f\x1e b\t\x1d", GPT2_SPLIT_PATTERN) == [
        "a", " \x1f\x1e", " b", "\t", "\x1d"
    ]  # fmt: skip


def test_save_and_load_need_a_path(small):
    with pytest.raises(TypeError, match="path must be a path"):
        small.save(None)
    with pytest.raises(TypeError, match="path must be a path"):
        BPETokenizer.load(3)
