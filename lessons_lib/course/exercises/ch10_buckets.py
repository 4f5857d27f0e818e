"""Chapter 10's bucket exercise: predict how DDP packs a model's gradients into all-reduce
messages (the first bucket closes past 1 MiB, the others past 25 MiB, in the order backward
produces the gradients), checked by hand and on the chapter's GPT."""

from __future__ import annotations

from . import exercise, returned

MiB = 1024 * 1024


def ddp_buckets(sizes: list[int], first_cap: int = MiB, cap: int = 25 * MiB) -> list[int]:
    """The bytes of each bucket DDP sends: walk the gradients' ``sizes`` (bytes) in the order
    backward produces them, add each to the open bucket, and close the bucket as soon as it
    holds ``first_cap`` bytes or more (the first) or ``cap`` or more (every later one); what is
    left at the end is the last bucket."""
    buckets, open_bytes, limit = [], 0, first_cap
    for size in sizes:
        open_bytes += size
        if open_bytes >= limit:
            buckets.append(open_bytes)
            open_bytes, limit = 0, cap
    if open_bytes:
        buckets.append(open_bytes)
    return buckets


def gpt_gradient_sizes(config=None) -> list[int]:
    """The float32 gradients' bytes of a GPT (default: section 5's "cpu" preset) in the order
    backward produces them: the parameters' order reversed (the last layer's are ready first).
    The model is built on the "meta" device: shapes only, no memory."""
    import torch

    from ...models.gpt import GPT, GPTConfig

    config = GPTConfig.preset("cpu", vocab_size=76) if config is None else config
    with torch.device("meta"):
        model = GPT(config)
    return [4 * p.numel() for p in model.parameters()][::-1]


def _slip(sizes, first_cap, cap, slip):
    """ddp_buckets with a typical slip: "after" closes a bucket only when the next gradient
    would overflow it; "one cap" uses ``cap`` for the first bucket too, "first cap" uses
    ``first_cap`` for every bucket; "over" closes only past the cap, not at it."""
    buckets, open_bytes, limit = [], 0, cap if slip == "one cap" else first_cap
    for size in sizes:
        if slip == "after" and open_bytes and open_bytes + size > limit:
            buckets.append(open_bytes)
            open_bytes, limit = 0, cap
        open_bytes += size
        full = open_bytes > limit if slip == "over" else open_bytes >= limit
        if slip != "after" and full:
            buckets.append(open_bytes)
            open_bytes, limit = 0, first_cap if slip == "first cap" else cap
    if open_bytes:
        buckets.append(open_bytes)
    return buckets


@exercise("ddp_buckets", solution=ddp_buckets)
def check_ddp_buckets(answer) -> str:
    cases = [  # (sizes, first_cap, cap, buckets)
        ([300, 300, 500, 200, 900, 100], 1000, 1000, [1100, 1100, 100]),
        ([1000, 5, 5], 1000, 1000, [1000, 10]),  # exactly the cap closes the bucket
        ([400, 400], 1000, 5000, [800]),  # never full: one bucket
        ([600, 600, 3000, 3000, 10], 1000, 5000, [1200, 6000, 10]),  # the first is smaller
        ([600, 500], 1000, 1000, [1100]),  # the last gradient closes the last bucket: no empty one
    ]
    for sizes, first_cap, cap, want in cases:
        got = list(returned(answer(list(sizes), first_cap, cap)))
        if got == want:
            continue
        hint = ""
        if sum(got) != sum(sizes):
            hint = " Every gradient goes into some bucket: the bytes must add up."
        elif got == _slip(sizes, first_cap, cap, "after"):
            hint = (" Close a bucket as soon as it reaches the cap, with the gradient that "
                    "filled it; do not wait for the next one.")  # fmt: skip
        elif got == _slip(sizes, first_cap, cap, "one cap"):
            hint = " The first bucket has its own, smaller cap (first_cap); the later ones cap."
        elif got == _slip(sizes, first_cap, cap, "first cap"):
            hint = " Only the first bucket closes at first_cap; every later one at cap."
        elif got == _slip(sizes, first_cap, cap, "over"):
            hint = " A bucket that holds exactly the cap is full: close it at >= cap, not > cap."
        elif got and got[-1] == 0:
            hint = " No empty bucket at the end: keep the last one only if it holds bytes."
        raise AssertionError(f"sizes {sizes}, first_cap {first_cap}, cap {cap}: expected "
                             f"{want}, got {got}.{hint}")  # fmt: skip
    sizes = gpt_gradient_sizes()
    buckets = list(returned(answer(sizes, MiB, 25 * MiB)))
    if buckets != ddp_buckets(sizes):
        raise AssertionError(f"on the chapter's GPT you give {buckets}; DDP made "
                             f"{ddp_buckets(sizes)}")  # fmt: skip
    from ...models.gpt import GPTConfig

    gpt2 = GPTConfig(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768)
    big = gpt_gradient_sizes(gpt2)
    if list(answer(big, MiB, 25 * MiB)) != ddp_buckets(big):
        raise AssertionError(f"on GPT-2 small's {len(big)} gradients you give "
                             f"{len(answer(big, MiB, 25 * MiB))} buckets; DDP's rule gives "
                             f"{len(ddp_buckets(big))}")  # fmt: skip
    return (f"correct: for the chapter's GPT ({len(sizes)} gradient tensors, "
            f"{sum(sizes):,} bytes) your buckets are {' + '.join(f'{b:,}' for b in buckets)} "
            f"bytes, what DDP itself reported in section 5. GPT-2 small's {len(big)} tensors "
            f"({sum(big) / 1e6:,.0f} MB) would travel as {len(ddp_buckets(big))} "
            f"messages, all but the last while backward still runs")  # fmt: skip
