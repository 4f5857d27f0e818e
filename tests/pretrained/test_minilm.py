"""all-MiniLM-L6-v2 from its package folder: loading, names, sentence vectors (chapter 07).

The encoder itself is tested against Hugging Face in test_bert.py; the ``minilm`` and
``sentences`` fixtures come from conftest.py.
"""

import json
import shutil

import pytest
import torch

from lessons_lib.pretrained.minilm import (
    embed_sentences,
    hf_bert_name,
    load_minilm,
    minilm_path,
)


def test_minilm_path_holds_the_model_files():
    folder = minilm_path()
    for name in ("config.json", "model.safetensors", "vocab.txt", "sentence_bert_config.json"):
        assert (folder / name).is_file(), name


def test_config_is_read_from_config_json(minilm):
    model, _ = minilm
    c = model.config
    assert (c.vocab_size, c.hidden_size, c.n_layer, c.n_head) == (30522, 384, 6, 12)
    assert (c.intermediate_size, c.max_positions, c.norm_eps) == (1536, 512, 1e-12)
    assert model.max_seq_length == 256
    assert sum(p.numel() for p in model.parameters()) == 22_565_376  # no pooler
    assert not model.training  # loaded in eval mode


def test_embed_sentences_equals_sentence_transformers(minilm, sentences):
    st = pytest.importorskip("sentence_transformers")
    reference = st.SentenceTransformer(str(minilm_path()), device="cpu")
    long_text = "the quality of mercy is not strained " * 60  # beyond 256 tokens: truncated
    sentences = sentences + [long_text]
    theirs = torch.as_tensor(reference.encode(sentences, normalize_embeddings=True))
    ours = embed_sentences(sentences, *minilm, batch_size=3)
    assert ours.shape == (len(sentences), 384)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)
    torch.testing.assert_close(ours.norm(dim=1), torch.ones(len(sentences)))


def test_embed_sentences_keeps_the_order_and_ignores_batch_size(minilm, sentences):
    a = embed_sentences(sentences, *minilm, batch_size=1)
    b = embed_sentences(sentences[::-1], *minilm, batch_size=4)
    torch.testing.assert_close(a, b.flip(0), atol=1e-5, rtol=0)


def test_embed_sentences_puts_a_training_model_back_in_training(minilm):
    model, tokenizer = minilm
    model.train()
    try:
        vectors = embed_sentences(["A cat sat on the mat."], model, tokenizer)
        assert model.training  # as it was
    finally:
        model.eval()
    torch.testing.assert_close(vectors, embed_sentences(["A cat sat on the mat."], *minilm))


def test_hf_names():
    assert hf_bert_name("tok_emb.weight") == "embeddings.word_embeddings.weight"
    assert hf_bert_name("blocks.5.norm1.bias") == "encoder.layer.5.attention.output.LayerNorm.bias"
    assert (
        hf_bert_name("blocks.2.attn.out.weight") == "encoder.layer.2.attention.output.dense.weight"
    )
    with pytest.raises(KeyError, match="not a BertEncoder parameter"):
        hf_bert_name("blocks.0.mlp.weight")


def test_every_parameter_has_a_hugging_face_name(minilm):
    model, _ = minilm
    names = [hf_bert_name(name) for name in model.state_dict()]
    assert len(set(names)) == len(names)  # one tensor of the file each
    assert hf_bert_name("blocks.0.ffn.up.weight") == "encoder.layer.0.intermediate.dense.weight"
    assert hf_bert_name("blocks.3.ffn.down.bias") == "encoder.layer.3.output.dense.bias"


def test_bad_inputs_to_embed_sentences_get_clear_errors(minilm):
    model, _ = minilm
    with pytest.raises(TypeError, match=r"sentences must be a list of strings, got one str"):
        embed_sentences("one sentence", *minilm)  # refused: N sentences always give (N, 384)
    with pytest.raises(ValueError, match="both model and tokenizer"):
        embed_sentences(["a"], model)
    for size in (0, "2", 2.5, None):
        with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {size!r}"):
            embed_sentences(["a"], *minilm, batch_size=size)
    with pytest.raises(ValueError, match="max_length must be an int >= 2, got 0"):
        embed_sentences(["a"], *minilm, max_length=0)
    with pytest.raises(ValueError, match="max_length=1000, but the model has 512 positions"):
        embed_sentences(["a"], *minilm, max_length=1000)
    with pytest.raises(TypeError, match="sentences must be a list of strings, got NoneType"):
        embed_sentences(None, *minilm)
    with pytest.raises(TypeError, match=r"sentences\[1\] must be a str, got int 3"):
        embed_sentences(["a", 3], *minilm)


def test_embed_sentences_takes_any_iterable_of_strings(minilm):
    expected = embed_sentences(["A cat.", "A dog."], *minilm)
    torch.testing.assert_close(embed_sentences(("A cat.", "A dog."), *minilm), expected)
    torch.testing.assert_close(embed_sentences(iter(["A cat.", "A dog."]), *minilm), expected)
    assert embed_sentences([], *minilm).shape == (0, 384)


def test_load_errors_name_the_file_and_the_mismatch(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_minilm(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="config.json is missing"):
        load_minilm(tmp_path)
    folder = tmp_path / "model"
    shutil.copytree(minilm_path(), folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "intermediate_size": 1024}))
    with pytest.raises(ValueError, match="model.safetensors: tensor 'encoder.layer.0.intermediate"):
        load_minilm(folder)
    (folder / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 7}))
    with pytest.raises(ValueError, match="has no tensor 'encoder.layer.6"):
        load_minilm(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match="No weights at .*model.safetensors"):
        load_minilm(folder)


def test_damaged_files_are_named_with_the_way_to_good_ones(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(minilm_path(), folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # half a download
    with pytest.raises(ValueError, match=r"model.safetensors is damaged.*--force-reinstall"):
        load_minilm(folder)
    (folder / "config.json").write_text('{"hidden_size": 384,')  # cut short
    with pytest.raises(ValueError, match=r"config.json is damaged \(not valid JSON"):
        load_minilm(folder)
