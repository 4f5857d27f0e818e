"""Talking to a chat model: ChatML, the template SmolLM2 was fine-tuned on, and a reply
generated with the KV cache until the model says it is done (chapter 11).

A chat model reads a conversation as one text. Each message becomes::

    <|im_start|>{role}\n{content}<|im_end|>\n

with role ``system`` (instructions), ``user`` or ``assistant``. When the first message is
not a system message, SmolLM2's template puts its own in front. The prompt ends with
``<|im_start|>assistant\n``: the model continues as the assistant and ends its turn with
``<|im_end|>``, where generation stops.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..models.generation import generate

ROLES = ("system", "user", "assistant")
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
END_OF_TURN = "<|im_end|>"


def format_chat(messages: list[dict], add_generation_prompt: bool = True) -> str:
    """The ChatML text of ``messages`` ([{"role": ..., "content": ...}, ...]), as SmolLM2's
    chat template writes it; with ``add_generation_prompt`` it ends where the assistant's
    answer begins."""
    if not isinstance(messages, list | tuple) or not messages:
        raise ValueError(
            'messages must be a non-empty list like [{"role": "user", "content": "Hi"}].'
        )
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not {"role", "content"} <= set(message):
            raise ValueError(
                f'message {i} must be a dict with "role" and "content", got {message!r}.'
            )
        if message["role"] not in ROLES:
            raise ValueError(
                f"message {i} has role {message['role']!r}: use one of {', '.join(ROLES)}."
            )
    text = ""
    if messages[0]["role"] != "system":
        text += f"<|im_start|>system\n{DEFAULT_SYSTEM}{END_OF_TURN}\n"
    for message in messages:
        text += f"<|im_start|>{message['role']}\n{message['content']}{END_OF_TURN}\n"
    if add_generation_prompt:
        text += "<|im_start|>assistant\n"
    return text


def chat(
    model,
    tokenizer,
    messages: list[dict],
    max_new_tokens: int = 100,
    *,
    temperature: float = 0.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
    on_text: Callable[[str], None] | None = None,
) -> str:
    """The assistant's reply to ``messages``: greedy by default (``temperature=0``), or
    sampled with chapter 04's settings; it stops at ``<|im_end|>`` or after
    ``max_new_tokens``. ``on_text`` receives each new piece of text as it is generated (e.g.
    ``print(piece, end="")``), for a reply that streams."""
    prompt = tokenizer.encode(format_chat(messages))
    context = getattr(model, "block_size", None)
    if context is not None and len(prompt) + max_new_tokens > context:
        raise ValueError(
            f"the conversation is {len(prompt):,} tokens and the reply may take "
            f"{max_new_tokens}: more than the model's context of {context:,} tokens. Drop early "
            "messages or ask for a shorter reply (max_new_tokens)."
        )
    end = tokenizer.encode(END_OF_TURN)[0]
    new: list[int] = []
    shown = ""

    def show(next_id: torch.Tensor) -> None:  # decode all so far: a character may span tokens
        nonlocal shown
        new.append(int(next_id[0, 0]))
        text = tokenizer.decode([i for i in new if i != end])
        if on_text is not None and not text.endswith("\ufffd"):
            on_text(text[len(shown) :])
            shown = text

    generate(model, torch.tensor([prompt]), max_new_tokens, generator, temperature=temperature,
             top_k=top_k, top_p=top_p, use_cache=True, on_token=show, stop_id=end)  # fmt: skip
    return tokenizer.decode([i for i in new if i != end])
