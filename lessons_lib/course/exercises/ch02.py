"""Chapter 02's exercises: pair counts over chunks, encoding a word by hand, a token's bytes."""

from __future__ import annotations

import functools

from ...tokenization.bpe import BPETokenizer, merge_pair
from . import exercise, returned

# A small text to train the checkers' tokenizer on: English, a contraction, and Chinese.
_PRACTICE_TEXT = (
    "the cat sat on the mat; that hat is the cat's hat, and the mat is the cat's mat. "
    "then the cat and the hat sat there. 猫在垫子上，猫在帽子里。猫在这里。"
)


@functools.lru_cache(maxsize=1)
def practice_tokenizer() -> BPETokenizer:
    """A byte-level BPE with 40 merges, trained on a few sentences (the checkers use it)."""
    return BPETokenizer.train(_PRACTICE_TEXT, vocab_size=256 + 40)


def count_chunk_pairs(chunk_counts: dict[tuple[int, ...], int]) -> dict[tuple[int, int], int]:
    """Pair counts over distinct chunks: each chunk's neighbour pairs, times how often it occurs."""
    counts: dict[tuple[int, int], int] = {}
    for chunk, freq in chunk_counts.items():
        for pair in zip(chunk, chunk[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + freq
    return counts


def encode_word(word: str, merges: list[tuple[int, int]]) -> list[int]:
    """The ids of ``word``: its UTF-8 bytes, then every merge replayed in order
    (merge ``i`` turns the pair ``merges[i]`` into id ``256 + i``)."""
    ids = list(word.encode("utf-8"))
    for i, pair in enumerate(merges):
        merged, j = [], 0
        while j < len(ids):
            if j + 1 < len(ids) and (ids[j], ids[j + 1]) == tuple(pair):
                merged.append(256 + i)
                j += 2
            else:
                merged.append(ids[j])
                j += 1
        ids = merged
    return ids


def token_bytes(token_id: int, merges: list[tuple[int, int]]) -> bytes:
    """The bytes that ``token_id`` stands for: a byte itself below 256, else its pair's bytes."""
    if token_id < 256:
        return bytes([token_id])
    left, right = merges[token_id - 256]
    return token_bytes(left, merges) + token_bytes(right, merges)


def _bytes_with_offset(
    token_id: int, merges: list[tuple[int, int]], offset: int, depth: int = 0
) -> bytes | None:
    """token_bytes with a wrong index offset (a common slip), to recognise it; None if the
    slip loops forever."""
    if token_id < 256:
        return bytes([token_id])
    if depth > len(merges):
        return None
    left, right = merges[token_id - offset]
    parts = [_bytes_with_offset(i, merges, offset, depth + 1) for i in (left, right)]
    return None if None in parts else parts[0] + parts[1]


def _encode_from(word: str, merges: list[tuple[int, int]], first_id: int) -> list[int]:
    """encode_word where merge ``i`` creates id ``first_id + i``: 256 is right, 255 and 257
    are common slips, which the checker recognises."""
    ids = list(word.encode("utf-8"))
    for i, pair in enumerate(merges):
        ids = merge_pair(ids, tuple(pair), first_id + i)
    return ids


def _as_pair_counts(got) -> dict[tuple[int, int], int]:
    got = returned(got)
    assert hasattr(got, "items"), (
        f"return a dict mapping each pair (a tuple of two ids) to its count, not "
        f"{type(got).__name__}"
    )
    return {tuple(int(i) for i in pair): int(n) for pair, n in got.items() if n}


@exercise("count_chunk_pairs", solution=count_chunk_pairs)
def check_count_chunk_pairs(answer) -> str:
    cases = [
        {(104, 105): 3, (104, 105, 105): 1},
        {(7, 7, 7): 2},
        {(1,): 5, (): 2},
        {},
        {(32, 116, 104, 101): 40, (116, 104, 101): 9, (32, 116, 111): 25},
    ]
    for chunk_counts in cases:
        want = count_chunk_pairs(chunk_counts)
        got = _as_pair_counts(answer(dict(chunk_counts)))
        once_per_chunk: dict[tuple[int, int], int] = {}
        for chunk, freq in chunk_counts.items():
            for pair in set(zip(chunk, chunk[1:], strict=False)):
                once_per_chunk[pair] = once_per_chunk.get(pair, 0) + freq
        if got == once_per_chunk and got != want:
            raise AssertionError(
                f"for {chunk_counts} you counted a pair once per chunk: a pair that occurs "
                "twice inside one chunk (7, 7 in the chunk 7, 7, 7) counts twice, each time "
                "times the chunk's frequency"
            )
        unweighted = count_chunk_pairs({chunk: 1 for chunk in chunk_counts})
        if got == unweighted and got != want:
            raise AssertionError(
                f"for {chunk_counts} you counted each chunk once: multiply each chunk's pairs "
                "by how often the chunk occurs (its value in the dict)"
            )
        short = sum(freq for chunk, freq in chunk_counts.items() if len(chunk) >= 2)
        if sum(want.values()) - sum(got.values()) == short and short:
            raise AssertionError(
                f"for {chunk_counts} you missed the last pair of each chunk: a chunk of n ids "
                "has n - 1 pairs, (chunk[i], chunk[i + 1]) for i = 0 .. n - 2"
            )
        assert got == want, f"for {chunk_counts} expected {want}, got {got}"
    return "correct: {(104, 105): 3, (104, 105, 105): 1} gives " + str(
        count_chunk_pairs({(104, 105): 3, (104, 105, 105): 1})
    )


@exercise("encode_word", solution=encode_word)
def check_encode_word(answer) -> str:
    tok = practice_tokenizer()
    merges = list(tok.merges)
    for word in [" the", " cat's", "hat", " that", "the", " mat", "猫在", "", " zebra", "aa"]:
        want = tok.encode(word)
        got = returned(answer(word, list(merges)))
        if any(isinstance(i, str) for i in got):
            raise AssertionError(
                "return ids (ints), not characters: start from the UTF-8 bytes, "
                "list(word.encode('utf-8'))"
            )
        got = [int(i) for i in got]
        if got == encode_word(word, merges[::-1]) and got != want:
            raise AssertionError(
                f"{word!r}: apply the merges in the order they were learned (merges[0] first)"
            )
        slips = [_encode_from(word, merges, first) for first in (255, 257)]
        if got != want and (got in slips or got == [i - 1 if i >= 256 else i for i in want]):
            raise AssertionError(
                f"{word!r}: merge i creates id 256 + i (merges[0] makes 256, merges[1] 257, ...)"
            )
        if any(not 0 <= i < 256 + len(merges) for i in got):
            raise AssertionError(
                f"encode_word({word!r}, merges) returned {got}, but with {len(merges)} merges "
                f"the ids go from 0 to {255 + len(merges)}: start from the UTF-8 bytes, "
                "list(word.encode('utf-8')), not from ord() of each character"
            )
        assert got == want, (
            f"encode_word({word!r}, merges) should be {want}, got {got}. Replay every merge "
            "in order over the whole list of ids (a merge can apply more than once). The "
            "check's merges: ex.ch02.practice_tokenizer().merges"
        )
    ids = tok.encode(" cat's")
    pieces = " + ".join(repr(piece) for piece in tok.token_strings(ids))
    return f'correct: " cat\'s" becomes {ids} = {pieces}'


@exercise("token_bytes", solution=token_bytes)
def check_token_bytes(answer) -> str:
    tok = practice_tokenizer()
    merges = list(tok.merges)
    for token_id in [97, 0, 255, 256, 257, len(tok.vocab) - 1, *range(260, len(tok.vocab), 7)]:
        want = tok.vocab[token_id]
        try:
            got = returned(answer(token_id, list(merges)))
        except IndexError as err:
            raise AssertionError(
                f"token_bytes({token_id}, merges) raised IndexError ({err}): merges has "
                f"{len(merges)} entries, and id 256 + i is made by merges[i], so look up "
                "merges[token_id - 256]"
            ) from None
        except ValueError as err:
            if token_id < 256 or "range(0, 256)" not in str(err):
                raise
            raise AssertionError(
                f"token_bytes({token_id}, merges) raised ValueError ({err}): an id from 256 "
                "on is not a byte but a merge: join the bytes of the two ids in "
                "merges[token_id - 256]"
            ) from None
        if isinstance(got, str):
            raise AssertionError(
                f"token_bytes({token_id}) returned the str {got!r}: return bytes, e.g. "
                "bytes([token_id]) for a single byte"
            )
        assert isinstance(got, bytes), f"return bytes, not {type(got).__name__}"
        if token_id >= 256 and got == _bytes_with_offset(token_id, merges, 257) != want:
            raise AssertionError(f"id {token_id} is made by merges[{token_id} - 256]")
        assert got == want, (
            f"token_bytes({token_id}, merges) should be {want!r}, got {got!r}. Below 256 an id "
            "is one byte; from 256 on it is the bytes of its two parts, joined."
        )
    last = len(tok.vocab) - 1
    return (
        f"correct: id {last} stands for {tok.vocab[last]!r}, the UTF-8 bytes of "
        f"{tok.vocab[last].decode('utf-8')!r}"
    )
