"""What every tokenizer of this room checks on the way in (chapters 01, 02 and 07): the text
to encode (:func:`check_text`), the ids to decode (:func:`as_token_ids`), and special tokens
(:func:`check_special_tokens`, :func:`split_specials`), and the arguments of a BPE merge
(:func:`check_merge`). A wrong kind of input is a
``TypeError`` that names the argument and says how to fix it, never a silently rounded id.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable

import numpy as np
import torch

from .._checks import text as _text


def check_text(value: object, name: str = "text") -> str:
    """``value`` if it is a str; else a ``TypeError`` that names ``name`` and says what to do."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        fix = "decode the bytes first: data.decode('utf-8')"
    elif isinstance(value, list | tuple):
        fix = "pass one text; for several, encode each: [tok.encode(t) for t in texts]"
    else:
        fix = "pass the text itself, a str such as 'hello'"
    try:
        return _text(value, name)  # raises: the shared wording, then the fix
    except TypeError as err:
        raise TypeError(f"{err} Fix: {fix}.") from None


def _integer_array(value: object) -> bool:
    """True for a torch tensor or numpy array of integers (not floats, not bools)."""
    if isinstance(value, torch.Tensor):
        dtype = value.dtype
        return not (dtype.is_floating_point or dtype.is_complex or dtype == torch.bool)
    return isinstance(value, np.ndarray) and value.dtype.kind in "iu"


def _is_id(value: object) -> bool:
    """True for one token id: a Python or numpy int, or a 0-d integer tensor (not a bool)."""
    if isinstance(value, numbers.Integral):
        return not isinstance(value, bool)
    return _integer_array(value) and value.ndim == 0


def as_token_ids(ids: object, name: str = "ids") -> list[int]:
    """``ids`` as a list of ints if it holds token ids: a list or tuple of ints (Python or
    numpy), or a 1-D integer tensor or array. Anything else (a str, a float such as 97.9, a
    bool, a 2-D tensor) is a ``TypeError`` naming ``name``, never silently rounded.

    >>> as_token_ids(torch.tensor([3, 1])), as_token_ids((0, 2))
    ([3, 1], [0, 2])
    """
    fix = "Fix: pass the ids encode() returned: a list of ints such as [5, 2], or a 1-D "
    fix += "integer tensor."
    if isinstance(ids, torch.Tensor | np.ndarray):
        if ids.ndim != 1 or not _integer_array(ids):
            raise TypeError(
                f"{name} must be a 1-D sequence of integer token ids, got a "
                f"{type(ids).__name__} of dtype {ids.dtype} and shape {tuple(ids.shape)}. "
                f"{fix} (For a batch, decode each row: [tok.decode(row) for row in batch].)"
            )
        return ids.tolist()
    if isinstance(ids, str | bytes | bytearray) or not isinstance(ids, Iterable):
        if isinstance(ids, str):
            fix = "A str is text, not ids: to get its ids, encode it: tok.encode(text)."
        elif _is_id(ids):
            fix = f"For one id, wrap it in a list: [{ids!r}]."
        raise TypeError(f"{name} must be a sequence of int token ids, got {ids!r:.60}. {fix}")
    ids = list(ids)
    for position, i in enumerate(ids):
        if type(i) is not int and not _is_id(i):
            kind = type(i).__name__
            raise TypeError(
                f"{name} must hold int token ids, got {i!r:.40} (a {kind}) at position "
                f"{position}. {fix}"
            )
    return [int(i) for i in ids]


def split_specials(text: str, special_tokens: Iterable[str]) -> list[str]:
    """``text`` cut at the special tokens: text, special, text, special, ..., text.

    >>> split_specials("a<eos>b", ["<eos>"])
    ['a', '<eos>', 'b']
    """
    alternatives = sorted(special_tokens, key=len, reverse=True)  # longest first
    if not alternatives:
        return [text]
    return re.split("(" + "|".join(map(re.escape, alternatives)) + ")", text)


def check_special_tokens(tokens: object) -> list[str]:
    """``tokens`` as a list if it is a list (or tuple) of non-empty strs; else an error naming
    ``special_tokens`` that shows how to write it: ``special_tokens="<eos>"`` would otherwise
    make five special tokens, one per character."""
    if isinstance(tokens, str | bytes) or not isinstance(tokens, Iterable):
        example = f"[{tokens!r}]" if isinstance(tokens, str) else '["<|endoftext|>"]'
        fix = f"special_tokens={example} (a str alone would make each character a token)"
        raise TypeError(f"special_tokens must be a list of strs, got {tokens!r:.40}. Fix: {fix}.")
    tokens = list(tokens)
    if any(not isinstance(token, str) for token in tokens):
        raise TypeError(f"special_tokens must be strs such as '<|endoftext|>', got {tokens!r}.")
    if not all(tokens):
        raise ValueError(f"special_tokens must be non-empty strings, got {tokens!r}.")
    return tokens


def check_merge(ids: object, pair: object, new_id: object) -> None:
    """Raise a clear error unless ``ids`` is a list of ids and ``pair``, ``new_id`` are ints."""
    if not isinstance(ids, (list, tuple)):
        hint = "list(text.encode('utf-8'))" if isinstance(ids, str | bytes) else "list(ids)"
        raise TypeError(f"ids must be a list of int ids, got {ids!r:.40}. Fix: {hint}.")
    if (
        not isinstance(pair, (list, tuple))
        or len(pair) != 2
        or (type(pair[0]), type(pair[1]), type(new_id)) != (int, int, int)
    ):
        raise TypeError(f"pair must be two int ids and new_id an int, got {pair!r}, {new_id!r}.")
