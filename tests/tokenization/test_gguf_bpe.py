"""Tests of tokenization.gguf_bpe: chapter 02's BPE with SmolLM2's vocabulary and merges gives
the ids of the Hugging Face tokenizer made from the same GGUF file, on varied text."""

from __future__ import annotations

import pytest

from lessons_lib.pretrained.gguf_file import read_gguf
from lessons_lib.pretrained.smollm2 import smollm2_path
from lessons_lib.tokenization.bpe import split_text
from lessons_lib.tokenization.gguf_bpe import SPLIT_PATTERNS, GGUFTokenizer

TEXTS = [
    "What is the capital of France?",
    "def square(x):\n    return x ** 2  # the square\n",
    "我爱自然语言处理，你呢？",
    "Emoji 🤗🚀 and café, naïve résumé",
    "   many    spaces\t\ttabs\n\n\nnew lines  ",
    "Year 2026: 3.14159 and 1,000,000 ²³",
    "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    "don't you'll I'M they're",
    "Ⅻ ½ x²",
    "",
]


@pytest.fixture(scope="module")
def ours():
    return GGUFTokenizer(read_gguf(smollm2_path()).metadata)


@pytest.fixture(scope="module")
def theirs():
    import transformers

    path = smollm2_path()
    return transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


@pytest.mark.parametrize("text", TEXTS)
def test_ids_equal_hugging_face_and_decode_back(ours, theirs, text):
    ids = ours.encode(text)
    assert ids == theirs.encode(text, add_special_tokens=False)
    assert ours.decode(ids) == text


def test_the_vocabulary_and_the_control_tokens(ours):
    assert ours.vocab_size == 49152
    assert ours.encode("<|im_start|><|im_end|><|endoftext|>") == [1, 2, 0]
    assert ours.token_strings(ours.encode(" the")) == ["Ġthe"]


def test_smollm_cuts_every_digit_alone():
    assert split_text("in 2026!", SPLIT_PATTERNS["smollm"]) == ["in", " ", "2", "0", "2", "6", "!"]
    assert split_text("in 2026!", SPLIT_PATTERNS["gpt2"]) == ["in", " 2026", "!"]


def test_unknown_ids_and_other_tokenizers_are_refused(ours):
    with pytest.raises(ValueError, match="not tokens of this vocabulary of 49,152"):
        ours.decode([5, 49152])
    with pytest.raises(ValueError, match="pre-tokenizer 'llama-bpe'"):
        GGUFTokenizer({"tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "llama-bpe",
                       "tokenizer.ggml.tokens": [], "tokenizer.ggml.merges": []})  # fmt: skip
