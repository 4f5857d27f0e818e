"""Chapter 10's exercises: a gradient-accumulation loop (checked against one big batch, with
the activation memory it saves), activation checkpointing of the first blocks (checked
against the plain gradient, with the memory each choice keeps), a ring all-reduce
(checked against the sum, with the bytes each rank sends), and rounding float32 to bfloat16
with integer operations on the bits (checked against ``x.to(torch.bfloat16)``, with the
relative error it costs beside float16's). Predicting DDP's buckets is in ``ch10_buckets.py``."""

from __future__ import annotations

import torch
from torch.utils.checkpoint import checkpoint

from ...training.activation_memory import saved_activation_bytes
from . import exercise, returned


def accumulate_gradients(model, x, y, k: int) -> float:
    """Leave in ``model``'s ``.grad`` the gradient of the batch ``(x, y)`` (B windows), run as
    ``k`` micro-batches of ``B / k``; return the batch's loss (a float)."""
    model.zero_grad()
    total = 0.0
    for x_micro, y_micro in zip(x.chunk(k), y.chunk(k), strict=True):  # (B/k, T) each
        _, loss = model(x_micro, y_micro)
        (loss / k).backward()  # gradients add up in .grad
        total += loss.item() / k
    return total


class _Checkpointed(torch.nn.Module):
    """A block that keeps only its input and recomputes the rest in the backward pass."""

    def __init__(self, block: torch.nn.Module):
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor, cache=None) -> torch.Tensor:  # x: (B, T, C)
        return checkpoint(self.block, x, use_reentrant=False)


def checkpoint_blocks(model, n: int):
    """Wrap blocks 0 to ``n - 1`` of ``model`` (a GPT) in activation checkpointing, in place;
    return the model."""
    for i in range(n):
        model.blocks[i] = _Checkpointed(model.blocks[i])
    return model


def ring_all_reduce(tensors: list, send) -> list:
    """Sum ``tensors`` (one per rank, each 1-D with a length divisible by N) around a ring;
    every piece that travels goes through ``send(src, dst, piece)``. Returns N sums."""
    n = len(tensors)
    chunks = [list(t.clone().chunk(n)) for t in tensors]  # chunks[rank][c]: (length / N,)
    for step in range(n - 1):  # reduce-scatter: chunk c gathers its sum on its way round
        outgoing = [(r, (r - step) % n, chunks[r][(r - step) % n]) for r in range(n)]
        for r, c, piece in outgoing:
            chunks[(r + 1) % n][c] = chunks[(r + 1) % n][c] + send(r, (r + 1) % n, piece)
    for step in range(n - 1):  # all-gather: rank r holds the sum of chunk r + 1; pass it on
        outgoing = [(r, (r + 1 - step) % n, chunks[r][(r + 1 - step) % n]) for r in range(n)]
        for r, c, piece in outgoing:
            chunks[(r + 1) % n][c] = send(r, (r + 1) % n, piece).clone()
    return [torch.cat(rank_chunks) for rank_chunks in chunks]


def to_bfloat16(x: torch.Tensor) -> torch.Tensor:
    """The bfloat16 number nearest to each float32 of ``x`` (ties to even), as float32."""
    bits = x.view(torch.int32)  # the same 32 bits, read as integers: no copy
    lowest_kept = (bits >> 16) & 1  # a tie goes to the neighbour whose last kept bit is 0
    return ((bits + 0x7FFF + lowest_kept) & -65536).view(torch.float32)  # -65536 = 0xFFFF0000


# --- accumulate_gradients ------------------------------------------------------------------------


def _tiny_gpt_and_batch():
    from ...models.gpt import GPT, GPTConfig

    torch.manual_seed(0)
    model = GPT(GPTConfig.preset("tiny", vocab_size=76))
    generator = torch.Generator().manual_seed(1)
    x = torch.randint(0, 76, (32, 16), generator=generator)  # (B, T) = (32, 16)
    y = torch.randint(0, 76, (32, 16), generator=generator)
    return model, x, y


def _gradient(model) -> torch.Tensor:
    return torch.cat([p.grad.flatten() for p in model.parameters()])


@exercise("accumulate_gradients", solution=accumulate_gradients)
def check_accumulate_gradients(answer) -> str:
    model, x, y = _tiny_gpt_and_batch()
    model.zero_grad()
    _, full_loss = model(x, y)
    full_loss.backward()
    want = _gradient(model)
    k = 4
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}
    passes = []  # one {storage address: bytes} per forward pass the answer runs
    sizes = []  # the windows of each forward pass

    def start_pass(module, args, kwargs):
        idx = args[0] if args else kwargs.get("idx")
        sizes.append(len(idx))
        passes.append({})

    def pack(tensor):
        storage = tensor.untyped_storage()
        if passes and storage.data_ptr() not in weights:
            passes[-1][storage.data_ptr()] = storage.nbytes()
        return tensor

    hook = model.register_forward_pre_hook(start_pass, with_kwargs=True)
    for p in model.parameters():
        p.grad = torch.ones_like(p)  # left over from an earlier step: must not count
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
            loss = returned(answer(model, x, y, k))
    finally:
        hook.remove()
    if isinstance(loss, torch.Tensor):
        loss = loss.detach()
    if any(p.grad is None for p in model.parameters()):
        raise AssertionError("some .grad is None: call backward() on each micro-batch's loss")
    got = _gradient(model)
    if sizes != [32 // k] * k:
        raise AssertionError(
            f"your forward passes ran on {sizes} windows: run {k} micro-batches of "
            f"{32 // k} (x.chunk(k) splits a batch), so only one micro-batch's activations "
            "are kept at a time"
        )
    if torch.allclose(got, want + 1, atol=1e-5):
        raise AssertionError("the old gradients were still in .grad: call model.zero_grad() first")
    if torch.allclose(got, k * want, rtol=1e-4, atol=1e-6):
        raise AssertionError(
            f"the gradient is {k} times too large: divide each micro-batch's loss by k"
        )
    worst = (got - want).abs().max().item()
    if not worst <= 1e-5:  # NaN fails too
        raise AssertionError(
            f"the accumulated gradient differs from the big batch's by up to {worst:.1e}: "
            "call (loss / k).backward() on every micro-batch, without zeroing in between"
        )
    if not abs(float(loss) - full_loss.item()) <= 1e-4:
        raise AssertionError(
            f"return the batch's loss ({full_loss.item():.4f}): the mean of the micro-batches' "
            f"losses, got {loss!r}"
        )
    whole = saved_activation_bytes(model, x, y)  # one pass over all 32 windows
    micro = max(sum(kept.values()) for kept in passes)  # the largest of your passes
    return (
        f"correct: the gradient of 32 windows (within 1e-5), while each of your {k} forward "
        f"passes kept at most {micro / 1e6:.2f} MB of activations instead of "
        f"{whole / 1e6:.2f} MB for one pass over the batch"
    )


# --- checkpoint_blocks ---------------------------------------------------------------------------


def _four_block_gpt():
    from ...models.gpt import GPT, GPTConfig

    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=76, block_size=16, n_layer=4, n_head=2, n_embd=32))


@exercise("checkpoint_blocks", solution=checkpoint_blocks)
def check_checkpoint_blocks(answer) -> str:
    generator = torch.Generator().manual_seed(2)
    x = torch.randint(0, 76, (8, 16), generator=generator)  # (B, T) = (8, 16)
    y = torch.randint(0, 76, (8, 16), generator=generator)
    plain = _four_block_gpt()
    plain(x, y)[1].backward()
    want = _gradient(plain)
    none_wrapped = saved_activation_bytes(plain, x, y)
    kept = []  # bytes of activations for n = 0 .. 4 checkpointed blocks
    for n in range(5):
        original = _four_block_gpt()
        blocks = list(original.blocks)  # the block objects before wrapping
        model = returned(answer(original, n))
        if not isinstance(model, torch.nn.Module) or len(model.blocks) != 4:
            raise AssertionError(
                "return the model, with its 4 blocks: replace model.blocks[i] by a wrapped block"
            )
        changed = [i for i in range(4) if model.blocks[i] is not blocks[i]]
        if changed and changed != list(range(n)):
            raise AssertionError(
                f"with n = {n} you replaced blocks {changed}: wrap the first n, blocks 0 to "
                "n - 1, and leave the others as they are (n = 0 wraps no block)"
            )
        kept.append(saved_activation_bytes(model, x, y))
        model(x, y)[1].backward()
        worst = (_gradient(model) - want).abs().max().item()
        if not worst <= 1e-5:  # NaN fails too
            raise AssertionError(
                f"with {n} checkpointed blocks the gradient differs by up to {worst:.1e}: the "
                "wrapper must return exactly what the block returns (call checkpoint(block, x))"
            )
    if kept[0] != none_wrapped:
        raise AssertionError(
            f"with n = 0 autograd kept {kept[0]:,} bytes instead of {none_wrapped:,}: n = 0 "
            "wraps no block, n = 4 all four"
        )
    if kept[4] >= kept[0]:
        raise AssertionError(
            f"with every block wrapped, autograd still kept {kept[4]:,} bytes, as many as "
            "without: call torch.utils.checkpoint.checkpoint(self.block, x, ...) in forward"
        )
    if any(later >= earlier for earlier, later in zip(kept, kept[1:], strict=False)):
        raise AssertionError(
            f"activations kept for n = 0 to 4: {kept} bytes; each wrapped block should keep "
            "less. Wrap blocks 0 to n - 1, each once"
        )
    listed = ", ".join(f"{n}: {b / 1e3:.0f} kB" for n, b in enumerate(kept))
    return (
        f"correct: the same gradient, and the activations kept fall with each block you wrap "
        f"({listed}); the price is one more forward pass of each wrapped block"
    )


# --- ring_all_reduce -----------------------------------------------------------------------------


class _Wire:
    """The network of the check: passes pieces on and counts what each rank sends, to whom."""

    def __init__(self, n: int):
        self.n = n
        self.sent = [0] * n  # numbers each rank sent
        self.wrong_way: list[tuple[int, int]] = []

    def __call__(self, src: int, dst: int, piece: torch.Tensor) -> torch.Tensor:
        if dst != (src + 1) % self.n:
            self.wrong_way.append((src, dst))
        self.sent[src] += piece.numel()
        return piece.clone()


@exercise("ring_all_reduce", solution=ring_all_reduce)
def check_ring_all_reduce(answer) -> str:
    shares = []
    for n in (2, 3, 4, 8):
        generator = torch.Generator().manual_seed(n)
        tensors = [torch.randn(24, generator=generator) for _ in range(n)]  # (24,) per rank
        want = torch.stack(tensors).sum(0)  # what dist.all_reduce(op=SUM) gives every rank
        wire = _Wire(n)
        got = returned(answer([t.clone() for t in tensors], wire))
        if len(got) != n:
            raise AssertionError(f"{n} ranks: return {n} tensors, one per rank, got {len(got)}")
        if wire.wrong_way:
            src, dst = wire.wrong_way[0]
            raise AssertionError(
                f"{n} ranks: rank {src} sent to rank {dst}; in a ring each rank sends only to "
                f"its neighbour, rank (r + 1) % N"
            )
        for rank, total in enumerate(got):
            if torch.allclose(total, want / n, atol=1e-5):
                raise AssertionError(
                    "that is the mean: all_reduce sums (DDP divides each gradient by N first)"
                )
            if not torch.allclose(total, want, atol=1e-5):
                raise AssertionError(
                    f"{n} ranks: rank {rank} does not hold the sum of all {n} tensors (compare "
                    "with torch.stack(tensors).sum(0)); reduce-scatter, then all-gather, "
                    "N - 1 steps each"
                )
        expected = 2 * (n - 1) * 24 // n
        if any(sent != expected for sent in wire.sent):
            raise AssertionError(
                f"{n} ranks: the ranks sent {wire.sent} numbers; each should send 2 (N-1) = "
                f"{2 * (n - 1)} chunks of 24/N = {24 // n} numbers, {expected} in all: one chunk "
                "per rank per step, not the tensor"
            )
        shares.append(f"{expected / 24:.2f}x for {n}")
    return (
        "correct: every rank holds the sum, and each sent 2 (N-1)/N times its tensor: "
        + ", ".join(shares)
        + " ranks (never more than 2x, however many ranks)"
    )


# --- to_bfloat16 ---------------------------------------------------------------------------------

_TIES = [1.00390625, -1.01171875, 3.0078125]  # each exactly halfway between two bfloat16 numbers


def _numbers_of_every_size() -> torch.Tensor:
    """100,003 float32 numbers from about 1e-30 to 1e30, both signs, three ties first."""
    generator = torch.Generator().manual_seed(0)
    sizes = 10.0 ** torch.randint(-30, 31, (100_000,), generator=generator)
    return torch.cat([torch.tensor(_TIES), torch.randn(100_000, generator=generator) * sizes])


def _relative_error(rounded: torch.Tensor, x: torch.Tensor) -> float:
    return ((rounded.float() - x).abs() / x.abs()).max().item()


@exercise("to_bfloat16", solution=to_bfloat16)
def check_to_bfloat16(answer) -> str:
    x = _numbers_of_every_size()  # (100_003,)
    got = returned(answer(x.clone()))
    if not isinstance(got, torch.Tensor) or got.shape != x.shape or got.dtype != torch.float32:
        what = f"{got.dtype} {tuple(got.shape)}" if isinstance(got, torch.Tensor) else type(got)
        raise AssertionError(
            f"return a float32 tensor of x's shape {tuple(x.shape)}, got {what}: the rounded "
            "bits, read back with .view(torch.float32)"
        )
    want = x.to(torch.bfloat16).float()
    wrong = (got != want).nonzero().flatten()
    if len(wrong):
        i = int(wrong[0])
        cut = (x.view(torch.int32) & -65536).view(torch.float32)
        if torch.equal(got, cut):
            hint = (
                " Cutting off the low 16 bits rounds toward zero, so about half the numbers "
                "land one step too low: add half of what you drop (0x7FFF) before cutting."
            )
        elif ((x.view(torch.int32)[wrong] & 0xFFFF) == 0x8000).all():  # all wrong are ties
            hint = (
                f" {x[i].item()} lies exactly halfway between two bfloat16 numbers: round to "
                "the one whose last kept bit (bit 16) is 0, ties to even."
            )
        else:
            hint = " Keep the sign, the 8 exponent bits and the top 7 mantissa bits."
        raise AssertionError(
            f"{len(wrong):,} of {len(x):,} numbers differ from x.to(torch.bfloat16), e.g. "
            f"{x[i].item()!r} -> {got[i].item()!r}, expected {want[i].item()!r}.{hint}"
        )
    in_range = (x.abs() > torch.finfo(torch.float16).tiny) & (x.abs() < 65504)
    overflow = int((x.abs() > 65504).sum())
    half_error = _relative_error(x[in_range].half(), x[in_range])
    return (
        f"correct: equal to x.to(torch.bfloat16) on all {len(x):,} numbers, 1e-30 to 1e30. "
        f"Largest relative error {_relative_error(got, x):.3%} (at most 2^-8 = 0.391%, half the "
        f"step after 1.0: 8 bits, about 2.4 decimal digits). float16 on the "
        f"{int(in_range.sum()):,} numbers inside its range: {half_error:.3%} (2^-11 = 0.049%), but "
        f"{overflow:,} numbers above 65,504 become inf"
    )
