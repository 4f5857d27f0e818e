"""Seeds, devices, plot style and showing library code (used by every chapter from 00 on)."""

from __future__ import annotations

import contextlib
import inspect
import os
import platform
import random
import sys
from collections.abc import Iterator

import numpy as np
import torch

from .._checks import positive_int

HEADLESS_VARIABLE = "LESSONS_HEADLESS"
"""Set to 1 by the test run and the notebook refresh: widget demos then draw once, statically."""

PLOT_STYLE = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
"""The readable plot style that :func:`setup` applies (small figures keep notebooks light)."""


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and every GPU) with one number: an int
    from 0 to 2**32 - 1 (NumPy's range)."""
    positive_int(seed, "seed (e.g. 0)", minimum=0)
    if seed >= 2**32:
        raise ValueError(f"seed must be below 2**32 = {2**32} (NumPy's limit), got {seed}.")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA and MPS generators


def get_device() -> torch.device:
    """The best device here: a CUDA GPU, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def is_headless() -> bool:
    """True when no browser is attached (tests, the notebook refresh): draw, don't build widgets."""
    return os.environ.get(HEADLESS_VARIABLE, "") not in ("", "0")


def setup(seed: int = 0) -> torch.device:
    """Start a chapter: seed everything, pick the device, set the plot style, print one line.

    Returns the device, so a notebook can write ``device = L.setup()``.
    """
    import matplotlib as mpl

    set_seed(seed)
    device = get_device()
    mpl.rcParams.update(PLOT_STYLE)
    _show_figures_inline()
    _quiet_version_warnings()
    print(
        f"lessons_lib ready · Python {platform.python_version()} · torch {torch.__version__}"
        f" · device {device} · seed {seed}"
    )
    return device


def _quiet_version_warnings() -> None:
    """Hide what some supported versions print and that says nothing about the chapter:
    transformers 4.44 warns, at every tokenizer it loads, that the default of
    ``clean_up_tokenization_spaces`` will change (the course never relies on that default),
    and transformers 5 prints a load report for weights a chapter leaves out on purpose (BERT's
    pooler). ``TRANSFORMERS_VERBOSITY`` set by the learner wins."""
    import warnings

    warnings.filterwarnings(
        "ignore", message="`clean_up_tokenization_spaces` was not set", category=FutureWarning
    )
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # read when transformers loads
    if "transformers" in sys.modules and os.environ["TRANSFORMERS_VERBOSITY"] == "error":
        sys.modules["transformers"].logging.set_verbosity_error()


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Inside the ``with`` block, ``transformers`` logs errors only and shows no progress bar."""
    from transformers.utils import logging

    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


def _show_figures_inline() -> None:
    """Let a notebook show a pyplot-free ``Figure`` (as the course's plots return) as a PNG."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"}, bbox_inches="tight")


def show_source(obj: object) -> object:
    """Show the source code of a library function or class, syntax-highlighted.

    In a notebook this renders as a highlighted code block; elsewhere it prints plain text.
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as err:
        raise TypeError(
            f"Cannot show the source of {obj!r}: pass a function, class or module from "
            "lessons_lib (not an instance or a built-in)."
        ) from err
    try:
        from IPython import get_ipython
        from IPython.display import Code

        if get_ipython() is not None:
            return Code(source, language="python")
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        pass
    print(source)
    return None
