"""Tests of chapter 07's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import FORGOT_RETURN, ch07
from lessons_lib.tokenization.wordpiece import wordpiece

NAMES = ["cosine_matrix", "gpt2_name", "masked_mean", "wordpiece_split"]


def _split(word, vocab, on_stuck=lambda pieces: ["[UNK]"], shorter_by=0):
    """Greedy longest match first, with ``on_stuck(pieces)`` returned when nothing fits; the
    longest candidate tried is ``shorter_by`` characters shorter than the rest of the word."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word) - shorter_by, start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return on_stuck(pieces)
        pieces.append(piece)
        start = end
    return pieces


def _mean_over_real_tokens_of_the_batch(vectors, mask):
    weights = mask.to(vectors.dtype).unsqueeze(-1)
    return (vectors * weights).sum(1) / weights.sum()  # every sentence's count, added up


WRONG = [
    (
        "wordpiece_split",
        lambda w, v: [p.removeprefix("##") for p in ch07.wordpiece_split(w, v)],
        "Only the first piece is bare; every later piece is looked up with '##'",
    ),
    (
        "wordpiece_split",
        lambda w, v: ["##" + p.removeprefix("##") for p in ch07.wordpiece_split(w, v)],
        "Only the first piece is bare",
    ),
    (
        "wordpiece_split",
        lambda w, v: _split(w, v, on_stuck=lambda pieces: pieces),  # keeps what matched
        "'tha': 't', '##h' match, but nothing fits 'a' as a continuation",
    ),
    (
        "wordpiece_split",
        lambda w, v: _split(w, v, on_stuck=lambda pieces: ["[UNK]"] if pieces else []),
        "'xyz' cannot be split with this vocabulary: return ['[UNK]'], got []",
    ),
    (
        "wordpiece_split",
        lambda w, v: _split(w, v, shorter_by=1),  # never tries the whole rest of the word
        "'unaffable' can be split into ['un', '##aff', '##able'], got ['[UNK]']",
    ),
    ("masked_mean", lambda v, m: v.mean(1), "padding counts too"),
    (
        "masked_mean",
        lambda v, m: (v * m[..., None]).sum(1) / v.shape[1],
        "divide by the number of real tokens of each sentence (mask.sum(1))",
    ),
    ("masked_mean", lambda v, m: ch07.masked_mean(v, m).tolist(), "return a tensor, got list"),
    (
        "masked_mean",
        lambda v, m: ch07.masked_mean(v, m).unsqueeze(1),
        "expected one vector per sentence, (2, 4); got (2, 1, 4)",
    ),
    ("masked_mean", lambda v, m: (v * m[..., None]).sum(1), "expected [[2.0, 3.0, 1.0, 1.0]"),
    ("masked_mean", _mean_over_real_tokens_of_the_batch, "expected [[2.0, 3.0, 1.0, 1.0]"),
    ("cosine_matrix", lambda a, b: a @ b.T, "those are dot products"),
    (
        "cosine_matrix",
        lambda a, b: ch07.cosine_matrix(b, a),
        "one cosine per (row of a, row of b): shape (3, 2), got (2, 3)",
    ),
    ("cosine_matrix", lambda a, b: ch07.cosine_matrix(a, b).tolist(), "return a tensor, got list"),
    (
        "cosine_matrix",
        lambda a, b: (a / a.norm(dim=1, keepdim=True)) @ b.T,  # b not normalised
        "point the same way, so their cosine is 1; got 10.000",
    ),
    (
        "cosine_matrix",
        lambda a, b: (a / a.norm(dim=0)) @ (b / b.norm(dim=0)).T,  # the columns' lengths
        "You normalised each column (dim=0); normalise each row (dim=1)",
    ),
    (
        "gpt2_name",
        lambda name: ch07.gpt2_name(name).removeprefix("transformer."),
        "GPT2LMHeadModel puts the network under 'transformer.': 'transformer.wte.weight'",
    ),
    (
        "gpt2_name",
        lambda name: name,
        "'tok_emb.weight': expected 'transformer.wte.weight', got 'tok_emb.weight'",
    ),
    (
        "gpt2_name",
        lambda name: ch07.gpt2_name(name).replace("c_fc", "c_proj"),
        "'blocks.1.ffn.up.weight': expected 'transformer.h.1.mlp.c_fc.weight', got",
    ),
]


def test_chapter_07_registers_its_exercises():
    assert set(NAMES) <= set(ex.names())
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_model_solution_passes(name):
    passed, message = ex.run_check(name, ex.REGISTRY[name].solution)
    assert passed, message
    assert message.startswith("correct:")


@pytest.mark.parametrize(("name", "answer", "hint"), WRONG)
def test_typical_mistakes_get_a_specific_hint(name, answer, hint, assert_specific_hint):
    assert_specific_hint(name, answer, hint)


@pytest.mark.parametrize("name", NAMES)
def test_a_forgotten_return_is_named(name):
    passed, message = ex.run_check(name, lambda *args: None)
    assert not passed
    assert FORGOT_RETURN in message


def test_a_divisor_without_keepdim_is_caught_by_the_shapes():
    def no_keepdim(vectors, mask):
        return (vectors * mask[..., None]).sum(1) / mask.sum(1)  # (B, C) / (B,): C != B here

    passed, message = ex.run_check("masked_mean", no_keepdim)
    assert not passed and message.startswith("your code raised RuntimeError")


def test_learner_code_that_crashes_names_the_error():
    def no_unsqueeze(vectors, mask):
        return (vectors * mask).sum(1) / mask.sum(1)  # (B, T, C) * (B, T): does not broadcast

    passed, message = ex.run_check("masked_mean", no_unsqueeze)
    assert not passed and message.startswith("your code raised RuntimeError")


def test_shortest_first_gets_the_longest_match_hint(assert_specific_hint):
    assert_specific_hint("wordpiece_split", ch07._shortest_first, "took the shortest piece first")


def test_an_unk_for_the_stuck_piece_gets_the_whole_word_hint(assert_specific_hint):
    def unk_for_the_stuck_piece(word, vocab):
        return _split(word, vocab, on_stuck=lambda pieces: [*pieces, "[UNK]"])

    assert_specific_hint("wordpiece_split", unk_for_the_stuck_piece, "the whole word is ['[UNK]']")


# --- the model solutions, by hand -----------------------------------------------------------

VOCAB = {"un", "##aff", "##able", "play", "##ing", "##s", "the", "##e", "t", "##h", "a", "##b"}


def test_wordpiece_split_by_hand():
    assert ch07.wordpiece_split("unaffable", VOCAB) == ["un", "##aff", "##able"]
    assert ch07.wordpiece_split("thee", VOCAB) == ["the", "##e"]  # longest first: not t, ##h
    assert ch07.wordpiece_split("tha", VOCAB) == ["[UNK]"]  # 'a' only starts a word
    assert ch07.wordpiece_split("ab", VOCAB) == ["a", "##b"]
    assert ch07.wordpiece_split("", VOCAB) == []


@pytest.mark.parametrize("word", ["playings", "thethe", "unplay", "aaa", "theb", "playable"])
def test_wordpiece_split_agrees_with_the_library(word):
    vocab = VOCAB | {"##the", "##play", "##a"}
    assert ch07.wordpiece_split(word, vocab) == wordpiece(word, vocab)


def test_masked_mean_by_hand():
    vectors = torch.tensor(
        [[[1.0, 2.0], [3.0, 4.0], [50.0, 60.0]], [[2.0, 0.0], [4.0, 8.0], [6.0, 1.0]]]
    )
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    torch.testing.assert_close(
        ch07.masked_mean(vectors, mask), torch.tensor([[2.0, 3.0], [4.0, 3.0]])
    )
    bool_mask = mask.bool()  # a mask of booleans works too
    torch.testing.assert_close(
        ch07.masked_mean(vectors, bool_mask), torch.tensor([[2.0, 3.0], [4.0, 3.0]])
    )


def test_cosine_matrix_by_hand_and_against_torch():
    a = torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, -2.0]])
    b = torch.tensor([[6.0, 8.0], [0.0, 1.0]])
    want = torch.tensor([[1.0, 0.8], [0.6, 0.0], [-0.8, -1.0]])
    torch.testing.assert_close(ch07.cosine_matrix(a, b), want)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(5, 7, generator=g), torch.randn(4, 7, generator=g)
    reference = F.cosine_similarity(x[:, None, :], y[None, :, :], dim=-1)  # (5, 4)
    torch.testing.assert_close(ch07.cosine_matrix(x, y), reference)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("tok_emb.weight", "transformer.wte.weight"),
        ("pos_emb.weight", "transformer.wpe.weight"),
        ("blocks.0.attn.qkv.weight", "transformer.h.0.attn.c_attn.weight"),
        ("blocks.2.attn.proj.weight", "transformer.h.2.attn.c_proj.weight"),
        ("blocks.1.ffn.up.weight", "transformer.h.1.mlp.c_fc.weight"),
        ("blocks.3.ffn.down.bias", "transformer.h.3.mlp.c_proj.bias"),
        ("blocks.0.norm1.weight", "transformer.h.0.ln_1.weight"),
        ("blocks.11.norm2.weight", "transformer.h.11.ln_2.weight"),
        ("norm.bias", "transformer.ln_f.bias"),
    ],
)
def test_gpt2_name_by_hand(ours, theirs):
    assert ch07.gpt2_name(ours) == theirs
