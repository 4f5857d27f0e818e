"""Tests of models.llama: the Llama-style model equals Hugging Face's LlamaForCausalLM with the
same weights, keeps the language-model contract, and a KV cache changes nothing."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.models.llama import Llama, LlamaConfig
from lessons_lib.pretrained.smollm2 import to_halves_layout

TINY = LlamaConfig(vocab_size=97, n_layer=2, n_embd=48, n_head=6, n_kv_head=2, ffn_size=80,
                   rope_base=1000.0, block_size=32)  # fmt: skip


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    model = Llama(TINY).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))  # norms that are not all 1
    return model


def hugging_face_copy(model: Llama):
    """LlamaForCausalLM with ``model``'s weights, query and key rows in its halves layout."""
    import transformers

    c = model.config
    config = transformers.LlamaConfig(
        vocab_size=c.vocab_size, hidden_size=c.n_embd, intermediate_size=c.ffn_size,
        num_hidden_layers=c.n_layer, num_attention_heads=c.n_head,
        num_key_value_heads=c.n_kv_head, rope_theta=c.rope_base, rms_norm_eps=c.norm_eps,
        max_position_embeddings=c.block_size, tie_word_embeddings=True,
    )  # fmt: skip
    theirs = transformers.LlamaForCausalLM(config).eval()
    names = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
             "attn.query": "self_attn.q_proj", "attn.key": "self_attn.k_proj",
             "attn.value": "self_attn.v_proj", "attn.proj": "self_attn.o_proj",
             "ffn.gate": "mlp.gate_proj", "ffn.up": "mlp.up_proj",
             "ffn.down": "mlp.down_proj"}  # fmt: skip
    with torch.no_grad():
        theirs.model.embed_tokens.weight.copy_(model.tok_emb.weight)
        theirs.model.norm.weight.copy_(model.norm.weight)
        for i, block in enumerate(model.blocks):
            for ours, hf in names.items():
                w = block.get_parameter(f"{ours}.weight")
                if ours in ("attn.query", "attn.key"):
                    heads = c.n_head if ours == "attn.query" else c.n_kv_head
                    w = to_halves_layout(w, heads)
                theirs.model.layers[i].get_parameter(f"{hf}.weight").copy_(w)
    return theirs


def test_logits_equal_llama_for_causal_lm(tiny):
    idx = torch.randint(0, 97, (2, 20))
    with torch.no_grad():
        ours, _ = tiny(idx)
        theirs = hugging_face_copy(tiny)(idx).logits
    assert ours.shape == (2, 20, 97)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-4)


def test_the_head_is_the_token_table_and_the_loss_is_the_contracts(tiny):
    idx = torch.randint(0, 97, (1, 8))
    logits, loss = tiny(idx, idx)
    want = torch.nn.functional.cross_entropy(logits.view(-1, 97), idx.view(-1))
    torch.testing.assert_close(loss, want)
    n_params = sum(p.numel() for p in tiny.parameters())
    per_block = 2 * 48 + 48 * 48 * 2 + 2 * 48 * 16 + 3 * 48 * 80  # norms, q, o, k, v, swiglu
    assert n_params == 97 * 48 + 2 * per_block + 48  # the head adds nothing: tied


def test_a_cache_gives_the_same_logits_token_by_token(tiny):
    idx = torch.randint(0, 97, (1, 12))
    with torch.no_grad():
        full, _ = tiny(idx)
        cache = tiny.new_cache()
        first, _ = tiny(idx[:, :7], cache=cache)
        rest = [tiny(idx[:, t : t + 1], cache=cache)[0] for t in range(7, 12)]
    torch.testing.assert_close(torch.cat([first, *rest], dim=1), full, atol=1e-5, rtol=1e-4)


def test_a_prompt_longer_than_the_context_is_refused(tiny):
    with pytest.raises(ValueError, match="more than the model's context of 32 tokens"):
        tiny(torch.zeros(1, 33, dtype=torch.long))
    with pytest.raises(ValueError, match="'gpt2' file: LlamaConfig reads 'llama'"):
        LlamaConfig.from_gguf({"general.architecture": "gpt2"})
