"""Every notebook exercise works both ways: unsolved it prints ✗, solved it prints ✓.

The solved run executes only the setup cell, the exercise cells with each stub replaced by
its model solution, and the check cells, in a fresh kernel (a few seconds per notebook).
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lessons_lib.tools.notebooks import notebook_paths

STUB = re.compile(r"^def (\w+)\(", re.M)
CHECK = re.compile(r'ex\.check\("(\w+)", (\w+)\)')


def exercise_cells(path: Path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    setup = "".join(code[0]["source"])
    stubs = [c for c in code if "raise NotImplementedError" in "".join(c["source"])]
    checks = [c for c in code if CHECK.search("".join(c["source"]))]
    return setup, stubs, checks


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_stored_exercises_are_unsolved_and_say_so(path):
    _, stubs, checks = exercise_cells(path)
    assert stubs and len(stubs) == len(checks)
    for check in checks:
        text = "".join("".join(o.get("text", "")) for o in check["outputs"])
        assert text.startswith("✗ not done yet"), text


@pytest.mark.slow  # starts a kernel per notebook
@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_exercises_pass_with_the_model_solutions(path):
    setup, stubs, checks = exercise_cells(path)
    names = [STUB.search("".join(stub["source"])).group(1) for stub in stubs]
    checked = [CHECK.search("".join(c["source"])).groups() for c in checks]
    assert [name for name, _ in checked] == names, "check cells must name their stub's function"
    sources = [setup] + [f'{name} = ex.solution("{name}")' for name in names]
    sources += ["".join(c["source"]) for c in checks]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells[-len(checks):]:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("✓"), f"{cell.source}: {text}"
