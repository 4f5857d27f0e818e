"""The BERT encoder, with all-MiniLM-L6-v2's weights, against Hugging Face (chapter 07).

Loading the model and embedding sentences (pretrained/minilm.py) are tested in test_minilm.py;
the ``minilm`` and ``sentences`` fixtures come from conftest.py.
"""

import pytest
import torch

from lessons_lib.models.bert import BertConfig, BertEncoder, mean_pool
from lessons_lib.pretrained.minilm import minilm_path


@pytest.fixture(scope="module")
def hf_bert():
    transformers = pytest.importorskip("transformers")
    return transformers.BertModel.from_pretrained(
        str(minilm_path()), add_pooling_layer=False
    ).eval()


@pytest.fixture(scope="module")
def hf_tokenizer():
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(minilm_path()))


def test_encoder_equals_hf_bert_on_a_padded_batch(minilm, hf_bert, hf_tokenizer, sentences):
    model, _ = minilm
    batch = hf_tokenizer(sentences, padding=True, return_tensors="pt")
    assert batch["attention_mask"].min() == 0  # the batch really is padded
    with torch.no_grad():
        ours = model(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
        theirs = hf_bert(**batch).last_hidden_state
    real = batch["attention_mask"].bool()  # (B, T)
    torch.testing.assert_close(ours[real], theirs[real], atol=1e-5, rtol=0)
    # the padding positions' vectors (never used) are sensitive to float32 rounding; in float64
    # every position agrees, padding included
    with torch.no_grad():
        ours64 = model.double()(batch["input_ids"], batch["attention_mask"])
        theirs64 = hf_bert.double()(**batch).last_hidden_state
    model.float(), hf_bert.float()
    torch.testing.assert_close(ours64, theirs64, atol=1e-10, rtol=0)


def test_without_the_mask_padding_changes_the_real_tokens(minilm, hf_tokenizer, sentences):
    model, _ = minilm
    batch = hf_tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        masked = model(batch["input_ids"], batch["attention_mask"])
        unmasked = model(batch["input_ids"])
    real = batch["attention_mask"].bool()
    assert (masked - unmasked).abs()[real].max() > 0.1


def test_token_types_and_one_sentence_alone_match_hf(minilm, hf_bert, hf_tokenizer):
    model, _ = minilm
    pair = hf_tokenizer("Who wrote Hamlet?", "Shakespeare wrote it.", return_tensors="pt")
    assert pair["token_type_ids"].max() == 1
    with torch.no_grad():
        ours = model(pair["input_ids"], pair["attention_mask"], pair["token_type_ids"])
        theirs = hf_bert(**pair).last_hidden_state
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_attention_weights_are_kept_and_ignore_padding(minilm, hf_tokenizer, sentences):
    model, _ = minilm
    batch = hf_tokenizer(sentences[:2], padding=True, return_tensors="pt")
    with torch.no_grad():
        model(batch["input_ids"], batch["attention_mask"])
    weights = model.attention_weights()
    assert len(weights) == 6 and weights[0].shape == (2, 12, *batch["input_ids"].shape[1:] * 2)
    torch.testing.assert_close(weights[3].sum(-1), torch.ones(2, 12, batch["input_ids"].shape[1]))
    pad = ~batch["attention_mask"][1].bool()  # the shorter sentence's padding
    assert weights[0][1][..., pad].abs().max() == 0


def test_mean_pool_by_hand():
    vectors = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])  # (1, 3, 2)
    mask = torch.tensor([[1, 1, 0]])  # the last token is padding
    torch.testing.assert_close(mean_pool(vectors, mask), torch.tensor([[2.0, 3.0]]))


def test_bad_inputs_get_clear_errors(minilm):
    model, _ = minilm
    with pytest.raises(ValueError, match="input_ids must be a \\(B, T\\)"):
        model(torch.tensor([101, 102]))
    with pytest.raises(ValueError, match="512 positions"):
        model(torch.zeros(1, 513, dtype=torch.long))
    with pytest.raises(ValueError, match="this model's tokenizer"):
        model(torch.tensor([[101, 40000, 102]]))
    with pytest.raises(ValueError, match="attention_mask must have the shape"):
        model(torch.tensor([[101, 102]]), torch.ones(1, 3))
    with pytest.raises(ValueError, match="n_embd=100 must be divisible"):
        BertConfig(hidden_size=100, n_head=12)


def test_config_from_a_hugging_face_config_dict():
    hf = {
        "vocab_size": 99,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "max_position_embeddings": 40,
        "hidden_act": "gelu",
    }
    config = BertConfig.from_hf(hf)
    assert (config.vocab_size, config.hidden_size, config.n_layer, config.n_head) == (99, 32, 2, 4)
    assert (config.intermediate_size, config.max_positions) == (64, 40)
    assert (config.type_vocab_size, config.norm_eps) == (2, 1e-12)  # BERT's defaults
    with pytest.raises(ValueError, match="exact GELU .* asks for 'relu'"):
        BertConfig.from_hf({**hf, "hidden_act": "relu"})
    with pytest.raises(ValueError, match="learned absolute positions"):
        BertConfig.from_hf({**hf, "position_embedding_type": "relative_key"})


def test_a_fresh_encoder_runs_and_trains():
    config = BertConfig(
        vocab_size=50, hidden_size=16, n_layer=2, n_head=2, intermediate_size=32, max_positions=8
    )
    model = BertEncoder(config)
    out = model(torch.randint(0, 50, (3, 8)))
    assert out.shape == (3, 8, 16)
    out.sum().backward()
    assert model.tok_emb.weight.grad is not None


# --- bad input ----------------------------------------------------------------------------------


def test_mean_pool_names_a_mask_of_another_length():
    message = r"vectors must be \(B, T, C\) and attention_mask \(B, T\).*\(2, 5, 4\) and \(2, 4\)"
    with pytest.raises(ValueError, match=message):
        mean_pool(torch.zeros(2, 5, 4), torch.ones(2, 4))
    with pytest.raises(ValueError, match="attention_mask row 1 has no real token"):
        mean_pool(torch.zeros(2, 5, 4), torch.tensor([[1, 1, 0, 0, 0], [0, 0, 0, 0, 0]]))
    with pytest.raises(TypeError, match="attention_mask must be a torch.Tensor, got list"):
        mean_pool(torch.zeros(1, 2, 4), [[1, 1]])


def test_the_encoder_names_bad_masks_and_segment_ids():
    config = BertConfig(
        vocab_size=50, hidden_size=16, n_layer=1, n_head=2, intermediate_size=32, max_positions=8
    )
    model = BertEncoder(config)
    ids = torch.randint(0, 50, (2, 5))
    with pytest.raises(ValueError, match=r"token_type_ids must be integer segment ids in \[0, 2\)"):
        model(ids, token_type_ids=torch.full((2, 5), 2))
    with pytest.raises(TypeError, match="attention_mask must be a torch.Tensor, got list"):
        model(ids, attention_mask=[[1] * 5] * 2)
