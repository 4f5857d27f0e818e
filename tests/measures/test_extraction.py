"""The extraction test on models whose memory is known: one that knows a text by heart, one
that knows half of it, one that knows nothing, and a small GPT decoded in one batch."""

import pytest
import torch
import torch.nn as nn

from lessons_lib.measures import extraction as X
from lessons_lib.models.generation import generate
from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.tokenization.characters import CharTokenizer

SONNET = """Shall I compare thee to a summer's day?
Thou art more lovely and more temperate:
Rough winds do shake the darling buds of May,
And summer's lease hath all too short a date;
Sometime too hot the eye of heaven shines,
And often is his gold complexion dimm'd;
And every fair from fair sometime declines,
By chance or nature's changing course untrimm'd;
But thy eternal summer shall not fade,
Nor lose possession of that fair thou ow'st;
Nor shall death brag thou wander'st in his shade,
When in eternal lines to time thou grow'st:
So long as men can breathe or eyes can see,
So long lives this, and this gives life to thee.
"""
# "#" (id 0) never occurs: a model that knows nothing predicts it, so it never matches by luck.
TOKENIZER = CharTokenizer(["#", *sorted(set(SONNET))])
K = 12  # 12 characters of the sonnet always fix the next one (Reciter checks it)


class Reciter(nn.Module):
    """Knows ``text`` by heart: after any ``K`` characters of it, the one that follows."""

    def __init__(self, text: str):
        super().__init__()
        ids = TOKENIZER.encode(text)
        self.next_id: dict[tuple[int, ...], int] = {}
        for i in range(len(ids) - K):
            seen = self.next_id.setdefault(tuple(ids[i : i + K]), ids[i + K])
            assert seen == ids[i + K], "K characters must fix the next one: raise K"

    def forward(self, idx, targets=None):
        B, T = idx.shape
        logits = torch.zeros(B, T, TOKENIZER.vocab_size)  # unknown context: a tie, argmax "#"
        for b in range(B):
            for t in range(K - 1, T):
                found = self.next_id.get(tuple(idx[b, t - K + 1 : t + 1].tolist()))
                if found is not None:
                    logits[b, t, found] = 1.0
        return logits, None


class KnowsNothing(nn.Module):
    """Every character equally likely, everywhere; a window of ``block_size`` characters."""

    block_size = 24

    def forward(self, idx, targets=None):
        return torch.zeros(*idx.shape, TOKENIZER.vocab_size), None  # (B, T, V)


def test_a_model_that_memorised_the_text_reproduces_every_passage():
    found = X.extraction_examples(Reciter(SONNET), TOKENIZER, SONNET, 16, 16, samples=12)
    assert len(found) == 12 and all(e.exact and e.matched == 16 for e in found)
    assert all(SONNET[e.start - 1] == "\n" for e in found if e.start)  # passages start lines
    assert X.extraction_rate(Reciter(SONNET), TOKENIZER, SONNET, 16, 16, samples=12) == 1.0


def test_a_model_that_memorised_half_the_text_reproduces_only_that_half():
    half = SONNET[: SONNET.index("But thy")]  # the first 8 lines
    found = X.extraction_examples(Reciter(half), TOKENIZER, SONNET, 16, 16, samples=13)
    inside = [e.start + 32 <= len(half) for e in found]
    assert [e.exact for e in found] == inside and 0 < sum(inside) < 13


def test_a_model_that_knows_nothing_extracts_nothing():
    found = X.extraction_examples(KnowsNothing(), TOKENIZER, SONNET, 8, 8, samples=10)
    assert all(e.continuation == "########" and e.matched == 0 for e in found)
    assert X.extraction_rate(KnowsNothing(), TOKENIZER, SONNET, 8, 8, samples=10) == 0.0


def test_matched_counts_the_leading_characters_in_common():
    one = X.Extraction(start=0, prompt="To be", truth=", or not", continuation=", or nay")
    assert one.matched == 6 and not one.exact
    assert X.Extraction(0, "a", "bc", "bc").matched == 2


def test_the_seed_picks_the_same_line_starts_whatever_the_sizes():
    def starts(prefix, suffix, seed=0):
        found = X.extraction_examples(KnowsNothing(), TOKENIZER, SONNET, prefix, suffix, 10, seed)
        return [e.start for e in found]

    assert starts(8, 8) == starts(8, 8) == starts(16, 8) == starts(4, 12)
    assert starts(8, 8, seed=1) != starts(8, 8)
    every = X.line_starts(SONNET, 32, samples=14)  # every line but the last has 32 after it
    assert sorted(every) == [0] + [i + 1 for i, c in enumerate(SONNET[:-1]) if c == "\n"]


def test_a_gpt_decodes_all_passages_in_one_batch_as_it_would_one_by_one():
    torch.manual_seed(0)
    config = GPTConfig.preset("tiny", vocab_size=TOKENIZER.vocab_size, block_size=24)
    model = GPT(config).eval()
    found = X.extraction_examples(model, TOKENIZER, SONNET, 12, 12, samples=8)
    for e in found:
        alone = generate(model, torch.tensor(TOKENIZER.encode(e.prompt)), 12, temperature=0)
        assert TOKENIZER.decode(alone[12:].tolist()) == e.continuation


def test_bad_input_is_refused_with_a_fix():
    model = KnowsNothing()
    with pytest.raises(ValueError, match="prefix=16"):
        X.extraction_rate(model, TOKENIZER, SONNET, prefix=20, suffix=8)  # 28 > window of 24
    with pytest.raises(ValueError, match="fewer samples"):
        X.extraction_rate(model, TOKENIZER, SONNET, 8, 8, samples=15)  # 14 lines
    with pytest.raises(ValueError, match="fewer samples"):
        X.extraction_rate(Reciter(SONNET), TOKENIZER, "Too short.", 8, 8, samples=1)
    for sizes in ({"prefix": 0}, {"suffix": -1}, {"samples": 0}, {"prefix": 2.5}):
        with pytest.raises(ValueError, match="positive int"):
            X.extraction_rate(model, TOKENIZER, SONNET, **{"prefix": 8, "suffix": 8, **sizes})
    with pytest.raises(TypeError, match="string"):
        X.extraction_rate(model, TOKENIZER, list(SONNET))
    with pytest.raises(ValueError, match="vocabulary"):
        X.extraction_rate(model, TOKENIZER, "ZEBRAS ZIGZAG\n" * 3, 4, 4, samples=2)


def test_line_starts_names_text_that_is_not_a_string_and_a_bad_seed():
    with pytest.raises(TypeError, match="text must be a string, got list; join a list first"):
        X.line_starts(SONNET.splitlines(), 8, 2)
    with pytest.raises(ValueError, match="seed must be an int >= 0, got -1"):
        X.line_starts(SONNET, 8, 2, seed=-1)
