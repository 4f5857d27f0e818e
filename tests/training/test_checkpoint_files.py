"""Tests of training.checkpoint_files: atomic writes, and every damage named on reading."""

import json
import os

import pytest
import torch

from lessons_lib.training.checkpoint_files import (
    atomic_write,
    checkpoint_paths,
    read_checkpoint,
    read_facts,
    sha256_of,
    write_checkpoint,
)

FIX = "do the fix"


@pytest.fixture
def stem(tmp_path):
    stem = tmp_path / "runs" / "try"
    write_checkpoint({"w": torch.arange(6.0).reshape(2, 3)}, stem, {"config": {"n": 2}})
    return stem


def test_a_round_trip_through_str_and_path_stems(stem):
    for given in (stem, str(stem), f"{stem}.safetensors", str(stem) + ".json"):
        state, meta = read_checkpoint(given, FIX, required=("config",))
        assert torch.equal(state["w"], torch.arange(6.0).reshape(2, 3))
        assert meta["config"] == {"n": 2} and meta["sha256"] == sha256_of(f"{stem}.safetensors")


def test_a_stem_must_be_path_like():
    with pytest.raises(TypeError, match=r"stem must be a path .* got 3 \(an int\)"):
        checkpoint_paths(3)


def test_missing_files_say_how_to_get_them(stem):
    with pytest.raises(
        FileNotFoundError, match="No checkpoint facts at .*nothing.json. do the fix"
    ):
        read_checkpoint(stem.parent / "nothing", FIX)
    os.remove(f"{stem}.safetensors")
    with pytest.raises(FileNotFoundError, match="No weights at .*try.safetensors. do the fix"):
        read_checkpoint(stem, FIX)


def test_a_truncated_json_is_named_as_damaged(stem):
    facts = stem.parent / "try.json"
    facts.write_text(facts.read_text()[:20])
    with pytest.raises(ValueError, match=r"try.json is damaged \(not valid JSON.*do the fix"):
        read_facts(stem, FIX)
    facts.write_text("[1, 2]")
    with pytest.raises(ValueError, match="try.json is damaged: it holds a list"):
        read_facts(stem, FIX)


def test_a_json_without_its_keys_is_named(stem):
    facts = stem.parent / "try.json"
    meta = json.loads(facts.read_text())
    del meta["sha256"]
    facts.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"lacks \['sha256'\]. do the fix"):
        read_checkpoint(stem, FIX)
    with pytest.raises(ValueError, match=r"lacks \['sha256', 'chars'\]"):
        read_checkpoint(stem, FIX, required=("config", "chars"))


def test_changed_weights_fail_the_hash(stem):
    weights = stem.parent / "try.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(ValueError, match="try.safetensors is damaged or was replaced"):
        read_checkpoint(stem, FIX)


def test_damaged_weights_with_a_recomputed_hash_are_named(stem):
    weights = stem.parent / "try.safetensors"
    weights.write_bytes(weights.read_bytes()[:30])  # half a header
    facts = stem.parent / "try.json"
    meta = json.loads(facts.read_text())
    facts.write_text(json.dumps({**meta, "sha256": sha256_of(weights)}))
    with pytest.raises(ValueError, match="try.safetensors is damaged: safetensors cannot read"):
        read_checkpoint(stem, FIX)


def test_atomic_write_replaces_whole_files_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "data.json"
    atomic_write(path, "old")
    atomic_write(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "data.json"
    atomic_write(path, "good")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "half")
    assert path.read_text() == "good" and [p.name for p in tmp_path.iterdir()] == ["data.json"]
