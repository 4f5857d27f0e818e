"""Chapter 09's FLOP-counting exercise: the FLOPs of one forward pass of chapter 06's GPT,
counted from its shapes, checked against PyTorch's FlopCounterMode (attention on its math
kernel, so that the counter sees the score products too)."""

from __future__ import annotations

from . import exercise, returned


def forward_flops(config, T: int) -> int:
    """FLOPs of one forward pass of chapter 06's GPT over one window of ``T`` tokens: 2 per
    multiply-add of every matrix product. Per layer and token: the query/key/value projection
    (C -> 3C), the output projection (C -> C), the feed-forward network (C -> 4C -> C); the
    attention scores Q·Kᵀ and the weighted sum of the values, each 2·T·C per token (the full
    T x T matrix); then the head onto the vocabulary (C -> V)."""
    C, L, V = config.n_embd, config.n_layer, config.vocab_size
    weights_per_token = L * (3 * C * C + C * C + 2 * 4 * C * C) + C * V  # multiply-adds
    attention_per_token = L * 2 * T * C  # Q·Kᵀ (T per query, C each) and weights·V
    return 2 * T * (weights_per_token + attention_per_token)


def counted_flops(config, T: int) -> int:
    """FlopCounterMode's count for one forward pass of a GPT of ``config`` on one window."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    from ...models.gpt import GPT

    model = GPT(config).eval()
    x = torch.zeros(1, T, dtype=torch.long)
    with FlopCounterMode(display=False) as counter, sdpa_kernel(SDPBackend.MATH), torch.no_grad():
        model(x)
    return counter.get_total_flops()


@exercise("forward_flops", solution=forward_flops)
def check_forward_flops(answer) -> str:
    from ...models.gpt import GPTConfig

    cases = [
        (GPTConfig.preset("tiny", vocab_size=50), 16),
        (GPTConfig.preset("tiny"), 9),
        (GPTConfig(n_layer=3, n_embd=48, n_head=4, vocab_size=30, block_size=64), 64),
    ]
    for config, T in cases:
        got, want = returned(answer(config, T)), counted_flops(config, T)
        if got == want:
            continue
        C, L, V = config.n_embd, config.n_layer, config.vocab_size
        attention, head = 2 * L * 2 * T * T * C, 2 * T * C * V
        hint = ""
        if got == want - attention:
            hint = (" Add attention's own two products: the scores Q·Kᵀ and the weighted sum "
                    "of the values, 2·T·C FLOPs each per token and layer.")  # fmt: skip
        elif got == want - attention // 2:
            hint = (" The counter counts the whole T x T score matrix, masked or not: no "
                    "halving for the causal mask.")  # fmt: skip
        elif got == want - head:
            hint = " Add the head: the last product, C -> vocab_size, 2·C·V per token."
        elif got == 3 * want:
            hint = " Forward only: 2 FLOPs per multiply-add; 6·N·D counts backward too."
        elif got * 2 == want:
            hint = " A multiply-add is 2 FLOPs: a product (m x k)·(k x n) costs 2·m·k·n."
        raise AssertionError(f"n_layer={L}, n_embd={C}, vocab_size={V}, T={T}: "
                             f"FlopCounterMode counts {want:,}, you {got:,}.{hint}")  # fmt: skip
    from ...training.checkpoint import checkpoint_facts

    shipped = GPTConfig(**checkpoint_facts()["config"])  # chapter 06's checkpoint, 1.8 M
    C, L, V = shipped.n_embd, shipped.n_layer, shipped.vocab_size
    even = 6 * C + V / (2 * L)  # T where 4·L·T·C (attention) = 2·(12·L·C² + C·V) (weights)
    share = {T: 4 * L * T * T * C / forward_flops(shipped, T) for T in (128, 1024)}
    return (f"correct: to the FLOP, on three sizes. For chapter 06's checkpoint (C = {C}, {L} "
            f"layers) attention's products cost as much as all the weights' at T = {even:,.0f} "
            f"tokens; at T = 128 they are {share[128]:.0%} of a forward pass, at T = 1,024 "
            f"{share[1024]:.0%}. GPT-3 (C = 12,288) gets there near T = 74,000")  # fmt: skip
