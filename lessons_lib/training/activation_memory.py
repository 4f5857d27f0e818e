"""What autograd keeps for the backward pass, counted in bytes (chapter 10).

``saved_activation_bytes`` runs one forward pass under ``saved_tensors_hooks``, PyTorch's hook
on every tensor that autograd saves for backward, and adds up the bytes of the saved tensors
that are not weights. Several saved tensors can be views of one block of memory (a
*storage*), so it counts each storage once.

>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
>>> saved_activation_bytes(net, torch.randn(2, 4))  # the input (2 x 4) and ReLU's output (2 x 3)
56
"""

from __future__ import annotations

import torch


def saved_activation_bytes(model: torch.nn.Module, *inputs) -> int:
    """Bytes of the tensors autograd keeps for backward while ``model(*inputs)`` runs, the
    model's own weights left out. Each block of memory counts once, however many saved
    tensors share it."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}
    kept = {}  # storage address -> bytes

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in weights:
            kept[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(*inputs)
    return sum(kept.values())
