"""Byte-level BPE (byte-pair encoding), built from scratch (chapter 02).

Every text is first turned into its UTF-8 bytes, so ids 0..255 are the 256 bytes and any
string at all (accents, Chinese, emoji) can be encoded. Training then repeats one step: find
the most frequent pair of neighbouring ids and give it a new id. Each such **merge** adds one
token to the vocabulary.

>>> tok = BPETokenizer.train("aaabdaaabac", vocab_size=259, pattern=None)
>>> tok.merges                      # aa -> 256, then ab -> 257, then (aa)(ab) -> 258
[(97, 97), (97, 98), (256, 257)]
>>> tok.encode("aaabdaaabac")       # 11 bytes become 5 tokens: (aaab) d (aaab) a c
[258, 100, 258, 97, 99]
>>> tok.decode([258, 100])
'aaabd'

Training is fast because it never rescans the text: the text is pre-split into chunks (words
with their leading space, numbers, punctuation), identical chunks are counted once and
weighted by how often they occur, and after each merge only the chunks that contained the
merged pair update their pair counts.
"""

from __future__ import annotations

import heapq
import json
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from .._checks import boolean, is_int, path_like
from .inputs import as_token_ids, check_merge, check_special_tokens, check_text, split_specials

GPT2_SPLIT_PATTERN = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|[_\x1c-\x1f])+"""
    r"""|[^\S\x1c-\x1f]+(?![\S\x1c-\x1f])|[^\S\x1c-\x1f]+"""
)
"""GPT-2's pre-split pattern, written for Python's ``re``: ``[^\\W\\d_]`` is "a letter" (GPT-2
writes ``\\p{L}``). Chunks are contractions, words, numbers and punctuation runs, each with at
most one leading space, and runs of whitespace; merges never cross a chunk's border.
Whitespace is ``\\s`` less U+001C..U+001F, which Python counts as spaces and GPT-2 (and
Hugging Face) do not. Still different: numerals such as ``²`` (letters to ``re``) and
characters newer than Python's Unicode tables (``unicodedata.unidata_version``)."""

FILE_FORMAT = "lessons_lib.BPETokenizer"
_CACHE_LIMIT = 100_000  # chunks whose encoding encode() remembers


def merge_pair(ids: Sequence[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids``, left to right, by ``new_id``.

    >>> merge_pair([97, 97, 97, 98], (97, 97), 256)   # 'aaab': the first two a's merge
    [256, 97, 98]
    """
    check_merge(ids, pair, new_id)  # a str for ids would silently merge nothing
    merged, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            merged.append(new_id)
            i += 2
        else:
            merged.append(ids[i])
            i += 1
    return merged


def split_text(text: str, pattern: str | None) -> list[str]:
    """The chunks BPE works on: ``pattern``'s matches, or the whole text if ``pattern`` is None."""
    if pattern is None:
        return [text] if text else []
    chunks = re.findall(pattern, text)
    if sum(map(len, chunks)) != len(text):
        raise ValueError(
            "The pre-split pattern skips some characters, so they would be lost. Fix: use a "
            "pattern whose alternatives cover every character (end it with |\\s+|\\S), or "
            "GPT2_SPLIT_PATTERN, or pattern=None."
        )
    return chunks


class BPETokenizer:
    """A byte-level BPE tokenizer: ``merges[i]`` is the pair of ids that became id ``256 + i``.

    Build one with :meth:`train`; then ``encode(text) -> list[int]`` and
    ``decode(ids) -> str`` round-trip any string exactly. Special tokens (such as
    ``"<|endoftext|>"``) get the ids after the merges and are never split.
    """

    def __init__(
        self,
        merges: Iterable[Sequence[int]] = (),
        pattern: str | None = GPT2_SPLIT_PATTERN,
        special_tokens: Iterable[str] = (),
    ):
        self.merges: list[tuple[int, int]] = []
        self.vocab: list[bytes] = [bytes([b]) for b in range(256)]  # id -> the bytes it stands for
        for i, pair in enumerate(merges):
            ok = not isinstance(pair, str | bytes) and len(pair) == 2
            if not ok or not all(is_int(x) and 0 <= x < 256 + i for x in pair):
                raise ValueError(
                    f"Merge {i} is {pair!r}: each merge must be a pair of existing ids, below "
                    f"{256 + i} (the 256 bytes and the {i} merges before it)."
                )
            self.merges.append((int(pair[0]), int(pair[1])))
            self.vocab.append(self.vocab[pair[0]] + self.vocab[pair[1]])
        self.ranks = {pair: 256 + i for i, pair in enumerate(self.merges)}  # pair -> new id
        if len(self.ranks) != len(self.merges):
            raise ValueError("The same pair is merged twice: each merge must be a new pair.")
        if pattern is not None and not isinstance(pattern, str):
            raise TypeError(f"pattern must be a regular expression (str) or None, got {pattern!r}.")
        try:
            re.compile(pattern or "")
        except re.error as err:
            raise ValueError(f"pattern is not a valid regular expression ({err}).") from None
        self.pattern = pattern
        special_tokens = check_special_tokens(special_tokens)
        first = len(self.vocab)
        self.special_tokens: dict[str, int] = {s: first + i for i, s in enumerate(special_tokens)}
        if len(self.special_tokens) != len(special_tokens):
            raise ValueError(f"A special token is listed twice: {special_tokens!r}.")
        self.merge_counts: list[int] | None = None  # occurrences of each pair when it merged
        self._cache: dict[str, list[int]] = {}

    # --- training -------------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        text: str,
        vocab_size: int,
        pattern: str | None = GPT2_SPLIT_PATTERN,
        special_tokens: Iterable[str] = (),
        verbose: bool = False,
    ) -> BPETokenizer:
        """Learn ``vocab_size - 256 - len(special_tokens)`` merges from ``text``.

        Each step merges the most frequent pair; ties go to the pair with the smaller ids.
        Merges stay inside the chunks of ``pattern`` (GPT-2's; None: the text is one chunk).
        Hugging Face's trainer breaks ties by its own byte order (printable stand-ins, from
        ``bytes_to_unicode``, by code point: ``a`` and ``\\xe4`` before the space, controls,
        ``\\x80``-``\\xa0`` and ``\\xad``), so after a tie the merges may differ; without one
        they are the same (tests/tokenization/test_hf_bridge.py pins both)."""
        check_text(text)
        special_tokens = check_special_tokens(special_tokens)
        cls((), pattern, special_tokens)  # checks the pattern and the special tokens early
        boolean(verbose, "verbose")
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
            raise TypeError(f"vocab_size must be an int, got {vocab_size!r}.")
        if vocab_size < 256 + len(special_tokens):
            raise ValueError(
                f"vocab_size must be at least 256 (one id per byte) plus {len(special_tokens)} "
                f"special tokens, got {vocab_size}. Try 512."
            )
        parts = split_specials(text, special_tokens)  # special tokens are not learned from
        chunk_counts = Counter(c for part in parts[::2] for c in split_text(part, pattern))
        words = [list(chunk.encode("utf-8")) for chunk in chunk_counts]  # each chunk's ids
        freqs = list(chunk_counts.values())  # how often each chunk occurs in the text
        pair_counts: Counter = Counter()  # pair -> occurrences, weighted by chunk frequency
        where: defaultdict[tuple[int, int], set[int]] = defaultdict(set)  # pair -> chunk indices
        for index, (word, freq) in enumerate(zip(words, freqs, strict=True)):
            for pair in zip(word, word[1:], strict=False):
                pair_counts[pair] += freq
                where[pair].add(index)
        heap = [(-count, pair) for pair, count in pair_counts.items()]  # max count, then min pair
        heapq.heapify(heap)

        merges: list[tuple[int, int]] = []
        counts: list[int] = []
        vocab = [bytes([b]) for b in range(256)]  # id -> bytes, for the verbose log
        num_merges = vocab_size - 256 - len(special_tokens)
        while len(merges) < num_merges and heap:
            negative_count, pair = heapq.heappop(heap)
            if pair_counts.get(pair, 0) != -negative_count:
                continue  # an outdated entry: this pair's count has changed since
            new_id = 256 + len(merges)
            merges.append(pair)
            counts.append(-negative_count)
            vocab.append(vocab[pair[0]] + vocab[pair[1]])
            if verbose:
                token = vocab[new_id].decode("utf-8", "replace")
                print(
                    f"merge {len(merges)}/{num_merges}: {pair} -> {new_id} {token!r} "
                    f"({-negative_count} occurrences)"
                )
            changed: defaultdict[tuple[int, int], int] = defaultdict(int)  # pair -> its change
            for index in where.pop(pair):
                old = words[index]
                new = merge_pair(old, pair, new_id)
                freq = freqs[index]
                for p in zip(old, old[1:], strict=False):  # the chunk's old pairs go ...
                    changed[p] -= freq
                for p in zip(new, new[1:], strict=False):  # ... and its new pairs come
                    changed[p] += freq
                    where[p].add(index)
                words[index] = new
            for p, delta in changed.items():
                if delta:
                    pair_counts[p] += delta
                    if pair_counts[p] > 0:
                        heapq.heappush(heap, (-pair_counts[p], p))
                    else:
                        del pair_counts[p]
        if len(merges) < num_merges:
            size = 256 + len(merges) + len(special_tokens)
            warnings.warn(
                f"Only {len(merges)} merge{'s' * (len(merges) != 1)} possible (every chunk is "
                f"a single token now), so the vocabulary has {size} tokens, not {vocab_size}. "
                "Train on more text for a larger vocabulary.",
                stacklevel=2,
            )
        tokenizer = cls(merges, pattern=pattern, special_tokens=special_tokens)
        tokenizer.merge_counts = counts
        return tokenizer

    # --- encoding and decoding --------------------------------------------------------------------

    @property
    def vocab_size(self) -> int:
        """How many ids there are: 256 bytes + the merges + the special tokens."""
        return len(self.vocab) + len(self.special_tokens)

    def encode(self, text: str) -> list[int]:
        """The token ids of ``text``: its UTF-8 bytes, merged in the order they were learned."""
        check_text(text)
        ids: list[int] = []
        for i, part in enumerate(split_specials(text, self.special_tokens)):
            if i % 2:  # the odd parts are the special tokens
                ids.append(self.special_tokens[part])
                continue
            for chunk in split_text(part, self.pattern):
                ids.extend(self.encode_chunk(chunk))
        return ids

    def encode_chunk(self, chunk: str) -> list[int]:
        """The ids of one pre-split chunk (remembered, as text repeats itself a lot)."""
        cached = self._cache.get(chunk)
        if cached is not None:
            return cached
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            # the pair that was merged first during training goes first
            pairs = zip(ids, ids[1:], strict=False)
            pair = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if pair not in self.ranks:
                break  # no pair left that training merged
            ids = merge_pair(ids, pair, self.ranks[pair])
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[chunk] = ids
        return ids

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes that id ``token_id`` stands for (a special token: its UTF-8 bytes)."""
        [token_id] = as_token_ids([token_id], "token_id")  # an int, numpy or torch integer
        if 0 <= token_id < len(self.vocab):
            return self.vocab[token_id]
        for special, special_id in self.special_tokens.items():
            if special_id == token_id:
                return special.encode("utf-8")
        raise ValueError(
            f"Unknown token id {token_id}: this tokenizer has ids 0..{self.vocab_size - 1}. "
            "Decode with the tokenizer that encoded the ids."
        )

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids`` (a list or 1-D tensor). Bytes that do not form whole UTF-8
        characters (a token sequence cut mid-character) show as the replacement character �."""
        vocab, ids = self.vocab, as_token_ids(ids)  # vocab: the fast path for most ids
        data = b"".join(vocab[i] if 0 <= i < len(vocab) else self.token_bytes(i) for i in ids)
        return data.decode("utf-8", errors="replace")

    def token_strings(self, ids: Iterable[int]) -> list[str]:
        """Each id's text on its own (partial UTF-8 bytes show as �): the tokens as we see them."""
        return [self.token_bytes(i).decode("utf-8", errors="replace") for i in as_token_ids(ids)]

    def truncated(self, num_merges: int) -> BPETokenizer:
        """The same tokenizer with only its first ``num_merges`` merges.

        Training is greedy, so this equals training with ``vocab_size=256 + num_merges``.
        Special tokens move to the new ids after the merges.
        """
        if not is_int(num_merges) or not 0 <= num_merges <= len(self.merges):
            raise ValueError(
                f"num_merges must be an int from 0 to {len(self.merges)}, got {num_merges!r}."
            )
        smaller = BPETokenizer(self.merges[:num_merges], self.pattern, self.special_tokens)
        if self.merge_counts is not None:
            smaller.merge_counts = self.merge_counts[:num_merges]
        return smaller

    # --- saving and loading -----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the tokenizer as readable JSON: the merges in order, plus each new token's text."""
        data = {
            "format": FILE_FORMAT,
            "version": 1,
            "pattern": self.pattern,
            "special_tokens": list(self.special_tokens),
            "merges": [list(pair) for pair in self.merges],
            "merge_counts": self.merge_counts,
            "tokens (for reading only)": {
                str(256 + i): self.vocab[256 + i].decode("utf-8", errors="backslashreplace")
                for i in range(len(self.merges))
            },
        }
        text = json.dumps(data, indent=1, ensure_ascii=False)
        path_like(path, "path").write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """Read a tokenizer written by :meth:`save`."""
        fix = "Fix: load a file written by BPETokenizer.save(path), or train the tokenizer again."
        try:
            data = json.loads(path_like(path, "path").read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not valid JSON ({err}). {fix}") from None
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not a saved BPETokenizer (no {FILE_FORMAT!r}). {fix}")
        if data.get("version") != 1:
            raise ValueError(f"{path} has version {data.get('version')!r}; expected 1. {fix}")
        kinds = {"merges": list, "special_tokens": list, "pattern": (str, type(None))}
        for key, kind in kinds.items():
            if not isinstance(data.get(key, 0), kind):
                raise ValueError(f"{path}: {key!r} is missing or of the wrong type. {fix}")
        try:
            tokenizer = cls(data["merges"], data["pattern"], data["special_tokens"])
        except (TypeError, ValueError) as err:
            raise ValueError(f"{path} is corrupt: {err} {fix}") from None
        counts = data.get("merge_counts")
        if isinstance(counts, list) and len(counts) == len(tokenizer.merges):
            tokenizer.merge_counts = [int(c) for c in counts]
        return tokenizer

    def __repr__(self) -> str:
        pattern = {None: "None", GPT2_SPLIT_PATTERN: "GPT-2"}.get(self.pattern, "custom")
        return (
            f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)}, "
            f"pattern={pattern}, special_tokens={list(self.special_tokens)})"
        )
