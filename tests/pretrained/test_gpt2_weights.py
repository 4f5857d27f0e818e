"""GPT-2's weights in chapter 06's GPT, against a tiny random GPT2LMHeadModel (chapter 07)."""

import pytest
import torch

from lessons_lib.models.generation import generate
from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.pretrained.gpt2_weights import gpt_to_gpt2, hf_gpt2_name, load_gpt2_weights

transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_gpt2():
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=97,
        n_positions=32,
        n_embd=48,
        n_layer=3,
        n_head=4,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
    )
    return transformers.GPT2LMHeadModel(config).eval()


def test_logits_equal_gpt2(tiny_gpt2):
    model = load_gpt2_weights(tiny_gpt2)
    c = model.config
    assert (c.vocab_size, c.block_size, c.n_layer, c.n_head, c.n_embd) == (97, 32, 3, 4, 48)
    assert (c.activation, c.norm_eps) == ("gelu_tanh", 1e-5)
    idx = torch.randint(0, 97, (2, 32))
    with torch.no_grad():
        ours, _ = model(idx)
        theirs = tiny_gpt2(idx).logits
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_a_state_dict_needs_n_head_and_gives_the_same_model(tiny_gpt2):
    with pytest.raises(ValueError, match="pass n_head=12"):
        load_gpt2_weights(tiny_gpt2.state_dict())
    model = load_gpt2_weights(tiny_gpt2.state_dict(), n_head=4)
    idx = torch.randint(0, 97, (1, 10))
    with torch.no_grad():
        torch.testing.assert_close(model(idx)[0], tiny_gpt2(idx).logits, atol=1e-5, rtol=0)


def test_the_head_stays_tied_and_greedy_text_matches(tiny_gpt2):
    model = load_gpt2_weights(tiny_gpt2)
    assert model.head.weight is model.tok_emb.weight
    start = torch.tensor([[5, 17, 3]])
    ours = generate(model, start, max_new_tokens=12, top_k=1)  # greedy
    theirs = tiny_gpt2.generate(start, max_new_tokens=12, do_sample=False, pad_token_id=0)
    assert ours.tolist() == theirs.tolist()


def test_wrong_inputs_are_named(tiny_gpt2):
    with pytest.raises(TypeError, match="GPT2LMHeadModel or its state_dict"):
        load_gpt2_weights("gpt2")
    with pytest.raises(ValueError, match="no 'transformer.wte.weight'"):
        load_gpt2_weights({"wte.weight": torch.zeros(3, 4)}, n_head=2)
    state = dict(tiny_gpt2.state_dict())
    state["transformer.h.1.mlp.c_fc.weight"] = torch.zeros(48, 100)
    with pytest.raises(ValueError, match="transformer.h.1.mlp.c_fc.weight"):
        load_gpt2_weights(state, n_head=4)


def test_names():
    assert hf_gpt2_name("blocks.0.ffn.down.weight") == "transformer.h.0.mlp.c_proj.weight"
    assert hf_gpt2_name("norm.bias") == "transformer.ln_f.bias"
    with pytest.raises(KeyError):
        hf_gpt2_name("head.weight")


def _gpt2(**options):
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=97, n_positions=16, n_embd=48, n_layer=2, n_head=4, **options
    )
    return transformers.GPT2LMHeadModel(config).eval()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("tie_word_embeddings", False),
        ("scale_attn_weights", False),
        ("scale_attn_by_inverse_layer_idx", True),
        ("activation_function", "relu"),
    ],
)
def test_options_our_gpt_does_not_compute_are_refused_by_name(option, value):
    # each of these loaded silently before and gave other logits (untied: 0% argmax agreement)
    with pytest.raises(ValueError, match=option):
        load_gpt2_weights(_gpt2(**{option: value}))


def test_an_untied_head_in_a_state_dict_is_refused():
    untied = _gpt2(tie_word_embeddings=False)
    assert not torch.equal(untied.lm_head.weight, untied.transformer.wte.weight)
    with pytest.raises(ValueError, match="lm_head.weight differs .* tie_word_embeddings=False"):
        load_gpt2_weights(untied.state_dict(), n_head=4)


def test_another_epsilon_is_kept_from_the_config_or_given_for_a_state_dict():
    hf = _gpt2(layer_norm_epsilon=1e-3)
    assert load_gpt2_weights(hf).config.norm_eps == 1e-3
    model = load_gpt2_weights(hf.state_dict(), n_head=4, norm_eps=1e-3)
    idx = torch.randint(0, 97, (1, 9))
    with torch.no_grad():
        torch.testing.assert_close(model(idx)[0], hf(idx).logits, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="norm_eps must be > 0"):
        load_gpt2_weights(hf.state_dict(), n_head=4, norm_eps=0.0)


# --- the other way: our GPT inside GPT2LMHeadModel ----------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_our_gpt_in_gpt2lmheadmodel_gives_the_same_logits_and_text(bias):
    torch.manual_seed(0)
    ours = GPT(GPTConfig(vocab_size=50, block_size=24, n_layer=2, n_head=4, n_embd=32, bias=bias))
    hf = gpt_to_gpt2(ours.eval())
    assert isinstance(hf, transformers.GPT2LMHeadModel) and not hf.training
    assert hf.config.activation_function == "gelu"  # chapter 06's exact GELU
    idx = torch.randint(0, 50, (2, 24))
    with torch.no_grad():
        torch.testing.assert_close(hf(idx).logits, ours(idx)[0], atol=1e-5, rtol=0)
    start = torch.tensor([[0, 7, 0]])  # id 0 in the prompt: no token is taken for padding
    theirs = hf.generate(start, attention_mask=torch.ones_like(start), max_new_tokens=15,
                         do_sample=False)  # fmt: skip
    assert generate(ours, start, 15, temperature=0).tolist() == theirs.tolist()


def test_the_round_trip_gives_back_every_weight():
    torch.manual_seed(1)
    ours = GPT(GPTConfig(vocab_size=30, block_size=16, n_layer=3, n_head=2, n_embd=16))
    back = load_gpt2_weights(gpt_to_gpt2(ours))
    assert back.config.activation == "gelu" and back.config.n_head == 2
    for (name, a), (_, b) in zip(ours.state_dict().items(), back.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_a_gpt_without_a_position_table_is_refused():
    rope = GPT(GPTConfig(vocab_size=30, block_size=16, n_layer=1, n_head=2, n_embd=16,
                         position="rope"))  # fmt: skip
    with pytest.raises(ValueError, match="position='rope'"):
        gpt_to_gpt2(rope)
    with pytest.raises(TypeError, match="model must be the course's GPT"):
        gpt_to_gpt2(torch.nn.Linear(2, 2))
