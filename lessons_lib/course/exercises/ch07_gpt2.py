"""Chapter 07's sixth exercise: one GPT-2 block's weights copied into a block of our GPT (the
same roles under other names, Conv1D's weights transposed), checked by the logits of the
whole model against ``transformers``' GPT2LMHeadModel."""

from __future__ import annotations

import torch

from . import exercise, returned

_GPT2_ROLES = {"norm1": "ln_1", "attn.qkv": "attn.c_attn", "attn.proj": "attn.c_proj",
               "norm2": "ln_2", "ffn.up": "mlp.c_fc", "ffn.down": "mlp.c_proj"}  # fmt: skip


def copy_gpt2_block(ours, theirs):
    """Copy a ``transformers`` GPT2Block's weights into one block of our GPT, in place: the
    same roles under other names, and Conv1D's (in, out) weights transposed to (out, in)."""
    with torch.no_grad():
        for mine, hf in _GPT2_ROLES.items():
            for kind in ("weight", "bias"):
                source = theirs.get_parameter(f"{hf}.{kind}")
                if kind == "weight" and not hf.startswith("ln_"):
                    source = source.t()  # Conv1D stores (in, out); nn.Linear (out, in)
                ours.get_parameter(f"{mine}.{kind}").copy_(source)
    return ours


@exercise("copy_gpt2_block", solution=copy_gpt2_block)
def check_copy_gpt2_block(answer) -> str:
    import transformers

    from ...pretrained.gpt2_weights import load_gpt2_weights

    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=500, n_positions=64, n_embd=96, n_layer=2,
                                     n_head=4, bos_token_id=0, eos_token_id=0)  # fmt: skip
    hf = transformers.GPT2LMHeadModel(config).eval()
    with torch.no_grad():  # no two tensors alike: fresh layer norms are all 1 and biases all 0
        for name, p in hf.named_parameters():
            if name.endswith("bias") or ".ln_" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn_like(p))
    idx = torch.randint(0, 500, (2, 64))  # (B, T)
    with torch.no_grad():
        want = hf(idx).logits  # (2, 64, 500)

    def differences(copy) -> tuple[float, torch.nn.Module]:
        ours = load_gpt2_weights(hf).eval()
        for p in ours.blocks[1].parameters():  # forget block 1: the copy must bring it back
            p.data.normal_()
        copy(ours.blocks[1], hf.transformer.h[1])
        with torch.no_grad():
            return (ours(idx)[0] - want).abs().max().item(), ours.blocks[1]

    worst, block = differences(lambda o, t: returned(answer(o, t)))
    if not worst <= 1e-4:  # NaN fails too
        theirs = hf.transformer.h[1]
        copied = [  # which biases hold GPT-2's
            torch.equal(block.get_parameter(f"{mine}.bias"), theirs.get_parameter(f"{name}.bias"))
            for mine, name in _GPT2_ROLES.items()
        ]
        hint = ""
        if torch.equal(block.attn.proj.weight, theirs.attn.c_proj.weight):  # square: fits both ways
            hint = (" attn.c_proj's weight is square, so it fits untransposed without an "
                    "error: transpose every Conv1D weight")  # fmt: skip
        elif not any(copied) and torch.equal(block.norm1.weight, theirs.ln_1.weight):
            hint = " Copy the biases too: ours still hold the scrambled values."
        elif not any(copied):
            hint = (" Our block 1 is unchanged: copy into `ours` itself, in place "
                    "(`ours.get_parameter(name).copy_(...)`), not into a new block")  # fmt: skip
        raise AssertionError(f"with your block 1 our logits differ from GPT2LMHeadModel's by up "
                             f"to {worst:.3g}.{hint}")  # fmt: skip

    def square_untransposed(o, t):
        copy_gpt2_block(o, t)
        with torch.no_grad():
            o.attn.proj.weight.copy_(t.attn.c_proj.weight)

    trap, _ = differences(square_untransposed)
    return (f"correct: with your block 1 our GPT's logits equal GPT2LMHeadModel's (max difference "
            f"{worst:.0e}). Forget only the square attn.c_proj's transpose, which raises no error, "
            f"and they differ by up to {trap:.2f}")  # fmt: skip
