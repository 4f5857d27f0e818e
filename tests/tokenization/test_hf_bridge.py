"""Our byte-level BPE against Hugging Face tokenizers (tokenization.hf_bridge), all offline."""

from __future__ import annotations

import random
import warnings
from collections import Counter

import pytest

from lessons_lib import BPETokenizer
from lessons_lib.data.shakespeare import shakespeare, train_val_split
from lessons_lib.tokenization.bpe import GPT2_SPLIT_PATTERN, merge_pair, split_text
from lessons_lib.tokenization.hf_bridge import (
    bytes_to_unicode,
    from_byte_level,
    hf_merges,
    our_merges,
    to_byte_level,
    to_hf,
    train_hf_bpe,
)

pytest.importorskip("tokenizers")
from tokenizers import pre_tokenizers  # noqa: E402

MULTILINGUAL = (
    "To be, or not to be: that is the question. It's 1599; we'll see.\n\n"
    "héllo wörld — naïve café. 你好，世界！分词器把文本切成词元。 Привет, мир! "
    "مرحبا بالعالم 🙂👍🏽 snake_case __init__ a-b--c   spaces\t\ttabs\r\n"
)


@pytest.fixture(scope="module")
def corpus() -> tuple[str, str]:
    train_text, val_text = train_val_split(shakespeare(), 0.9)
    return train_text[:300_000], val_text[:100_000]


@pytest.fixture(scope="module")
def ours(corpus) -> BPETokenizer:
    return BPETokenizer.train(corpus[0], vocab_size=512)


@pytest.fixture(scope="module")
def theirs(corpus):
    return train_hf_bpe(corpus[0], vocab_size=512)


def test_byte_level_alphabet():
    table = bytes_to_unicode()
    assert len(table) == 256 and len(set(table.values())) == 256
    assert table[32] == "Ġ" and table[10] == "Ċ" and table[ord("a")] == "a"
    assert set(table.values()) == set(pre_tokenizers.ByteLevel.alphabet())
    data = bytes(range(256))
    assert from_byte_level(to_byte_level(data)) == data
    assert to_byte_level(b" the") == "Ġthe"
    with pytest.raises(ValueError, match="is not a byte-level character"):
        from_byte_level("中")


@pytest.mark.parametrize("text", [MULTILINGUAL, shakespeare()[:100_000]])
def test_our_pre_split_equals_hugging_faces(text):
    hf = [
        piece
        for piece, _ in pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(text)
    ]
    assert [to_byte_level(chunk.encode()) for chunk in split_text(text, GPT2_SPLIT_PATTERN)] == hf


def test_known_difference_of_the_pre_split_rare_numerals():
    # Python's re counts numerals such as ² (not digits 0-9) as letters; GPT-2's \p{N} does not.
    assert split_text("x²", GPT2_SPLIT_PATTERN) == ["x²"]
    hf = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str("x²")
    assert [piece for piece, _ in hf] == ["x", to_byte_level("²".encode())]


def test_same_merges_as_hugging_face_up_to_the_order_of_ties(ours, theirs):
    mine, hf = our_merges(ours), hf_merges(theirs)
    assert len(mine) == len(hf) == 256
    assert set(mine) == set(hf)
    counts = ours.merge_counts
    # wherever the count drops, both have made exactly the same merges so far
    boundaries = [i + 1 for i in range(255) if counts[i] > counts[i + 1]]
    assert len(boundaries) > 150  # most counts are distinct, so this pins the order
    for end in boundaries:
        assert set(mine[:end]) == set(hf[:end]), f"merges differ before merge {end}"
    assert mine[:20] == hf[:20]


def test_same_compression_as_hugging_face(corpus, ours, theirs):
    val_text = corpus[1]
    n_bytes = len(val_text.encode("utf-8"))
    ours_tpb = len(ours.encode(val_text)) / n_bytes
    hf_tpb = len(theirs.encode(val_text).ids) / n_bytes
    assert ours_tpb == pytest.approx(hf_tpb, abs=1e-3)
    assert theirs.decode(theirs.encode(val_text).ids) == val_text


def test_our_merges_inside_hugging_face_encode_exactly_like_us(corpus, ours):
    hf = to_hf(ours)
    for text in [corpus[1][:20_000], MULTILINGUAL, ""]:
        assert hf.encode(text).ids == ours.encode(text)
        assert hf.decode(ours.encode(text)) == text
    rng = random.Random(0)
    for _ in range(50):
        text = "".join(
            chr(
                rng.choice(
                    [
                        rng.randint(32, 126),
                        rng.randint(0x4E00, 0x9FFF),
                        rng.randint(0x1F300, 0x1FAFF),
                        10,
                    ]
                )
            )
            for _ in range(rng.randint(1, 40))
        )
        assert hf.encode(text).ids == ours.encode(text), repr(text)


def test_to_hf_with_special_tokens_and_without_a_pattern(ours):
    text = "the end<|endoftext|>The beginning"
    special = BPETokenizer(ours.merges, special_tokens=["<|endoftext|>"])
    assert to_hf(special).encode(text).ids == special.encode(text)
    whole = BPETokenizer(ours.merges[:50], pattern=None)
    assert to_hf(whole).encode(MULTILINGUAL).ids == whole.encode(MULTILINGUAL)


def test_bad_input_is_explained(ours):
    with pytest.raises(ValueError, match="knows only GPT-2's pattern"):
        to_hf(BPETokenizer(ours.merges, pattern=r"\S+|\s+"))
    with pytest.raises(TypeError, match="to_hf expects a BPETokenizer, got dict"):
        to_hf({})
    with pytest.raises(ValueError, match="at least 256, got 100"):
        train_hf_bpe("hello", 100)
    with pytest.raises(TypeError, match="expects the text as a str"):
        train_hf_bpe(["hello"], 300)


def test_pre_split_equals_hugging_faces_around_file_separators():
    # U+001C..U+001F are whitespace to Python's \s but not to GPT-2's regex (Rust's \s)
    rng = random.Random(0)
    alphabet = "ab1 \t\n\r\x0b\x1c\x1d\x1e\x1f'_.,中é\u00a0\u2028\x85"
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        hf = [piece for piece, _ in byte_level.pre_tokenize_str(text)]
        ours = split_text(text, GPT2_SPLIT_PATTERN)
        assert [to_byte_level(chunk.encode()) for chunk in ours] == hf, repr(text)


# --- ties: what agreement with Hugging Face's trainer is promised --------------------------------


def _hf_rank(token_id: int) -> tuple[int, ...]:
    """Hugging Face's id for a byte: the rank of its printable stand-in's code point."""
    table = bytes_to_unicode()
    order = sorted(range(256), key=lambda b: table[b])
    return order.index(token_id) if token_id < 256 else token_id


def _textbook_merges(text: str, vocab_size: int, hf_ties: bool) -> list[tuple[bytes, bytes]]:
    """The textbook algorithm (recount everything before each merge), ties broken by the
    smaller ids (ours) or by Hugging Face's byte order (``hf_ties``), as pairs of bytes."""
    counts = Counter(split_text(text, GPT2_SPLIT_PATTERN))
    words = {chunk: list(chunk.encode()) for chunk in counts}
    vocab, merges = [bytes([b]) for b in range(256)], []
    key = (lambda p: (_hf_rank(p[0]), _hf_rank(p[1]))) if hf_ties else (lambda p: p)
    while len(vocab) < vocab_size:
        pairs = Counter()
        for chunk, ids in words.items():
            for pair in zip(ids, ids[1:], strict=False):
                pairs[pair] += counts[chunk]
        if not pairs:
            break
        top = max(pairs.values())
        pair = min((p for p, n in pairs.items() if n == top), key=key)
        merges.append((vocab[pair[0]], vocab[pair[1]]))
        words = {chunk: merge_pair(ids, pair, len(vocab)) for chunk, ids in words.items()}
        vocab.append(vocab[pair[0]] + vocab[pair[1]])
    return merges


def test_ties_inside_multi_byte_characters_break_differently():
    """The first merge of "✨✨✨" (bytes e2 9c a8, three times) is a three-way tie: we take
    9c a8 (smaller bytes), Hugging Face e2 9c (e2 is the printable â, 9c is not)."""
    ours = our_merges(BPETokenizer.train("✨✨✨", vocab_size=258))
    assert ours == [(b"\x9c", b"\xa8"), (b"\xe2", b"\x9c\xa8")]
    assert hf_merges(train_hf_bpe("✨✨✨", vocab_size=258)) == [
        (b"\xe2", b"\x9c"),
        (b"\xe2\x9c", b"\xa8"),
    ]
    # after a tie broken differently the merges differ, not only their order: on "中文" ours
    # first learns ad e6, the end of 中 and the start of 文, a token spanning two characters;
    # Hugging Face learns 中 whole
    text = "中文 " * 8
    ours = our_merges(BPETokenizer.train(text, vocab_size=262))
    theirs = hf_merges(train_hf_bpe(text, vocab_size=262))
    assert ours[1] == (b"\xad", b"\xe6") and (b"\xad", b"\xe6") not in theirs
    assert "中".encode() in {a + b for a, b in theirs} - {a + b for a, b in ours}
    assert ours[-1] == theirs[-1] == (b" ", "中文".encode())


@pytest.mark.parametrize("seed", range(3))
def test_the_only_difference_from_hugging_faces_trainer_is_the_order_of_ties(seed):
    """The textbook algorithm gives our merges with our ties and Hugging Face's with its
    ties, on random text full of ties and multi-byte characters."""
    rng = random.Random(seed)
    for _ in range(20):
        alphabet = rng.sample("ab cé中文✨🙂\n\t,.!?xyz\x00\x7f", 8)
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 80)))
        size = 256 + rng.randint(1, 20)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Only n merges possible" on the short texts
            ours = our_merges(BPETokenizer.train(text, size))
        assert ours == _textbook_merges(text, size, hf_ties=False), repr(text)
        theirs = hf_merges(train_hf_bpe(text, size))
        assert theirs == _textbook_merges(text, size, hf_ties=True), repr(text)
