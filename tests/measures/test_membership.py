"""The loss-based membership test: passages match the extraction test's, losses match
F.cross_entropy window by window, and the AUC matches scikit-learn's."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lessons_lib.measures import membership as M
from lessons_lib.measures.extraction import line_starts
from lessons_lib.models.gpt import GPT, GPTConfig
from lessons_lib.tokenization.characters import CharTokenizer

TEXT = "".join(f"line {i}: to be or not to be, {i * 7 % 13}\n" for i in range(60))
TOKENIZER = CharTokenizer(sorted(set(TEXT)))


def tiny_gpt():
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=TOKENIZER.vocab_size, block_size=16, n_layer=1, n_head=2,
                       n_embd=16)  # fmt: skip
    return GPT(config).eval()


def test_passages_start_where_the_extraction_test_starts():
    found = M.line_passages(TEXT, length=12, samples=5, seed=3)
    assert found == [TEXT[s : s + 12] for s in line_starts(TEXT, 12, 5, 3)]
    assert all(p.startswith("line ") and len(p) == 12 for p in found)


def test_passage_losses_are_the_mean_cross_entropy_of_each_window():
    model, texts = tiny_gpt(), M.line_passages(TEXT, length=17, samples=7, seed=0)
    got = M.passage_losses(model, TOKENIZER, texts, batch_size=3)  # three batches
    ids = torch.tensor([TOKENIZER.encode(t) for t in texts])  # (7, 17)
    with torch.no_grad():
        want = [F.cross_entropy(model(row[None, :-1])[0][0], row[1:]).item() for row in ids]
    torch.testing.assert_close(got, torch.tensor(want), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("texts", "match"), [
    (["bet", "be"], "same length"),
    (["b" * 18], "block_size is 16"),
])  # fmt: skip
def test_passage_losses_name_bad_texts(texts, match):
    with pytest.raises(ValueError, match=match):
        M.passage_losses(tiny_gpt(), TOKENIZER, texts)
    with pytest.raises(TypeError, match="list of strings"):
        M.passage_losses(tiny_gpt(), TOKENIZER, "line 1")


def test_the_auc_is_scikit_learns_and_half_on_no_signal():
    roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score
    rng = np.random.default_rng(0)
    member, other = rng.normal(1.0, 0.3, 40).round(1), rng.normal(1.3, 0.3, 50).round(1)  # ties
    labels, scores = [1] * 40 + [0] * 50, -np.concatenate([member, other])  # lower loss: member
    assert M.membership_auc(member, other) == pytest.approx(roc_auc_score(labels, scores))
    assert M.membership_auc([1.0, 2.0], [1.0, 2.0]) == 0.5
    assert M.membership_auc([0.1, 0.2], [0.3]) == 1.0 and M.membership_auc([0.3], [0.1]) == 0.0
    with pytest.raises(ValueError, match="member holds NaN"):
        M.membership_auc([float("nan")], [1.0])
    with pytest.raises(ValueError, match="other is empty"):
        M.membership_auc([1.0], [])
    with pytest.raises(TypeError, match="member must be a list or tensor of numbers"):
        M.membership_auc("low", [1.0])
    with pytest.raises(TypeError, match="other must be"):
        M.membership_auc([1.0], [[1.0, 2.0], [3.0]])


def test_a_counting_bigram_is_scored_on_whole_passages_too():
    from lessons_lib.models.ngram import NGramLM

    ids = TOKENIZER.encode(TEXT)
    bigram = NGramLM.from_ids(ids, context=1, vocab_size=TOKENIZER.vocab_size, smoothing=1.0)
    texts = M.line_passages(TEXT, length=30, samples=4, seed=0)
    got = M.passage_losses(bigram, TOKENIZER, texts)  # 29 predictions each, past block_size 1
    assert got.shape == (4,) and bool((got > 0).all())
    with torch.no_grad():
        row = torch.tensor(TOKENIZER.encode(texts[0]))
        want = F.cross_entropy(bigram(row[None, :-1])[0][0], row[1:]).item()
    assert got[0].item() == pytest.approx(want, rel=1e-5)
