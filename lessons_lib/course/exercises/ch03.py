"""Chapter 03's exercises: weight shapes, ReLU and its gradient, a forward and a backward pass.

When an answer is wrong in no way a checker recognises, its hint climbs a ladder, one rung
per such try: first a nudge (the shapes, what to print), then the idea. The formula itself is
never a hint; it stays in ``ex.solution``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from . import exercise, returned

_WRONG_TRIES: dict[str, int] = {}  # exercise name -> tries that ended on the ladder so far


def hint_ladder(name: str, rungs: Sequence[str]) -> str:
    """The next rung of exercise ``name``'s hints: rung 1 on the first such wrong try, rung 2
    on the second, ..., then the last rung again. Labelled "hint k of n"."""
    tries = _WRONG_TRIES.get(name, 0)
    _WRONG_TRIES[name] = tries + 1
    k = min(tries, len(rungs) - 1)
    return f"hint {k + 1} of {len(rungs)}: {rungs[k]}"


def reset_hints(name: str | None = None) -> None:
    """Start exercise ``name``'s hint ladder (every ladder, by default) from its first rung."""
    if name is None:
        _WRONG_TRIES.clear()
    else:
        _WRONG_TRIES.pop(name, None)


def weight_shapes(layer_sizes: list[int]) -> list[tuple[int, int]]:
    """The shape [input_dim, output_dim] of each weight matrix of an MLP with these widths."""
    return [(n_in, n_out) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True)]


def relu_and_grad(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """ReLU(x) = max(0, x) and its derivative (1 where x > 0, else 0), elementwise."""
    return torch.clamp(x, min=0.0), (x > 0).to(x.dtype)


def forward_pass(
    x: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> torch.Tensor:
    """The outputs of a one-hidden-layer tanh MLP; weights are [input_dim, output_dim]."""
    hidden = torch.tanh(x @ W1 + b1)  # (B, input_dim) @ (input_dim, hidden_dim) -> (B, hidden)
    return hidden @ W2 + b2  # (B, hidden_dim) @ (hidden_dim, output_dim) -> (B, output_dim)


def linear_backward(
    x: torch.Tensor, W: torch.Tensor, grad_out: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of the loss for out = x @ W + b, given grad_out = dLoss/dout (B, output_dim)."""
    grad_x = grad_out @ W.T  # (B, out) @ (out, in) -> (B, in)
    grad_W = x.T @ grad_out  # (in, B) @ (B, out) -> (in, out), the shape of W
    grad_b = grad_out.sum(dim=0)  # every row of the batch adds to the bias's gradient
    return grad_x, grad_W, grad_b


@exercise("weight_shapes", solution=weight_shapes)
def check_weight_shapes(answer) -> str:
    for sizes in ([2, 3], [2, 16, 1], [784, 128, 64, 10], [5, 5, 5]):
        want = weight_shapes(sizes)
        got = returned(answer(list(sizes)))
        got = [tuple(int(n) for n in shape) for shape in got]
        assert len(got) == len(want), (
            f"layer sizes {sizes} need {len(want)} weight matrices (one between each pair of "
            f"neighbouring layers), you returned {len(got)}"
        )
        if got == [(b, a) for a, b in want] and got != want:
            raise AssertionError(
                f"for {sizes} you returned {got}: that is nn.Linear's storage [output_dim, "
                "input_dim]; this course's convention is [input_dim, output_dim], so x @ W works"
            )
        assert got == want, f"for layer sizes {sizes} expected {want}, got {got}"
    return "correct: [784, 128, 64, 10] needs weights " + str(weight_shapes([784, 128, 64, 10]))


@exercise("relu_and_grad", solution=relu_and_grad)
def check_relu_and_grad(answer) -> str:
    x = torch.tensor([-3.0, -0.5, 0.0, 0.25, 2.0])
    got = returned(answer(x.clone()))
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        "return two tensors, (relu(x), gradient), e.g. `return out, grad`"
    )
    out, grad = (torch.as_tensor(t, dtype=torch.float32) for t in got)
    assert out.shape == x.shape and grad.shape == x.shape, (
        f"both tensors must have x's shape {tuple(x.shape)}, got {tuple(out.shape)} and "
        f"{tuple(grad.shape)}: work elementwise, no sums"
    )
    want_out, want_grad = relu_and_grad(x)
    assert torch.equal(out, want_out), (
        f"relu({x.tolist()}) should be {want_out.tolist()}, got {out.tolist()}: negative inputs "
        "become 0, the rest pass unchanged"
    )
    if torch.equal(grad, want_out):
        raise AssertionError("your gradient is relu(x) itself: the derivative is 0 or 1")
    if grad[2] != 0 and torch.equal(grad[[0, 1, 3, 4]], want_grad[[0, 1, 3, 4]]):
        raise AssertionError("at x = 0 use gradient 0, as PyTorch does: test x > 0, not x >= 0")
    assert torch.equal(grad, want_grad), (
        f"the gradient at {x.tolist()} should be {want_grad.tolist()}, got {grad.tolist()}: "
        "slope 1 where x > 0, slope 0 where x <= 0"
    )
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 6, generator=g, requires_grad=True)
    torch.relu(x).sum().backward()
    out, grad = answer(x.detach().clone())
    assert torch.equal(torch.as_tensor(grad, dtype=x.dtype), x.grad), (
        "on a random (4, 6) tensor your gradient differs from autograd's"
    )
    return "correct: your ReLU and its gradient match torch.relu and autograd"


def _forward_case(seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(5, 3, generator=g)
    W1, b1 = torch.randn(3, 4, generator=g), torch.randn(4, generator=g)
    W2, b2 = torch.randn(4, 2, generator=g), torch.randn(2, generator=g)
    return x, W1, b1, W2, b2


@exercise("forward_pass", solution=forward_pass)
def check_forward_pass(answer) -> str:
    for seed in range(3):
        x, W1, b1, W2, b2 = _forward_case(seed)
        want = forward_pass(x, W1, b1, W2, b2)
        got = returned(answer(x, W1, b1, W2, b2))
        got = torch.as_tensor(got, dtype=torch.float32)
        assert got.shape == want.shape, (
            f"x is (5, 3), W1 (3, 4), W2 (4, 2): the output must be (5, 2), got "
            f"{tuple(got.shape)}. Multiply as x @ W1, then hidden @ W2"
        )
        near = {
            "you forgot the tanh on the hidden layer": (x @ W1 + b1) @ W2 + b2,
            "you forgot the biases": torch.tanh(x @ W1) @ W2,
            "the tanh belongs on the hidden layer only, not on the output": torch.tanh(want),
            "use tanh (the exercise's activation), not ReLU": torch.relu(x @ W1 + b1) @ W2 + b2,
        }
        for hint, value in near.items():
            if torch.allclose(got, value, atol=1e-5) and not torch.allclose(got, want, atol=1e-5):
                raise AssertionError(hint)
        if not torch.allclose(got, want, atol=1e-5):
            rungs = (
                "the shape is right, so look at the values: print your hidden layer. It "
                "should be (5, 4), one row per example and one column per hidden neuron, "
                "every entry between -1 and 1 because tanh squashes it",
                "each layer is section 2's layer: its weighted sums (the input times the "
                "layer's weights), plus its own bias, then its activation. The hidden layer "
                "reads x and uses tanh; the output layer reads the hidden layer's "
                "activations (not x) and uses no activation",
            )
            raise AssertionError(
                f"max difference from the expected outputs: {(got - want).abs().max():.3g}. "
                + hint_ladder("forward_pass", rungs)
            )
    return "correct: your forward pass matches tanh(x @ W1 + b1) @ W2 + b2"


_SHAPE_NUDGE = {
    "grad_x": "is (B, in): it pairs grad_out (B, out) with W (in, out), and the only size the "
    "two share is out, so out must be the one that disappears in the product",
    "grad_W": "is (in, out): it pairs x (B, in) with grad_out (B, out), and the only size the "
    "two share is B, so B must be the one that disappears in the product",
    "grad_b": "is (out,): one number per output, collected from every row of grad_out",
}
_BACKWARD_IDEA = (
    "work out one entry with the chain rule. out[n, j] = sum over i of x[n, i] W[i, j], "
    "plus b[j]. So W[i, j] moves out[n, j] with slope x[n, i], in every row n; x[n, i] moves "
    "every out[n, j] with slope W[i, j]; b[j] moves out[n, j] with slope 1, in every row. "
    "Multiply each slope by grad_out at the same (n, j) and add up over the index the "
    "gradient's shape does not keep: that sum is one matrix product (for b, one sum)"
)


@exercise("linear_backward", solution=linear_backward)
def check_linear_backward(answer) -> str:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, generator=g, dtype=torch.float64, requires_grad=True)
    W = torch.randn(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
    grad_out = torch.randn(6, 4, generator=g, dtype=torch.float64)
    (x @ W + b).backward(grad_out)  # autograd: the reference
    got = returned(answer(x.detach(), W.detach(), grad_out))
    assert isinstance(got, (tuple, list)) and len(got) == 3, (
        "return three tensors: grad_x, grad_W, grad_b"
    )
    names = ("grad_x", "grad_W", "grad_b")
    for name, value, ref in zip(names, got, (x.grad, W.grad, b.grad), strict=True):
        value = torch.as_tensor(value, dtype=torch.float64)
        assert value.shape == ref.shape, (
            f"{name} must have the shape of {name[5:]}, {tuple(ref.shape)}, got "
            f"{tuple(value.shape)}. Line the shapes up: (B, out) with W (in, out) and x (B, in)"
        )
        if name == "grad_b" and torch.allclose(value, ref / len(x)):
            raise AssertionError("grad_b is the sum of grad_out over the batch, not its mean")
        if not torch.allclose(value, ref, atol=1e-10):
            rungs = (
                f"{name} {_SHAPE_NUDGE[name]}",
                _BACKWARD_IDEA,
            )
            raise AssertionError(
                f"{name} differs from autograd's by up to {(value - ref).abs().max():.3g}. "
                + hint_ladder("linear_backward", rungs)
            )
    return "correct: all three gradients match autograd's to 1e-10"
