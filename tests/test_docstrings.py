"""Every docstring example in lessons_lib holds (``>>>`` lines are run as doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import torch

import lessons_lib

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(lessons_lib.__path__, prefix="lessons_lib.")
    if info.name != "lessons_lib.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"torch": torch}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_cover_the_core_modules():
    tried = {
        name
        for name in MODULES
        if doctest.testmod(importlib.import_module(name), extraglobs={"torch": torch}).attempted
    }
    for name in ("models.lm", "parts.softmax", "parts.attention", "tokenization.bpe"):
        assert f"lessons_lib.{name}" in tried
