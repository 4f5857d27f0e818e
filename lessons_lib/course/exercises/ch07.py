"""Chapter 07's exercises: the in-batch contrastive loss that trained MiniLM's sentence
embeddings (checked against sentence-transformers' loss, measured on real and shuffled pairs),
read a tensor from a safetensors file by its header, a keyword search where rare words count more
(measured against plain shared words and MiniLM), and a probe on each block of chapter 06's
GPT (measured). GPT-2's block weights copied into ours is in ``ch07_gpt2.py``, a BERT
layer written from its weights in ``ch07_bert.py``."""

from __future__ import annotations

import json
import math
from collections import Counter

import torch

from ...data.search_queries import (
    SEARCH_QUERIES,
    content_words,
    search_collection,
    speech_passages,
    target_ranks,
)
from ...data.speeches import speeches
from ...pretrained.minilm import embed_sentences, minilm_path
from ...training.checkpoint import load_pretrained
from ...training.probe import fit_linear_probe, probe_accuracy
from . import exercise, returned

N_OTHERS = 150  # the other speeches of chapter 07's search collection (section 4)


def contrastive_loss(
    anchors: torch.Tensor, positives: torch.Tensor, scale: float = 20.0
) -> torch.Tensor:
    """The in-batch contrastive loss of two (B, C) batches of sentence vectors: row i of
    ``anchors`` belongs with row i of ``positives``, and every other row of ``positives`` is
    a negative. Cross-entropy over ``scale`` times the cosines of each row: a scalar."""
    a = torch.nn.functional.normalize(anchors, dim=1)  # (B, C), unit rows
    p = torch.nn.functional.normalize(positives, dim=1)  # (B, C)
    logits = scale * a @ p.T  # (B, B): row i scores every candidate for anchor i
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(a)))  # right: the diagonal


_DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_tensor(raw: bytes, name: str) -> torch.Tensor:
    """Tensor ``name`` of the safetensors file whose bytes are ``raw``, by its ``data_offsets``
    (counted from the end of the header) and its ``dtype`` and ``shape``."""
    header_length = int.from_bytes(raw[:8], "little")
    info = json.loads(raw[8 : 8 + header_length])[name]
    start, end = (8 + header_length + offset for offset in info["data_offsets"])
    flat = torch.frombuffer(bytearray(raw[start:end]), dtype=_DTYPES[info["dtype"]])
    return flat.reshape(info["shape"])


def rare_word_scores(query_words: set[str], passage_words: list[set[str]]) -> torch.Tensor:
    """Shared words, each weighted by how rare it is: (P,) scores, one per passage.

    A word in ``df`` of the P passages weighs log(P / df); a passage scores the weights of
    the words it shares with the query, divided by the square root of its number of words.
    """
    df = Counter(w for words in passage_words for w in words)  # passages holding each word
    n = len(passage_words)
    scores = [
        sum(math.log(n / df[w]) for w in query_words & words) / max(len(words), 1) ** 0.5
        for words in passage_words
    ]
    return torch.tensor(scores)  # (P,)


@torch.no_grad()
def gpt_layer_features(gpt, idx: torch.Tensor, layer: int) -> torch.Tensor:
    """The mean over positions of what block ``layer`` (from 0) of ``gpt`` outputs: (B, C)."""
    T = idx.shape[1]
    x = gpt.tok_emb(idx) + gpt.pos_emb(torch.arange(T))  # (B, T, C): tokens + positions
    for block in gpt.blocks[: layer + 1]:  # blocks 0..layer
        x = block(x)  # (B, T, C)
    return x.mean(dim=1)  # (B, C)


def _library_loss(anchors: torch.Tensor, positives: torch.Tensor) -> tuple[float, str]:
    """sentence-transformers' MultipleNegativesRankingLoss on these vectors, and its name; the
    same formula by hand where the installed version cannot take vectors directly."""
    try:
        try:
            from sentence_transformers.sentence_transformer.losses import (
                MultipleNegativesRankingLoss,
            )
        except ImportError:  # sentence-transformers before 6
            from sentence_transformers.losses import MultipleNegativesRankingLoss
        loss = MultipleNegativesRankingLoss(model=torch.nn.Identity())  # scale 20, cosine
        return loss.compute_loss_from_embeddings([anchors, positives], None).item(), (
            "sentence-transformers' MultipleNegativesRankingLoss"
        )
    except (ImportError, AttributeError, TypeError):  # older versions: the formula it computes
        return contrastive_loss(anchors, positives).item(), "the reference formula"


@exercise("contrastive_loss", solution=contrastive_loss)
def check_contrastive_loss(answer) -> str:
    generator = torch.Generator().manual_seed(0)
    anchors, positives = torch.randn(2, 6, 8, generator=generator)  # (6, 8) each, not unit
    got = returned(answer(anchors.clone(), positives.clone()))
    if not isinstance(got, torch.Tensor) or got.numel() != 1:
        what = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise AssertionError(f"return one number, a tensor of shape (), got {what}: the mean "
                             "cross-entropy over the batch")  # fmt: skip
    want, library = _library_loss(anchors, positives)
    if not abs(got.item() - want) <= 1e-4:  # NaN fails too
        hint = ""
        raw = torch.nn.functional.cross_entropy(20 * anchors @ positives.T, torch.arange(6))
        unscaled = contrastive_loss(anchors, positives, scale=1.0)
        if abs(got.item() - raw.item()) < 1e-4:
            hint = " Make the rows unit length first: the scores are cosines."
        elif abs(got.item() - unscaled.item()) < 1e-4:
            hint = " Multiply the cosines by scale (20) before the softmax."
        raise AssertionError(f"expected {want:.4f} ({library}), got {got.item():.4f}.{hint}")
    queries = [q.query for q in SEARCH_QUERIES]  # 12 modern paraphrases
    targets = [q.contains for q in SEARCH_QUERIES]  # the first words of each right speech
    speech_text = {}
    for speech in speeches():
        for target in targets:
            if target in speech.text and target not in speech_text:
                speech_text[target] = speech.text[:400]
    q, s = embed_sentences(queries), embed_sentences([speech_text[t] for t in targets])  # (12, 384)
    paired = returned(answer(q, s)).item()
    shuffled = returned(answer(q, s.roll(1, dims=0))).item()  # every query with a wrong speech
    return (
        f"correct: {got.item():.4f}, as {library} gives. On the 12 paraphrases of section 4 "
        f"and the openings of their speeches, MiniLM's loss is {paired:.2f} (ln 12 = "
        f"{math.log(12):.2f} for vectors that know nothing); with the speeches shuffled, "
        f"{shuffled:.2f}. Step 3 of its training lowered exactly this number, on about 100 M pairs"
    )


@exercise("read_tensor", solution=read_tensor)
def check_read_tensor(answer) -> str:
    from safetensors.torch import load as load_safetensors_bytes
    from safetensors.torch import save as save_safetensors_bytes

    small = {"a": torch.arange(6.0).reshape(2, 3), "b": torch.tensor([[7, 8]]), "c": -torch.ones(4)}
    raw = save_safetensors_bytes(small)
    for name, want in small.items():
        got = returned(answer(raw, name))
        assert isinstance(got, torch.Tensor), f"return a tensor, got {type(got).__name__}"
        if got.numel() == want.numel() and tuple(got.shape) != tuple(want.shape):
            raise AssertionError(
                f"{name!r}: right numbers, shape {tuple(got.shape)}: reshape to the header's "
                f"'shape', {list(want.shape)}"
            )
        assert got.dtype == want.dtype, (
            f"{name!r}: return {want.dtype}, got {got.dtype} (the header's dtype: F32 -> "
            "torch.float32, I64 -> torch.int64)"
        )
        if not torch.equal(got, want):
            raise AssertionError(
                f"{name!r}: expected {want.tolist()}, got {got.tolist()}. data_offsets count "
                "from the end of the header: the bytes start at 8 + header_length + start"
            )
    raw = (minilm_path() / "model.safetensors").read_bytes()
    reference = load_safetensors_bytes(raw)
    same = sum(torch.equal(returned(answer(raw, name)), t) for name, t in reference.items())
    numbers = sum(t.numel() for t in reference.values())
    assert same == len(reference), f"only {same} of {len(reference)} MiniLM tensors match"
    return (
        f"correct: all {same} tensors of MiniLM's model.safetensors ({numbers:,} numbers) "
        "equal what the safetensors library reads; load_minilm does the same by name"
    )


def _top(ranks: list[int]) -> tuple[int, int]:
    """How many targets came first, and how many in the top 5."""
    return sum(r <= 1 for r in ranks), sum(r <= 5 for r in ranks)


def _plain_shared(query_words: set[str], passage_words: list[set[str]]) -> torch.Tensor:
    return torch.tensor([len(query_words & w) / max(len(w), 1) ** 0.5 for w in passage_words])


_SMALL = [{"king", "crown"}, {"king", "storm"}, {"rain", "storm", "wind", "king"}, {"bread"}]


@exercise("rare_word_scores", solution=rare_word_scores)
def check_rare_word_scores(answer) -> str:
    query = {"king", "storm", "wind"}
    want = rare_word_scores(query, _SMALL)
    got = returned(answer(query, _SMALL))
    got = torch.as_tensor(got, dtype=torch.float32)
    assert got.shape == (4,), f"one score per passage: shape (4,), got {tuple(got.shape)}"
    if torch.allclose(got, _plain_shared(query, _SMALL)):
        raise AssertionError(
            "every shared word still counts 1. Weigh each by log(P / df): 'king' is in 3 of "
            "the 4 passages (weight log(4/3) = 0.29), 'wind' in one (log 4 = 1.39)"
        )
    unscaled = want * torch.tensor([max(len(w), 1) ** 0.5 for w in _SMALL])
    if torch.allclose(got, unscaled, atol=1e-5):
        raise AssertionError(
            "the weights are right; now divide each passage's score by the square root of its "
            "number of words, as the shared-words baseline does, so long passages do not win "
            "by size"
        )
    assert torch.allclose(got, want, atol=1e-5), (
        f"passages {[sorted(w) for w in _SMALL]}, query {sorted(query)}: expected "
        f"{[round(v, 3) for v in want.tolist()]}"
        f", got {[round(v, 3) for v in got.tolist()]}. df(w) counts the passages that hold w"
    )
    passages, owner = speech_passages(search_collection(N_OTHERS))
    words = [content_words(p) for p in passages]
    found, names = {}, ("yours", "shared words")
    for kind in ("query", "summary"):
        texts = [getattr(q, kind) for q in SEARCH_QUERIES]
        for name, score in (("yours", answer), ("shared words", _plain_shared)):
            scores = torch.stack([torch.as_tensor(score(content_words(t), words)) for t in texts])
            found[name, kind] = _top(target_ranks(scores.float(), owner))
    table = "; ".join(
        f"on the {label}: "
        + ", ".join(f"{n} {found[n, kind][0]} and {found[n, kind][1]}" for n in names)
        for kind, label in (("summary", "plot summaries"), ("query", "paraphrases"))
    )
    return (
        f"correct: rare words count more. Targets found first and in the top 5, of 12, {table} "
        "(MiniLM's are in section 4's table)"
    )


def _probe_task(n: int = 600, length: int = 128) -> tuple[list[str], torch.Tensor]:
    """The chapter's probe: the first ``length`` characters of ``n`` speeches of four plays."""
    plays = ["Hamlet", "Julius Caesar", "The Tempest", "Henry V"]
    pool = speeches(min_words=40, plays=plays)
    order = torch.randperm(len(pool), generator=torch.Generator().manual_seed(0))[:n].tolist()
    labels = torch.tensor([plays.index(pool[i].play) for i in order])
    return [pool[i].text[:length] for i in order], labels


@exercise("gpt_layer_features", solution=gpt_layer_features)
def check_gpt_layer_features(answer) -> str:
    gpt, chars = load_pretrained()
    idx = torch.tensor([chars.encode("To be, or not to be"), chars.encode("Friends, Romans, co")])
    with torch.no_grad():
        for layer in range(gpt.config.n_layer):
            want = gpt_layer_features(gpt, idx, layer)
            got = torch.as_tensor(returned(answer(gpt, idx, layer)))
            assert got.shape == want.shape, (
                f"layer {layer}: one vector per text, (B, C) = {tuple(want.shape)}; got "
                f"{tuple(got.shape)}. Average over the positions (dim=1)"
            )
            embeddings = gpt.tok_emb(idx) + gpt.pos_emb(torch.arange(idx.shape[1]))
            if torch.allclose(got, embeddings.mean(dim=1), atol=1e-4):
                raise AssertionError(
                    f"layer={layer} gave the embeddings, before any block: layer {layer} means "
                    f"the output of blocks 0..{layer}, gpt.blocks[: {layer} + 1]"
                )
            if layer + 1 < gpt.config.n_layer and torch.allclose(
                got, gpt_layer_features(gpt, idx, layer + 1), atol=1e-4
            ):
                raise AssertionError(
                    f"layer={layer} gave block {layer + 1}'s output: layers count from 0, so "
                    f"layer {layer} means blocks 0..{layer} ({layer + 1} blocks)"
                )
            if layer > 0 and torch.allclose(got, gpt_layer_features(gpt, idx, layer - 1), 1e-4):
                raise AssertionError(
                    f"layer={layer} gave block {layer - 1}'s output: run blocks 0..{layer}, "
                    f"that is gpt.blocks[: {layer} + 1]"
                )
            assert torch.allclose(got, want, atol=1e-4), (
                f"layer {layer}: your vectors differ from the block's output by up to "
                f"{(got - want).abs().max().item():.3g}. Did you add the position embeddings "
                "(gpt.pos_emb(torch.arange(T))) before the first block?"
            )
    texts, labels = _probe_task()
    idx = torch.tensor([chars.encode(t) for t in texts])  # (600, 128)
    per_block = [[] for _ in gpt.blocks]  # one pass of your function: hooks keep each block's
    hooks = [  # output, averaged over the positions
        b.register_forward_hook(lambda m, i, o, n=n: per_block[n].append(o.mean(dim=1)))
        for n, b in enumerate(gpt.blocks)
    ]
    try:
        with torch.no_grad():
            last = torch.cat(  # 100 texts at a time keeps the memory low
                [torch.as_tensor(answer(gpt, c, len(per_block) - 1)) for c in idx.split(100)]
            ).float()  # (600, C)
    finally:
        for hook in hooks:
            hook.remove()
    if not all(per_block[:-1]):  # the blocks were not called as modules: one pass per block
        with torch.no_grad():
            per_block = [[answer(gpt, c, n) for c in idx.split(100)] for n in range(len(hooks))]
    features = [torch.cat(chunks).float() for chunks in per_block[:-1]] + [last]  # (600, C)
    folds = torch.arange(len(labels)).chunk(4)  # 4-fold cross-validation, as section 6
    right = []  # per block: speeches named right, each tested once
    for x in features:
        count = 0
        for test in folds:
            train = torch.cat([fold for fold in folds if fold is not test])
            probe = fit_linear_probe(x[train], labels[train])  # trains: needs gradients
            count += round(probe_accuracy(probe, x[test], labels[test]) * len(test))
        right.append(count)
    accuracies = [r / len(labels) for r in right]
    listed = ", ".join(
        f"block {i}: {r} ({a:.0%})" for i, (r, a) in enumerate(zip(right, accuracies, strict=True))
    )
    return (
        f"correct: each block's output, averaged. Cross-validated over all {len(labels)} "
        f"speeches, a probe names the play from them: {listed}. One speech is "
        f"{100 / len(labels):.2f} points, and an accuracy near 45% is uncertain by about 2 "
        "points: read the order of the blocks from these counts. "
        f"Block {len(accuracies) - 1} is read before the GPT's final layer norm; section 6 "
        "read L.gpt_hidden_states, after it, so its number need not equal this one"
    )
