"""Optimizers written out: SGD, momentum, Adam and AdamW in a few lines each (chapter 03).

Every optimizer turns the gradient ``g`` of each parameter ``p`` into a step. They differ in
what they remember between steps:

* **SGD**: ``p -= lr * g``; nothing remembered.
* **momentum**: a running sum of past gradients, ``b = μ b + g``, then ``p -= lr * b``: steps
  that agree add up, steps that zig-zag cancel.
* **Adam**: running means of ``g`` and of ``g²`` (bias-corrected for the first steps), then
  ``p -= lr * m̂ / (sqrt(v̂) + eps)``: each parameter's step is scaled by how large its
  gradients have been, so every parameter moves at most about ``lr`` per step (close to it
  while its gradient keeps its sign).
* **AdamW**: Adam with *decoupled* weight decay: ``p -= lr * wd * p`` is applied to the
  weights directly, not added to the gradient where Adam's scaling would weaken it.

Each class matches ``torch.optim``'s (same arguments, same trajectory to float precision:
the tests check 20 steps) and keeps the same interface: ``step()`` and ``zero_grad()``.
One difference: our Adam counts steps once for all parameters, torch once per parameter, so
the two agree as long as every parameter gets a gradient at every step (as in the course).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn as nn

from .._checks import number


def _parameters(params: object) -> list[torch.Tensor]:
    """``params`` as a list of tensors; a model, a single tensor or other things are errors."""
    if isinstance(params, (nn.Module, torch.Tensor)):
        fix = "model.parameters()" if isinstance(params, nn.Module) else "[w] (a list)"
        raise TypeError(
            f"params must be an iterable of the tensors to train, got a "
            f"{type(params).__name__}: pass {fix}."
        )
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"params must be an iterable of tensors, got {type(params).__name__}: pass "
            "model.parameters()."
        ) from None
    if not params:
        raise ValueError("params is empty: pass model.parameters().")
    for p in params:
        if not isinstance(p, torch.Tensor):
            raise TypeError(
                f"params must hold tensors only, got a {type(p).__name__} among them: pass "
                "model.parameters() (parameter groups, dicts, are torch.optim's alone)."
            )
    return params


class _Optimizer:
    def __init__(self, params: Iterable[torch.Tensor], lr: float):
        self.params = _parameters(params)
        # torch accepts lr = 0, but a step of size 0 never changes anything: surely a slip
        self.lr = number(lr, "lr (the learning rate, e.g. 1e-3)", above=0)

    def zero_grad(self) -> None:
        """Forget the gradients, before the next backward pass adds new ones."""
        for p in self.params:
            p.grad = None


class SGD(_Optimizer):
    """Gradient descent, with optional momentum and (coupled, L2) weight decay."""

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = number(momentum, "momentum (e.g. 0.9; 0: none)", minimum=0)
        self.weight_decay = number(weight_decay, "weight_decay (e.g. 0.01; 0: none)", minimum=0)
        self.buffers: list[torch.Tensor | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p  # L2: the decay is part of the gradient
            if self.momentum:
                b = self.buffers[i]
                b = g.clone() if b is None else self.momentum * b + g  # running sum
                self.buffers[i] = b
                g = b
            p -= self.lr * g


def _betas(betas: object) -> tuple[float, float]:
    """``betas`` if it is a pair of numbers in [0, 1) (the memories of the two means)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas must be a pair of numbers such as (0.9, 0.999), got {betas!r}.")
    return tuple(  # a beta of 1 never forgets the first gradient; above 1 the means blow up
        number(b, f"betas[{i}] (in [0, 1), e.g. {d})", minimum=0, below=1)
        for i, (b, d) in enumerate(zip(betas, (0.9, 0.999), strict=True))
    )


class Adam(_Optimizer):
    """Adam; ``decoupled=True`` (or :class:`AdamW`) applies the weight decay to the weights."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ):
        super().__init__(params, lr)
        self.beta1, self.beta2 = _betas(betas)
        self.eps = number(eps, "eps (e.g. 1e-8)", above=0)
        self.weight_decay = number(weight_decay, "weight_decay (e.g. 0.01; 0: none)", minimum=0)
        self.decoupled = decoupled
        self.m = [torch.zeros_like(p) for p in self.params]  # mean of the gradients
        self.v = [torch.zeros_like(p) for p in self.params]  # mean of their squares
        self.t = 0  # steps taken

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            g = p.grad
            if self.decoupled:
                p *= 1 - self.lr * self.weight_decay  # AdamW: shrink the weight itself
            else:
                g = g + self.weight_decay * p  # Adam: L2 in the gradient (then rescaled)
            m.mul_(self.beta1).add_((1 - self.beta1) * g)
            v.mul_(self.beta2).add_((1 - self.beta2) * g * g)
            m_hat = m / (1 - self.beta1**self.t)  # early means are biased towards 0
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01, as ``torch.optim.AdamW``)."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)
