"""Fixtures shared by test_bert.py and test_minilm.py: all-MiniLM-L6-v2, loaded once."""

import pytest

from lessons_lib.models.minilm import load_minilm


@pytest.fixture(scope="session")
def minilm():
    """(model, tokenizer) of all-MiniLM-L6-v2 in the course's BertEncoder; a test that changes
    the model (e.g. ``.double()``) puts it back."""
    return load_minilm()


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    """Sentences of every kind: long, short, accented, Chinese, padded against each other."""
    return [
        "To be, or not to be, that is the question.",
        "A cat sat on the mat.",
        "Attention is all you need, they said; then came the long nights of debugging.",
        "Café naïve résumé",
        "我爱自然语言处理",
        "Hi",
    ]
