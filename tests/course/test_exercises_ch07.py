"""Tests of chapter 07's exercise checkers: model answers pass, typical mistakes get hints."""

from __future__ import annotations

import copy
import json
import math
import re

import pytest
import torch
from safetensors.torch import save

from lessons_lib import exercises as ex
from lessons_lib.course.exercises import FORGOT_RETURN, ch07, ch07_bert, ch07_gpt2
from lessons_lib.data.search_queries import (
    SEARCH_QUERIES,
    content_words,
    search_collection,
    speech_passages,
    target_ranks,
)
from lessons_lib.training.checkpoint import load_pretrained

NAMES = [
    "bert_layer",
    "contrastive_loss",
    "copy_gpt2_block",
    "gpt_layer_features",
    "rare_word_scores",
    "read_tensor",
]


def _blocks(gpt, idx, first_block, n_blocks, positions=True):
    """The mean over positions after ``n_blocks`` blocks (optionally without positions)."""
    with torch.no_grad():
        x = gpt.tok_emb(idx)
        if positions:
            x = x + gpt.pos_emb(torch.arange(idx.shape[1]))
        for block in gpt.blocks[first_block : first_block + n_blocks]:
            x = block(x)
        return x.mean(dim=1)


def _from_the_header_end(raw, name):
    """The mistake of counting ``data_offsets`` from the start of the file."""
    n = int.from_bytes(raw[:8], "little")
    info = json.loads(raw[8 : 8 + n])[name]
    start, end = info["data_offsets"]
    flat = torch.frombuffer(bytearray(raw[start:end]), dtype=ch07._DTYPES[info["dtype"]])
    return flat.reshape(info["shape"])


def _shared(query, passages):
    return torch.tensor([len(query & w) / max(len(w), 1) ** 0.5 for w in passages])


def _not_unit(anchors, positives):
    """Scaled dot products of the raw vectors: not cosines."""
    return torch.nn.functional.cross_entropy(20 * anchors @ positives.T, torch.arange(6))


def _transpose_by_shape(ours, theirs):
    """Transpose only where the shapes differ: the square c_proj slips through untransposed."""
    with torch.no_grad():
        for mine, hf in ch07_gpt2._GPT2_ROLES.items():
            for kind in ("weight", "bias"):
                source, target = (
                    theirs.get_parameter(f"{hf}.{kind}"),
                    ours.get_parameter(f"{mine}.{kind}"),
                )
                target.copy_(source if source.shape == target.shape else source.t())
    return ours


def _no_biases(ours, theirs):
    with torch.no_grad():
        for mine, hf in ch07_gpt2._GPT2_ROLES.items():
            source = theirs.get_parameter(f"{hf}.weight")
            ours.get_parameter(f"{mine}.weight").copy_(
                source if hf.startswith("ln_") else source.t()
            )
    return ours


def _mask_backwards(layer, x, mask, n_head):
    """The mask read the wrong way round: the real tokens hidden, [PAD] kept."""
    return ch07_bert.bert_layer(layer, x, 1 - mask, n_head)


def _layer_norms_swapped(ours, theirs):
    """ln_1 and ln_2 exchanged: same shapes, so only the check's random layer norms tell."""
    ch07_gpt2.copy_gpt2_block(ours, theirs)
    with torch.no_grad():
        ours.norm1.weight.copy_(theirs.ln_2.weight)
        ours.norm2.weight.copy_(theirs.ln_1.weight)
    return ours


def _bert_mistake(mistake):
    return lambda *args: ch07_bert._layer(*args, mistake=mistake)


WRONG = [
    *[("bert_layer", _bert_mistake(m), hint[:40]) for m, hint in ch07_bert._HINTS.items()],
    ("bert_layer", lambda layer, x, mask, n_head: x[:, :1], "return (B, T, C)"),
    ("bert_layer", lambda layer, x, mask, n_head: _mask_backwards(layer, x, mask, n_head), "NaN"),
    ("copy_gpt2_block", _layer_norms_swapped, "differ from GPT2LMHeadModel's by up to"),
    ("copy_gpt2_block", _transpose_by_shape, "c_proj's weight is square"),
    ("copy_gpt2_block", _no_biases, "Copy the biases too"),
    (
        "copy_gpt2_block",
        lambda ours, theirs: ch07_gpt2.copy_gpt2_block(copy.deepcopy(ours), theirs),
        "Our block 1 is unchanged",
    ),
    ("contrastive_loss", _not_unit, "Make the rows unit length first"),
    ("contrastive_loss", lambda a, p: ch07.contrastive_loss(a, p, scale=1.0), "Multiply the"),
    ("contrastive_loss", lambda a, p: [1.0], "return one number, a tensor"),
    ("read_tensor", _from_the_header_end, "data_offsets count from the end of the header"),
    ("read_tensor", lambda r, n: ch07.read_tensor(r, n).flatten(), "reshape to the header's"),
    ("read_tensor", lambda r, n: ch07.read_tensor(r, n).float(), "'b': return torch.int64"),
    ("rare_word_scores", _shared, "every shared word still counts 1"),
    (
        "rare_word_scores",
        lambda q, p: ch07.rare_word_scores(q, p) * torch.tensor([len(w) ** 0.5 for w in p]),
        "divide each passage's score by the square root of its number of words",
    ),
    (
        "rare_word_scores",
        lambda q, p: -ch07.rare_word_scores(q, p),  # log(df / P): common words win
        "expected [0.203, 0.694, 1.184, 0.0], got [-0.203, -0.694, -1.184, -0.0]",
    ),
    ("rare_word_scores", lambda q, p: ch07.rare_word_scores(q, p)[:2], "shape (4,), got (2,)"),
    (
        "gpt_layer_features",
        lambda gpt, idx, layer: _blocks(gpt, idx, 0, layer + 2),
        "layer=0 gave block 1's output: layers count from 0",
    ),
    (
        "gpt_layer_features",
        lambda gpt, idx, layer: _blocks(gpt, idx, 0, layer),
        "layer=0 gave the embeddings, before any block",
    ),
    (
        "gpt_layer_features",
        lambda gpt, idx, layer: _blocks(gpt, idx, 0, layer + 1, positions=False),
        "Did you add the position embeddings",
    ),
    (
        "gpt_layer_features",
        lambda gpt, idx, layer: _blocks(gpt, idx, 0, layer + 1).unsqueeze(1),
        "one vector per text, (B, C) = (2, 192); got (2, 1, 192)",
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


# --- the model solutions, by hand -----------------------------------------------------------


def test_contrastive_loss_by_hand():
    same = torch.eye(3)  # three orthogonal unit vectors, each its own partner
    expected = math.log(1 + 2 * math.exp(-20))  # the right cosine 1, the two others 0
    assert ch07.contrastive_loss(same, same).item() == pytest.approx(expected, abs=1e-6)
    wrong = ch07.contrastive_loss(same, same.roll(1, dims=0)).item()
    assert wrong == pytest.approx(20 + expected, abs=1e-4)  # the partner now scores 0, not 1


def test_contrastive_loss_check_reports_real_and_shuffled_pairs():
    passed, message = ex.run_check("contrastive_loss", ch07.contrastive_loss)
    assert passed, message
    number = r"([0-9]+\.[0-9]+)"
    found = re.findall(f"loss is {number}.*shuffled, {number}", message)[0]
    real, shuffled = (float(x) for x in found)
    assert real < math.log(12) < shuffled


def test_read_tensor_equals_the_safetensors_library():
    tensors = {"w": torch.randn(3, 4), "ids": torch.arange(5)[None], "s": torch.tensor(2.5)}
    raw = save(tensors)
    for name, want in tensors.items():
        got = ch07.read_tensor(raw, name)
        assert got.dtype == want.dtype
        torch.testing.assert_close(got, want)
    assert ch07.read_tensor(raw, "w").shape == (3, 4)


def test_rare_word_scores_by_hand():
    passages = [{"king", "crown"}, {"king", "storm"}, {"rain", "storm", "wind", "king"}]
    got = ch07.rare_word_scores({"king", "storm", "wind"}, passages)
    # king is in all 3 passages (log 1 = 0), storm in 2 (log 1.5), wind in 1 (log 3)
    want = torch.tensor([0.0, math.log(1.5) / 2**0.5, (math.log(1.5) + math.log(3)) / 2])
    torch.testing.assert_close(got, want)


def test_rare_word_scores_find_more_summaries_than_shared_words():
    passages, owner = speech_passages(search_collection())
    words = [content_words(p) for p in passages]
    found = {}
    for name, score in (("rare", ch07.rare_word_scores), ("shared", _shared)):
        texts = [q.summary for q in SEARCH_QUERIES]
        scores = torch.stack([score(content_words(t), words) for t in texts]).float()
        found[name] = sum(r <= 5 for r in target_ranks(scores, owner))
    assert found["rare"] > found["shared"]


def test_gpt_layer_features_match_the_blocks_outputs():
    gpt, chars = load_pretrained()
    idx = torch.tensor([chars.encode("Now is the winter")])
    outputs = []
    hooks = [b.register_forward_hook(lambda m, i, o: outputs.append(o)) for b in gpt.blocks]
    with torch.no_grad():
        gpt(idx)
    for hook in hooks:
        hook.remove()
    for layer, output in enumerate(outputs):
        torch.testing.assert_close(ch07.gpt_layer_features(gpt, idx, layer), output.mean(dim=1))
