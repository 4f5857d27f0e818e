"""Generating text from any course language model, one sampled token at a time (chapter 01).

Chapter 04 adds temperature, top-k and top-p sampling (:func:`lessons_lib.sample`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

from .._checks import positive_int
from ..parts.sampling import check_sampling_options, sample
from .lm import check_model, evaluating, model_device


def _token_ids(idx: object) -> torch.Tensor:
    """``idx`` as a long tensor; text, floats and other things are clear errors."""
    if isinstance(idx, str):
        raise TypeError(
            f"idx must be token ids, got the text {idx!r:.40}: encode it first, "
            "torch.tensor([tokenizer.encode(text)])."
        )
    if isinstance(idx, torch.Tensor) and (idx.is_floating_point() or idx.is_complex()):
        raise TypeError(f"idx must hold integer token ids, got {idx.dtype}: use idx.long().")
    try:
        tensor = torch.as_tensor(idx)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"idx must be token ids (a tensor or a list of ints), got {type(idx).__name__}."
        ) from None
    if tensor.is_floating_point() or tensor.dtype == torch.bool:
        raise TypeError(f"idx must hold integer token ids, got {tensor.dtype} values.")
    return tensor.long()


@torch.no_grad()
def generate(
    model: nn.Module,
    idx: torch.Tensor,
    max_new_tokens: int,
    generator: torch.Generator | None = None,
    *,
    temperature: float | torch.Tensor = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    use_cache: bool = False,
    on_token: Callable[[torch.Tensor], None] | None = None,
    stop_id: int | None = None,
) -> torch.Tensor:
    """Extend ``idx`` by ``max_new_tokens`` tokens sampled from ``model``'s predictions.

    ``idx`` is (B, T) (or a 1-D sequence, returned 1-D). Works for every model with
    ``forward(idx) -> (logits, loss)``, on the device of its parameters (or buffers; a model
    with neither runs on the CPU). A model with a ``block_size`` attribute sees only its
    last ``block_size`` tokens. Pass a ``torch.Generator`` (on the model's device) to make the
    samples repeatable.

    Each new token is drawn by :func:`~lessons_lib.sample` from the logits at the last
    position: ``temperature`` (0 = greedy, always the most likely token; 1 = the model's own
    probabilities), ``top_k`` (keep only the k most likely tokens) and ``top_p`` (keep the
    most likely tokens up to that probability mass). The defaults sample from the softmax of
    the logits, unchanged. A (B,) tensor ``temperature`` gives each sequence its own.

    ``use_cache=True`` (a model with ``new_cache()``: the GPT, the Llama) keeps every layer's keys
    and values, so each step runs only the newest token through the model. The tokens are
    the same as without the cache, greedy or sampled with the same generator. When the
    window is full (``block_size`` tokens cached) the cache is rebuilt from the last
    ``block_size`` tokens at every step, because the positions shift (see
    ``lessons_lib.models.kv_cache``): from there on it saves no time.

    ``on_token``, if given, is called with each step's new ids (B, 1) as soon as they are
    drawn: to print text as it comes, or to time every step. ``stop_id`` (e.g. a chat model's
    end-of-turn token) ends generation early, once every sequence has drawn it.
    """
    check_model(model)
    check_sampling_options(temperature, top_k, top_p)
    positive_int(max_new_tokens, "max_new_tokens", minimum=0)
    idx = _token_ids(idx)
    one_sequence = idx.dim() == 1
    if one_sequence:
        idx = idx[None]  # (T,) -> (1, T)
    if idx.dim() != 2 or idx.shape[1] == 0:
        raise ValueError(
            f"idx must be (B, T) with at least one token to start from, got {tuple(idx.shape)}."
        )
    if use_cache and not callable(getattr(model, "new_cache", None)):
        raise ValueError(
            f"{type(model).__name__} cannot cache keys and values (only the GPT and the "
            "Llama keep one): call L.generate without use_cache=True."
        )
    idx = idx.to(model_device(model))
    block_size = getattr(model, "block_size", None)
    cache = None
    stopped = torch.zeros(idx.shape[0], dtype=torch.bool, device=idx.device)  # (B,)
    with evaluating(model):
        for _ in range(max_new_tokens):
            if not use_cache:
                context = idx if block_size is None else idx[:, -block_size:]  # (B, <=block)
                logits, _ = model(context)  # (B, T, V)
            elif cache is None or cache.length >= block_size:  # start, or the window is full
                cache = model.new_cache()
                logits, _ = model(idx[:, -block_size:], cache=cache)  # fill it: (B, T, V)
            else:
                logits, _ = model(idx[:, -1:], cache=cache)  # only the newest token: (B, 1, V)
            next_id = sample(  # (B, V) logits of the last position -> (B, 1) token ids
                logits[:, -1, :].float(), temperature, top_k, top_p, generator=generator
            )
            idx = torch.cat([idx, next_id], dim=1)  # (B, T + 1)
            if on_token is not None:
                on_token(next_id)
            if stop_id is not None:
                stopped |= next_id[:, 0] == stop_id
                if stopped.all():
                    break
    return idx[0] if one_sequence else idx
