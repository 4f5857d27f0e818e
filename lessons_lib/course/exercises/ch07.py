"""Chapter 07's exercises: split a word with WordPiece, mean-pool with a mask, cosine
similarity, and name GPT-2's tensor for a module of the course's GPT."""

from __future__ import annotations

import torch

from ...models.gpt2_weights import hf_gpt2_name
from ...tokenization.wordpiece import wordpiece
from . import exercise, returned


def wordpiece_split(word: str, vocab: set[str]) -> list[str]:
    """Greedy longest-match-first: the longest piece of ``word`` in ``vocab`` from the
    start, then the longest ``##`` continuation, and so on; ``["[UNK]"]`` if stuck."""
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:  # try the longest candidate first, then shorter ones
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:  # no piece fits: the whole word is unknown
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def masked_mean(vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of each row's real vectors: vectors (B, T, C), mask (B, T) of 1/0 -> (B, C)."""
    weights = mask.to(vectors.dtype).unsqueeze(-1)  # (B, T, 1)
    return (vectors * weights).sum(1) / weights.sum(1)


def cosine_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Every row of ``a`` (N, C) against every row of ``b`` (M, C): cosines, (N, M)."""
    a = a / a.norm(dim=1, keepdim=True)
    b = b / b.norm(dim=1, keepdim=True)
    return a @ b.T


def _shortest_first(word: str, vocab: set[str]) -> list[str]:
    """The mistaken split that takes the *shortest* fitting piece each time."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def gpt2_name(our_name: str) -> str:
    """GPT-2's (Hugging Face's) name for one parameter of the course's GPT."""
    return hf_gpt2_name(our_name)


_VOCAB = {"un", "##aff", "##able", "play", "##ing", "##s", "the", "##e", "t", "##h", "a", "##b"}


@exercise("wordpiece_split", solution=wordpiece_split)
def check_wordpiece_split(answer) -> str:
    cases = ["unaffable", "playing", "plays", "the", "thee", "tha", "xyz", "ab", "play"]
    for word in cases:
        got = list(returned(answer(word, _VOCAB)))
        want = wordpiece(word, _VOCAB)
        if got == want:
            continue
        if got == _shortest_first(word, _VOCAB):
            raise AssertionError(
                f"{word!r}: got {got}: you took the shortest piece first; WordPiece takes "
                "the *longest* piece of the vocabulary that the word starts with, then goes on "
                f"(expected {want})"
            )
        if "[UNK]" in got and len(got) > 1:
            raise AssertionError(
                f"{word!r}: got {got}. When no piece fits, the whole word is ['[UNK]'], not the "
                "pieces found so far plus [UNK]"
            )
        if any(p.startswith("##") for p in got[:1]) or (
            len(got) > 1 and not all(p.startswith("##") for p in got[1:])
        ):
            raise AssertionError(
                f"{word!r}: got {got}. Only the first piece is bare; every later piece is "
                "looked up with '##' in front (it continues a word)"
            )
        if got == ["[UNK]"] and want != ["[UNK]"]:
            raise AssertionError(
                f"{word!r} can be split into {want}, got ['[UNK]']. Did you look up every "
                "piece after the first with '##' in front ('##ing', not 'ing')?"
            )
        if word == "xyz":
            raise AssertionError(
                f"'xyz' cannot be split with this vocabulary: return ['[UNK]'], got {got}"
            )
        if word == "tha" and got != ["[UNK]"]:
            raise AssertionError(
                f"'tha': 't', '##h' match, but nothing fits 'a' as a continuation ('##a' is not "
                f"in the vocabulary, 'a' is but only starts a word): the whole word is "
                f"['[UNK]'], got {got}"
            )
        raise AssertionError(f"{word!r}: expected {want}, got {got}")
    return "correct: greedy longest match first, '##' for continuations, [UNK] when stuck"


@exercise("masked_mean", solution=masked_mean)
def check_masked_mean(answer) -> str:
    vectors = torch.tensor(  # (B=2, T=3, C=4): C differs from B, so a wrong broadcast fails
        [
            [[1.0, 2.0, 0.0, 1.0], [3.0, 4.0, 2.0, 1.0], [50.0, 60.0, 70.0, 80.0]],
            [[2.0, 0.0, 1.0, 1.0], [4.0, 8.0, 1.0, 3.0], [6.0, 1.0, 1.0, 2.0]],
        ]
    )
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    want = masked_mean(vectors, mask)
    got = returned(answer(vectors, mask))
    assert isinstance(got, torch.Tensor), f"return a tensor, got {type(got).__name__}"
    assert tuple(got.shape) == (2, 4), (
        f"vectors (2, 3, 4) and mask (2, 3): expected one vector per sentence, (2, 4); got "
        f"{tuple(got.shape)}"
    )
    if torch.allclose(got, vectors.mean(1)):
        raise AssertionError(
            "that is the mean over every position: padding counts too. "
            "Multiply by the mask and divide by the number of real tokens"
        )
    if torch.allclose(got, (vectors * mask[..., None]).sum(1) / vectors.shape[1]):
        raise AssertionError(
            "the padding no longer adds, but you divide by T; divide by the "
            "number of real tokens of each sentence (mask.sum(1))"
        )
    assert torch.allclose(got, want, atol=1e-5), f"expected {want.tolist()}, got {got.tolist()}"
    generator = torch.Generator().manual_seed(0)
    big = torch.randn(4, 7, 5, generator=generator)  # (4, 7, 5)
    big_mask = (torch.rand(4, 7, generator=generator) > 0.3).long()
    big_mask[:, 0] = 1
    assert torch.allclose(returned(answer(big, big_mask)), masked_mean(big, big_mask), atol=1e-5), (
        "right on the small example, wrong on a random (4, 7, 5) batch with random padding: "
        "does your code assume a particular size or mask?"
    )
    return "correct: the padding adds nothing and does not count in the divisor"


@exercise("cosine_matrix", solution=cosine_matrix)
def check_cosine_matrix(answer) -> str:
    a = torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, -2.0]])
    b = torch.tensor([[6.0, 8.0], [0.0, 1.0]])
    want = cosine_matrix(a, b)
    got = returned(answer(a, b))
    assert isinstance(got, torch.Tensor), f"return a tensor, got {type(got).__name__}"
    assert tuple(got.shape) == (3, 2), (
        f"one cosine per (row of a, row of b): shape (3, 2), got {tuple(got.shape)}"
    )
    if torch.allclose(got, a @ b.T):
        raise AssertionError("those are dot products: divide by both vectors' lengths first")
    if abs(float(got[0, 0]) - 1.0) > 1e-5:
        columns = (a / a.norm(dim=0, keepdim=True)) @ (b / b.norm(dim=0, keepdim=True)).T
        hint = (
            " You normalised each column (dim=0); normalise each row (dim=1): a row is one vector."
            if torch.allclose(got, columns, atol=1e-5)
            else ""
        )
        raise AssertionError(
            f"a[0] = (3, 4) and b[0] = (6, 8) point the same way, so their cosine is 1; got "
            f"{float(got[0, 0]):.3f}.{hint}"
        )
    assert torch.allclose(got, want, atol=1e-5), f"expected {want.tolist()}, got {got.tolist()}"
    return "correct: normalise the rows, then one matrix product gives every cosine"


@exercise("gpt2_name", solution=gpt2_name)
def check_gpt2_name(answer) -> str:
    names = [
        "tok_emb.weight",
        "pos_emb.weight",
        "blocks.0.attn.qkv.weight",
        "blocks.3.ffn.down.bias",
        "blocks.11.norm2.weight",
        "norm.bias",
        "blocks.2.attn.proj.weight",
        "blocks.1.ffn.up.weight",
    ]
    for name in names:
        got, want = returned(answer(name)), hf_gpt2_name(name)
        if got == want:
            continue
        if got == want.removeprefix("transformer."):
            raise AssertionError(
                f"{name!r}: GPT2LMHeadModel puts the network under 'transformer.': {want!r}"
            )
        raise AssertionError(f"{name!r}: expected {want!r}, got {got!r}")
    return "correct: every module of the chapter-06 GPT has its GPT-2 twin"
