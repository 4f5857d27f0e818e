"""Tests of apps.chat: the ChatML text equals Hugging Face's apply_chat_template with the
GGUF file's template; the reply stops at <|im_end|>, streams, and bad input is named."""

from __future__ import annotations

import pytest
import torch

from lessons_lib.assistant.chat import chat, format_chat
from lessons_lib.models.llama import Llama, LlamaConfig
from lessons_lib.pretrained.gguf_file import read_gguf
from lessons_lib.pretrained.smollm2 import smollm2_path
from lessons_lib.tokenization.gguf_bpe import GGUFTokenizer

CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Hello"}],
    [
        {"role": "user", "content": "2 + 2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "和 3 + 3？\n换行"},
    ],
]


TEMPLATE = read_gguf(smollm2_path()).metadata["tokenizer.chat_template"]


@pytest.fixture(scope="module")
def tokenizer():
    return GGUFTokenizer(read_gguf(smollm2_path()).metadata)


@pytest.fixture(scope="module")
def hf():
    import transformers

    path = smollm2_path()
    return transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_format_chat_equals_apply_chat_template(hf, messages):
    for prompt in (True, False):
        want = hf.apply_chat_template(  # the file's own template (transformers 4.44 drops it)
            messages, chat_template=TEMPLATE, tokenize=False, add_generation_prompt=prompt
        )
        assert format_chat(messages, add_generation_prompt=prompt) == want


def test_the_default_system_message_comes_first():
    text = format_chat([{"role": "user", "content": "Hi"}])
    assert text.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert text.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([{"role": "bot", "content": "Hi"}], "role 'bot': use one of system, user, assistant"),
        ([{"role": "user"}], 'must be a dict with "role" and "content"'),
        ([], "non-empty list"),
    ],
)
def test_bad_messages_are_named(messages, message):
    with pytest.raises(ValueError, match=message):
        format_chat(messages)


def test_the_streamed_pieces_make_the_reply_and_a_long_chat_is_refused(tokenizer):
    torch.manual_seed(0)
    model = Llama(LlamaConfig(n_layer=1, n_embd=16, n_head=2, n_kv_head=1, ffn_size=32,
                              block_size=128)).eval()  # fmt: skip
    pieces = []
    reply = chat(model, tokenizer, [{"role": "user", "content": "Hi"}], 8, on_text=pieces.append)
    assert reply and reply == "".join(pieces)  # a random model's 8 tokens, shown as they come
    with pytest.raises(ValueError, match="more than the model's context of 128 tokens"):
        chat(model, tokenizer, [{"role": "user", "content": "word " * 200}], 5)


@pytest.mark.slow
def test_smollm2_answers_the_capital_of_france():
    from lessons_lib.pretrained.smollm2 import load_smollm2

    model, tokenizer = load_smollm2()
    pieces = []
    question = [{"role": "user", "content": "What is the capital of France?"}]
    reply = chat(model, tokenizer, question, 30, on_text=pieces.append)
    assert reply == "The capital of France is Paris." == "".join(pieces)
