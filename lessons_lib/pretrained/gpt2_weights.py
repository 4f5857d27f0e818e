"""GPT-2's weights in chapter 06's GPT (chapter 07).

OpenAI's GPT-2 is the course's GPT at a larger size: learned positions, pre-norm blocks,
a tied head. Three details differ from a fresh ``GPT`` and become config fields:
the feed-forward uses the tanh approximation of GELU (``activation="gelu_tanh"``), the
layer norms' epsilon is 1e-5 (``norm_eps``), and the sizes are GPT-2's (vocabulary 50,257,
1,024 positions). The weights need one more step: GPT-2 was written with ``Conv1D`` layers
that store a weight as (in, out), the transpose of ``nn.Linear``'s (out, in).

Hugging Face name (per block ``h.i``)   our name             layout
``attn.c_attn``  (C, 3C)                ``attn.qkv``          transpose: q, k, v stacked
``attn.c_proj``  (C, C)                 ``attn.proj``         transpose
``mlp.c_fc``     (C, 4C)                ``ffn.up``            transpose
``mlp.c_proj``   (4C, C)                ``ffn.down``          transpose
``ln_1``, ``ln_2``                      ``norm1``, ``norm2``  as is

:func:`gpt_to_gpt2` goes the other way: chapter 06's trained GPT inside ``transformers``'
``GPT2LMHeadModel``, which then computes the same logits and writes the same text.
"""

from __future__ import annotations

import re

import torch

from .._checks import number
from ..models.gpt import GPT, GPTConfig

_GPT2_NAMES = [  # our name -> Hugging Face GPT2LMHeadModel's (\1: the block's number)
    (r"tok_emb\.weight", "transformer.wte.weight"),
    (r"pos_emb\.weight", "transformer.wpe.weight"),
    (r"blocks\.(\d+)\.norm1\.(weight|bias)", r"transformer.h.\1.ln_1.\2"),
    (r"blocks\.(\d+)\.attn\.qkv\.(weight|bias)", r"transformer.h.\1.attn.c_attn.\2"),
    (r"blocks\.(\d+)\.attn\.proj\.(weight|bias)", r"transformer.h.\1.attn.c_proj.\2"),
    (r"blocks\.(\d+)\.norm2\.(weight|bias)", r"transformer.h.\1.ln_2.\2"),
    (r"blocks\.(\d+)\.ffn\.up\.(weight|bias)", r"transformer.h.\1.mlp.c_fc.\2"),
    (r"blocks\.(\d+)\.ffn\.down\.(weight|bias)", r"transformer.h.\1.mlp.c_proj.\2"),
    (r"norm\.(weight|bias)", r"transformer.ln_f.\1"),
]
_CONV1D = (".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight")


def hf_gpt2_name(name: str) -> str:
    """Hugging Face's GPT-2 name for one of our ``GPT``'s parameters.

    >>> hf_gpt2_name("blocks.3.attn.qkv.weight")
    'transformer.h.3.attn.c_attn.weight'
    """
    for pattern, replacement in _GPT2_NAMES:
        if re.fullmatch(pattern, name):
            return re.sub(pattern, replacement, name)
    raise KeyError(f"{name!r} is not a GPT parameter with a GPT-2 counterpart.")


# transformers' name of each GELU -> ours ("gelu_new" is GPT-2's tanh approximation)
_ACTIVATIONS = {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu": "gelu"}


def _gpt2_config(
    state: dict[str, torch.Tensor], n_head: int, norm_eps: float, activation: str = "gelu_tanh"
) -> GPTConfig:
    """Our config from the tensors' shapes: only the number of heads is not in them."""
    if "transformer.wte.weight" not in state:
        raise ValueError(
            "Not a GPT-2 state dict: no 'transformer.wte.weight'. Pass a "
            "transformers.GPT2LMHeadModel or its state_dict()."
        )
    vocab_size, n_embd = state["transformer.wte.weight"].shape
    layers = {int(m.group(1)) for k in state if (m := re.match(r"transformer\.h\.(\d+)\.", k))}
    return GPTConfig(
        vocab_size=vocab_size,
        block_size=state["transformer.wpe.weight"].shape[0],
        n_layer=len(layers),
        n_head=n_head,
        n_embd=n_embd,
        bias=True,
        activation=activation,
        norm_eps=norm_eps,
    )


# GPT-2 config options whose other values our GPT does not implement: (name, GPT-2's value)
_FIXED_OPTIONS = (
    ("tie_word_embeddings", True),  # our head is the token embedding
    ("scale_attn_weights", True),  # scores divided by sqrt(head size)
    ("scale_attn_by_inverse_layer_idx", False),  # and by nothing else
    ("add_cross_attention", False),
)


def _check_gpt2_config(hf) -> None:
    """Refuse a GPT-2 config that asks for something our GPT does not compute, naming it: the
    weights would load, and the logits would silently differ."""
    activation = getattr(hf, "activation_function", "gelu_new")
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"GPT-2 uses the tanh GELU; this model's activation_function is {activation!r}, "
            f"which our GPT does not implement (it has {sorted(_ACTIVATIONS)})."
        )
    for option, supported in _FIXED_OPTIONS:
        value = getattr(hf, option, supported)
        if value != supported:
            raise ValueError(
                f"This GPT-2 config sets {option}={value!r}; our GPT implements only "
                f"{option}={supported!r} (GPT-2's own), so its outputs would differ."
            )


def load_gpt2_weights(source, n_head: int | None = None, norm_eps: float = 1e-5) -> GPT:
    """Chapter 06's ``GPT`` holding GPT-2's weights.

    ``source`` is a ``transformers.GPT2LMHeadModel`` (its config gives the number of heads,
    the epsilon and the activation, and options our GPT does not implement are refused) or its
    ``state_dict()``: then pass ``n_head`` (the tensors' shapes do not say how the width is
    split into heads; 12 for the 124 M GPT-2) and, if it is not GPT-2's 1e-5, ``norm_eps``.
    """
    activation = "gelu_tanh"
    if hasattr(source, "state_dict") and hasattr(source, "config"):
        hf = source.config
        _check_gpt2_config(hf)
        n_head, norm_eps = hf.n_head, hf.layer_norm_epsilon
        activation = _ACTIVATIONS[getattr(hf, "activation_function", "gelu_new")]
        state = source.state_dict()
    elif isinstance(source, dict):
        if n_head is None:
            raise ValueError("A bare state dict does not say n_head: pass n_head=12 for GPT-2.")
        number(norm_eps, "norm_eps", above=0)
        state = source
        head = state.get("lm_head.weight")
        if head is not None and not torch.equal(head, state.get("transformer.wte.weight", head)):
            raise ValueError(
                "This state dict's lm_head.weight differs from transformer.wte.weight (an "
                "untied head, tie_word_embeddings=False); our GPT's head is the embedding."
            )
    else:
        raise TypeError(
            f"source must be a GPT2LMHeadModel or its state_dict(), got {type(source).__name__}."
        )
    model = GPT(_gpt2_config(state, n_head, norm_eps, activation))
    ours = {}
    for name, param in model.state_dict().items():
        if name == "head.weight":
            continue  # tied to tok_emb.weight, as in GPT-2
        theirs = hf_gpt2_name(name)
        if theirs not in state:
            raise ValueError(f"The GPT-2 weights have no {theirs!r} (for our {name!r}).")
        tensor = state[theirs]
        if theirs.endswith(_CONV1D):
            tensor = tensor.t()  # Conv1D stores (in, out); nn.Linear wants (out, in)
        if tensor.shape != param.shape:
            raise ValueError(
                f"{theirs!r} has shape {tuple(tensor.shape)} (after the Conv1D transpose), "
                f"but our {name!r} needs {tuple(param.shape)}."
            )
        ours[name] = tensor.detach().clone()
    ours["head.weight"] = ours["tok_emb.weight"]
    model.load_state_dict(ours)
    return model.eval()


def gpt_to_gpt2(model: GPT):
    """A ``transformers.GPT2LMHeadModel`` holding the weights of our ``GPT``: the inverse of
    :func:`load_gpt2_weights`, for a GPT with learned positions (chapter 06's).

    Same logits, same greedy text: GPT-2's code runs chapter 06's network. A GPT built with
    ``bias=False`` gets zero biases (GPT-2 always has them), which changes nothing.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be the course's GPT, got {type(model).__name__}.")
    c = model.config
    if c.position != "learned":
        raise ValueError(
            f"GPT-2 learns a table of positions; this GPT uses position={c.position!r}, which "
            "GPT2LMHeadModel cannot compute. Only position='learned' converts."
        )
    import transformers  # only here: the rest of the module needs no transformers

    inverse = {"gelu": "gelu", "gelu_tanh": "gelu_new"}
    hf = transformers.GPT2LMHeadModel(
        transformers.GPT2Config(
            vocab_size=c.vocab_size,
            n_positions=c.block_size,
            n_embd=c.n_embd,
            n_layer=c.n_layer,
            n_head=c.n_head,
            activation_function=inverse[c.activation],
            layer_norm_epsilon=c.norm_eps,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            bos_token_id=None,  # GPT-2's 50256 is no token of a small vocabulary
            eos_token_id=None,  # nothing ends the text early: max_new_tokens decides
        )
    )
    state = {name: torch.zeros_like(t) for name, t in hf.state_dict().items()}  # zero biases
    for name, tensor in model.state_dict().items():
        if name == "head.weight":
            continue  # tied to the token table, as GPT-2's lm_head
        theirs = hf_gpt2_name(name)
        state[theirs] = tensor.t() if theirs.endswith(_CONV1D) else tensor  # Conv1D: (in, out)
    state["lm_head.weight"] = state["transformer.wte.weight"]
    hf.load_state_dict(state)
    return hf.eval()
