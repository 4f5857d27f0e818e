"""Tests of training.checkpoint: save / load with its SHA-256 check, and the shipped GPT."""

import json

import pytest
import torch

from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.tokenization.characters import CharTokenizer
from lessons_lib.training.checkpoint import load_pretrained, save_checkpoint


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = GPT(GPTConfig.preset("tiny", vocab_size=5)).eval()
    tokenizer = CharTokenizer("abcde")
    stem = tmp_path / "ckpt"
    digest = save_checkpoint(model, tokenizer, stem, val_loss=1.23)
    return model, stem, digest


def test_checkpoint_round_trip_gives_the_same_logits(saved):
    model, stem, digest = saved
    loaded, tokenizer = load_pretrained(stem)
    idx = torch.tensor([[0, 1, 2, 3, 4]])
    torch.testing.assert_close(loaded(idx)[0], model(idx)[0])
    assert tokenizer.chars == list("abcde") and loaded.head.weight is loaded.tok_emb.weight
    meta = json.loads(stem.with_suffix(".json").read_text())
    assert meta["sha256"] == digest and meta["val_loss"] == 1.23 and len(digest) == 64


def test_a_damaged_checkpoint_is_refused(saved):
    _, stem, _ = saved
    weights = stem.with_suffix(".safetensors")
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged or was replaced"):
        load_pretrained(stem)


def test_any_path_like_names_a_checkpoint(saved):
    # the pretrain command's help says: L.load_pretrained("runs/try")
    model, stem, _ = saved
    for given in (str(stem), stem, f"{stem}.safetensors"):
        loaded, _ = load_pretrained(given)
        assert torch.equal(loaded.tok_emb.weight, model.tok_emb.weight)
    with pytest.raises(TypeError, match="stem must be a path"):
        load_pretrained(42)


def test_a_missing_checkpoint_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m lessons_lib pretrain"):
        load_pretrained(tmp_path / "nothing")


# --- the checkpoint that ships with the package ------------------------------------------------


def test_the_shipped_checkpoint_is_small_checked_and_good():
    from lessons_lib.tools.pretrain import PRETRAIN_CONFIG
    from lessons_lib.training.checkpoint import CHECKPOINT, checkpoint_facts

    weights = CHECKPOINT.with_suffix(".safetensors")
    assert weights.stat().st_size <= 10_000_000, "it ships in the package: at most 10 MB"
    facts = checkpoint_facts()
    assert facts["val_loss"] <= 1.55 and facts["train_seconds"] <= 30 * 60
    model, tokenizer = load_pretrained()  # checks the SHA-256
    assert {k: facts["config"][k] for k in PRETRAIN_CONFIG} == PRETRAIN_CONFIG
    assert tokenizer.vocab_size == model.config.vocab_size == 76


@pytest.mark.slow
def test_the_shipped_checkpoint_predicts_unseen_shakespeare():
    from lessons_lib.tools.pretrain import shakespeare_data
    from lessons_lib.training.evaluation import evaluate

    model, _ = load_pretrained()
    _, _, val_ids = shakespeare_data()
    # 20,000 characters of validation text the model never trained on: far below ln 76 = 4.33
    loss = evaluate(model, val_ids[:20_000], block_size=model.config.block_size)
    assert loss < 1.7, loss
