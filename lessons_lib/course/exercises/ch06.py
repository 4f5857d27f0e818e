"""Chapter 06's exercises: count a GPT's parameters, predict attention shapes, predict the loss
of a confidently wrong initialisation."""

from __future__ import annotations

import math

import torch

from ...models import gpt
from ...models.gpt import GPT, GPTConfig
from ...models.lm import count_parameters as count_model_parameters
from . import exercise, returned


def count_parameters(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> int:
    """Parameters of the course's GPT (biases on, head tied to the token embedding)."""
    C = n_embd
    embeddings = vocab_size * C + block_size * C  # token table + position table
    attention = (3 * C * C + 3 * C) + (C * C + C)  # qkv projection + output projection
    feed_forward = (C * 4 * C + 4 * C) + (4 * C * C + C)  # up (C -> 4C) + down (4C -> C)
    norms = 2 * (2 * C)  # two layer norms, each a scale and a shift of size C
    final_norm = 2 * C
    return embeddings + n_layer * (attention + feed_forward + norms) + final_norm


def attention_shapes(
    batch_size: int, T: int, n_embd: int, n_head: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The shape of the queries after the split into heads, and of the attention weights."""
    head_size = n_embd // n_head
    return (batch_size, n_head, T, head_size), (batch_size, n_head, T, T)


def repeat_loss(z: float, vocab_size: int) -> float:
    """The loss at one position when the character being read has logit ``z``, the other
    ``vocab_size - 1`` characters logit 0, and the next character is one of the others."""
    # softmax gives the next character e^0 / (e^z + (V - 1) e^0); the loss is -ln of that
    return math.log(math.exp(z) + vocab_size - 1)


def _real_total(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> int:
    config = GPTConfig(
        vocab_size=vocab_size, block_size=block_size, n_layer=n_layer, n_head=4, n_embd=n_embd
    )
    return count_model_parameters(GPT(config))


@exercise("count_parameters", solution=count_parameters)
def check_count_parameters(answer) -> str:
    for V, T, n_layer, C in ((76, 128, 3, 128), (50, 16, 1, 8), (1000, 64, 6, 32)):
        got = returned(answer(V, T, n_layer, C))
        want = _real_total(V, T, n_layer, C)
        if got == want:
            continue
        size = f"GPT(vocab_size={V}, block_size={T}, n_layer={n_layer}, n_embd={C})"
        gaps = {
            V * C: "the head shares its matrix with the token embedding (weight tying): "
            "count it once",
            V: "the head has no bias: it is the token table itself, reused (weight tying)",
            -T * C: "the position embedding is a table too: block_size rows of n_embd",
            -2 * C: "the final layer norm (before the head) has a scale and a shift",
            -n_layer * 4 * C: "each block has two layer norms, each with n_embd scales and "
            "n_embd shifts",
            -n_layer * 13 * C: "count the biases: every nn.Linear has one per output, and "
            "each layer norm a scale and a shift",
            -n_layer * 9 * C: "count the biases: every nn.Linear has one per output",
        }
        for gap, hint in gaps.items():
            if got - want == gap:
                raise AssertionError(f"for {size}: got {got:,}, expected {want:,}: {hint}")
        raise AssertionError(
            f"for {size}: got {got:,}, expected {want:,} (off by {got - want:+,}). Count per "
            "block: attention has qkv (C x 3C) and proj (C x C), the feed-forward net has up "
            "(C x 4C) and down (4C x C), plus biases and two layer norms."
        )
    return "correct: 12·C² + 13·C per block, plus the embeddings and the final norm"


def _real_shapes(batch_size: int, T: int, n_embd: int, n_head: int):
    """Catch the queries and the weights of a real GPT in the course's attention."""
    config = GPTConfig(
        vocab_size=20, block_size=T, n_layer=1, n_head=n_head, n_embd=n_embd, attention="course"
    )
    model = GPT(config).eval()
    caught = {}
    original = gpt.scaled_dot_product_attention

    def spy(q, k, v, mask=None):
        out, weights = original(q, k, v, mask=mask)
        caught["q"], caught["weights"] = tuple(q.shape), tuple(weights.shape)
        return out, weights

    gpt.scaled_dot_product_attention = spy  # the name the GPT's attention calls
    try:
        with torch.no_grad():
            model(torch.zeros(batch_size, T, dtype=torch.long))
    finally:
        gpt.scaled_dot_product_attention = original
    return caught["q"], caught["weights"]


@exercise("attention_shapes", solution=attention_shapes)
def check_attention_shapes(answer) -> str:
    for B, T, C, H in ((32, 128, 128, 4), (2, 5, 12, 3), (1, 7, 16, 8)):
        got = returned(answer(B, T, C, H))
        assert isinstance(got, tuple) and len(got) == 2, (
            "return two shapes as a tuple: (q_shape, weights_shape)"
        )
        q_shape, w_shape = (tuple(int(n) for n in s) for s in got)
        want_q, want_w = _real_shapes(B, T, C, H)
        where = f"batch_size={B}, T={T}, n_embd={C}, n_head={H}"
        if (q_shape, w_shape) == (want_w, want_q) and want_q != want_w:
            raise AssertionError(
                f"{where}: the two shapes are swapped; return (q_shape, weights_shape)"
            )
        if q_shape == (B, T, H, C // H):
            raise AssertionError(
                f"{where}: {q_shape} is the shape before .transpose(1, 2); the heads come "
                "before time so that each head multiplies its own (T, head_size) matrices"
            )
        if q_shape in ((B, H, T, C), (B, T, C)):
            raise AssertionError(
                f"{where}: the queries' shape is not {q_shape}: after the split each head gets "
                f"n_embd // n_head = {C // H} dimensions"
            )
        assert q_shape == want_q, f"{where}: the queries have shape {want_q}, got {q_shape}"
        if w_shape == (T, T) or w_shape == (B, T, T):
            raise AssertionError(
                f"{where}: every sequence in the batch and every head has its own (T, T) map; "
                f"the weights have 4 dimensions, got {w_shape}"
            )
        assert w_shape == want_w, (
            f"{where}: the weights are (batch, heads, queries, keys) = {want_w}, got {w_shape}"
        )
    return "correct: q is (B, n_head, T, n_embd // n_head), the weights (B, n_head, T, T)"


def _loud_gpt_loss() -> tuple[float, float]:
    """A tiny GPT with its token table scaled up: (mean logit of the character read, loss)."""
    torch.manual_seed(0)
    model = GPT(GPTConfig.preset("tiny", vocab_size=76)).eval()
    with torch.no_grad():
        model.tok_emb.weight.mul_(30)
        idx = torch.randint(0, 76, (8, 16))
        targets = (idx + 1) % 76  # the next character is never the one being read
        logits, loss = model(idx, targets)
    return logits.gather(-1, idx[..., None]).mean().item(), loss.item()


@exercise("repeat_loss", solution=repeat_loss)
def check_repeat_loss(answer) -> str:
    for z, V in ((0.0, 76), (2.0, 76), (25.0, 76), (1.0, 2), (-3.0, 512)):
        got = float(returned(answer(z, V)))
        want = repeat_loss(z, V)
        where = f"repeat_loss(z={z}, vocab_size={V})"
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        if math.isclose(got, math.log(math.exp(z) + V), rel_tol=1e-6):
            raise AssertionError(
                f"{where}: got {got:.4f}. Count the characters again: one has logit z, how "
                "many have logit 0?"
            )
        if math.isclose(got, z, rel_tol=1e-6) or math.isclose(got, -z, rel_tol=1e-6):
            raise AssertionError(
                f"{where}: got {got:.4f}. That is close for a large z only; it must also hold "
                "for z = 2 or z = -3. Keep every term of softmax's denominator."
            )
        if math.isclose(got, -want, rel_tol=1e-6):
            raise AssertionError(f"{where}: got {got:.4f}. A loss is -ln(p): positive here.")
        if z == 0.0 and not math.isclose(got, math.log(V), rel_tol=1e-4):
            raise AssertionError(
                f"{where}: got {got:.4f}. With z = 0 every logit is 0: softmax spreads its bets "
                "evenly. What is the loss then (chapter 01's uniform guess)?"
            )
        raise AssertionError(
            f"{where}: got {got:.4f}, expected {want:.4f}. The next character has logit 0: "
            "write softmax's probability for it (numerator e^0, denominator a sum over all "
            f"{V} characters), then take -ln."
        )
    z, measured = _loud_gpt_loss()
    predicted = float(answer(z, 76))
    assert abs(predicted - measured) < 0.1 * measured, (
        f"the formula holds for made-up logits, but a loud tiny GPT (mean logit {z:.1f} on the "
        f"character it reads) measures {measured:.1f} where you predict {predicted:.1f}"
    )
    return (
        f"correct: ln(e^z + V - 1), about z once z is large. Checked on a real model too: a "
        f"tiny GPT (2 layers, 32 wide) with its token table 30x larger gives the character it "
        f"reads logit {z:.1f} and measures a loss of {measured:.1f}; you predict {predicted:.1f}"
    )
