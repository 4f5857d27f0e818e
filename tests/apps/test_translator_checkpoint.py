"""The shipped date translator: its accuracy per form, and the loader's checks."""

import json
import shutil

import pytest
import torch

from lessons_lib.apps import translator as T
from lessons_lib.apps import translator_checkpoint as C
from lessons_lib.data.dates import FORMS, date_pairs


def test_the_shipped_translator_gets_97_percent_of_held_out_dates_in_every_form():
    model = C.load_translator()
    pairs = date_pairs(1000, seed=12345, split="test")  # not the pairs the command scored
    scores = T.translation_exact_match(model, pairs)
    assert set(scores) == {*FORMS, "all"}
    assert min(scores.values()) >= 0.97, scores
    facts = C.translator_facts()
    assert min(facts["exact_match"].values()) >= 0.97  # what the command measured and stored
    assert model.translate(["the 5th of March, 2021", "1600-01-01"]) == [
        "2021年3月5日",
        "1600年1月1日",
    ]


def test_save_and_load_round_trip(tmp_path):
    torch.manual_seed(0)
    model = T.Translator(T.TranslatorConfig(n_embd=32, n_head=2, n_layer=1)).eval()
    digest = C.save_translator(model, tmp_path / "tiny", steps=3)
    facts = C.translator_facts(tmp_path / "tiny")
    assert facts["sha256"] == digest and facts["steps"] == 3 and facts["config"]["n_embd"] == 32
    loaded = C.load_translator(tmp_path / "tiny")
    texts = ["May 1, 2020", "hello"]
    assert loaded.translate(texts) == model.translate(texts)


def test_a_missing_damaged_or_mismatched_checkpoint_says_how_to_fix_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m lessons_lib translator"):
        C.load_translator(tmp_path / "nothing")
    stem = tmp_path / "copy"
    for suffix in (".safetensors", ".json"):
        shutil.copy(C.TRANSLATOR_CHECKPOINT.with_suffix(suffix), stem.with_suffix(suffix))
    weights = stem.with_suffix(".safetensors")
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")
    with pytest.raises(ValueError, match="damaged or was replaced"):
        C.load_translator(stem)
    shutil.copy(C.TRANSLATOR_CHECKPOINT.with_suffix(".safetensors"), weights)
    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    meta["target_vocab"] = meta["target_vocab"][::-1]
    stem.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="other vocabularies"):
        C.load_translator(stem)
    weights.unlink()
    with pytest.raises(FileNotFoundError, match="No weights at .*copy.safetensors. Reinstall"):
        C.load_translator(stem)
