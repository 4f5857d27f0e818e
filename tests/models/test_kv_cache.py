"""The key-value cache: generation with use_cache=True gives the same tokens, faster."""

import pytest
import torch

from lessons_lib.models.bigram import BigramLM
from lessons_lib.models.generation import generate
from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.models.kv_cache import KVCache, LayerCache


@pytest.fixture(scope="module")
def tiny() -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig.preset("tiny", vocab_size=30)).eval()  # block_size 16


def test_cached_logits_equal_a_full_forward_pass(tiny):
    idx = torch.randint(0, 30, (3, 12))
    with torch.no_grad():
        full, _ = tiny(idx)  # (3, 12, 30)
        cache = tiny.new_cache()
        first, _ = tiny(idx[:, :5], cache=cache)  # fill with 5 tokens
        steps = [tiny(idx[:, t : t + 1], cache=cache)[0] for t in range(5, 12)]  # one by one
    torch.testing.assert_close(first, full[:, :5], atol=1e-5, rtol=0)
    torch.testing.assert_close(torch.cat(steps, dim=1), full[:, 5:], atol=1e-5, rtol=0)
    assert cache.length == 12
    assert cache.layers[0].keys.shape == (3, 2, 12, 16)  # (B, n_head, T, head_size)


def test_several_new_tokens_at_once_after_a_cache(tiny):
    idx = torch.randint(0, 30, (2, 10))
    with torch.no_grad():
        full, _ = tiny(idx)
        cache = tiny.new_cache()
        tiny(idx[:, :4], cache=cache)
        rest, _ = tiny(idx[:, 4:], cache=cache)  # 6 new tokens: causal among themselves
    torch.testing.assert_close(rest, full[:, 4:], atol=1e-5, rtol=0)


def test_the_course_attention_path_caches_too(tiny):
    course = GPT(GPTConfig.preset("tiny", vocab_size=30, attention="course")).eval()
    course.load_state_dict(tiny.state_dict())
    idx = torch.randint(0, 30, (1, 9))
    with torch.no_grad():
        full, _ = tiny(idx)
        cache = course.new_cache()
        course(idx[:, :8], cache=cache)
        last, _ = course(idx[:, 8:], cache=cache)
    torch.testing.assert_close(last[:, 0], full[:, 8], atol=1e-5, rtol=0)
    assert course.attention_weights()[0].shape == (1, 2, 1, 9)  # one query, nine keys


@pytest.mark.parametrize("new_tokens", [5, 40])  # within the window of 16, and far past it
def test_greedy_generation_is_identical_with_and_without_the_cache(tiny, new_tokens):
    start = torch.randint(0, 30, (4, 3))  # a batch of 4
    plain = generate(tiny, start, new_tokens, temperature=0)
    cached = generate(tiny, start, new_tokens, temperature=0, use_cache=True)
    assert cached.shape == (4, 3 + new_tokens)
    assert torch.equal(plain, cached)


@pytest.mark.parametrize("start_length", [1, 16, 20])  # a prompt longer than the window too
def test_sampling_with_one_seed_is_identical_with_and_without_the_cache(tiny, start_length):
    start = torch.randint(0, 30, (3, start_length))
    plain = generate(tiny, start, 45, torch.Generator().manual_seed(7), top_k=10)
    cached = generate(tiny, start, 45, torch.Generator().manual_seed(7), top_k=10, use_cache=True)
    assert torch.equal(plain, cached)


def test_a_one_dimensional_prompt_works_with_the_cache(tiny):
    out = generate(tiny, torch.tensor([1, 2, 3]), 4, temperature=0, use_cache=True)
    assert out.shape == (7,)
    assert torch.equal(out, generate(tiny, torch.tensor([1, 2, 3]), 4, temperature=0))


def test_a_model_without_attention_says_it_cannot_cache():
    with pytest.raises(ValueError, match="BigramLM cannot cache keys and values"):
        generate(BigramLM(5), torch.tensor([[1]]), 3, use_cache=True)


def test_the_window_is_checked_including_the_cache(tiny):
    cache = tiny.new_cache()
    with torch.no_grad():
        tiny(torch.zeros(1, 10, dtype=torch.long), cache=cache)
        with pytest.raises(ValueError, match="The context has 17 tokens but this model's block"):
            tiny(torch.zeros(1, 7, dtype=torch.long), cache=cache)


def test_cache_bookkeeping():
    cache = KVCache(n_layer=2)
    assert cache.length == 0 and cache.nbytes() == 0
    layer = cache.layers[0]
    k, v = layer.extend(torch.zeros(1, 2, 3, 4), torch.ones(1, 2, 3, 4))
    assert k.shape == (1, 2, 3, 4) and layer.length == 3 and cache.length == 3
    k, v = layer.extend(torch.zeros(1, 2, 1, 4), torch.ones(1, 2, 1, 4))
    assert k.shape == (1, 2, 4, 4) and torch.equal(v, torch.ones(1, 2, 4, 4))
    assert cache.nbytes() == 2 * 1 * 2 * 4 * 4 * 4  # keys and values, float32
    assert isinstance(cache.layers[1], LayerCache) and cache.layers[1].length == 0


def test_on_token_sees_every_new_token_as_it_comes(tiny):
    seen = []
    out = generate(
        tiny,
        torch.tensor([[1, 2]]),
        6,
        temperature=0,
        use_cache=True,
        on_token=lambda ids: seen.append(ids.clone()),
    )
    assert [t.shape for t in seen] == [(1, 1)] * 6
    assert torch.equal(torch.cat(seen, dim=1), out[:, 2:])


def test_a_cache_needs_a_positive_number_of_layers():
    with pytest.raises(ValueError, match="n_layer must be a positive int, got 0"):
        KVCache(0)
