"""``python -m lessons_lib bench chat``: SmolLM2 in the course's code against ``transformers``
on this machine, side by side in one run (chapter 11).

Each engine runs in a fresh process (so each peak memory is its own): a prompt of about 100
tokens, then 100 new tokens, greedy, with a KV cache. It reports tokens per second for the
prompt (one forward pass over it) and for generation (one token at a time), and the process's
peak memory. ``transformers`` is timed twice: the same loop by hand (``past_key_values``), and
its own ``generate``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import torch

PROMPT = (
    "Here is a short text about the course. LLM Lessons is an open-source, hands-on course on "
    "how large language models work: chapter notebooks that learners run on a laptop, from "
    "counting characters to a transformer written by hand. Summarise it in three sentences, "
    "then say which chapter you would read first and why."
)
ENGINES = ("ours", "transformers")


def _run(engine: str, new_tokens: int) -> dict:
    from ..assistant.chat import format_chat
    from ..pretrained.smollm2 import load_smollm2, smollm2_path

    model, tokenizer = load_smollm2()
    ids = torch.tensor([tokenizer.encode(format_chat([{"role": "user", "content": PROMPT}]))])
    if engine == "transformers":
        import transformers

        from ..course.session import quiet_transformers

        del model
        path = smollm2_path()
        with quiet_transformers():
            model = transformers.AutoModelForCausalLM.from_pretrained(
                str(path.parent), gguf_file=path.name, torch_dtype=torch.float32
            ).eval()

    def step(x, cache):  # -> (logits of the last position, the cache)
        if engine == "ours":
            return model(x, cache=cache)[0][:, -1], cache
        out = model(x, past_key_values=cache, use_cache=True)
        return out.logits[:, -1], out.past_key_values

    with torch.no_grad():
        step(ids[:, :8], model.new_cache() if engine == "ours" else None)  # warm up
        start = time.perf_counter()
        logits, cache = step(ids, model.new_cache() if engine == "ours" else None)
        prompt_s = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(new_tokens):
            logits, cache = step(logits.argmax(-1, keepdim=True), cache)
        generate_s = time.perf_counter() - start
        result = {"engine": engine, "prompt_tokens": ids.shape[1],
                  "prompt_tokens_per_s": ids.shape[1] / prompt_s,
                  "tokens_per_s": new_tokens / generate_s}  # fmt: skip
        if engine == "transformers":
            start = time.perf_counter()
            model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                           do_sample=False)  # fmt: skip
            result["generate_tokens_per_s"] = new_tokens / (time.perf_counter() - start)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def bench_chat(new_tokens: int = 100) -> list[dict]:
    """Both engines, each in its own process, one after the other."""
    results = []
    for engine in ENGINES:
        command = [sys.executable, "-m", __name__, engine, str(new_tokens)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def chat_report(results: list[dict]) -> str:
    lines = [f"SmolLM2-135M, a prompt of {results[0]['prompt_tokens']} tokens, greedy, "
             f"{torch.get_num_threads()} threads:",
             f"{'engine':36} {'prompt tok/s':>12} {'new tok/s':>10} {'peak MB':>8}"]  # fmt: skip
    for r in results:
        lines.append(f"{r['engine'] + ' (a loop with the cache)':36} "
                     f"{r['prompt_tokens_per_s']:12.0f} {r['tokens_per_s']:10.1f} "
                     f"{r['peak_mb']:8.0f}")  # fmt: skip
        if "generate_tokens_per_s" in r:
            lines.append(f"{'transformers generate()':36} {'':12} "
                         f"{r['generate_tokens_per_s']:10.1f}")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], int(sys.argv[2]))))
