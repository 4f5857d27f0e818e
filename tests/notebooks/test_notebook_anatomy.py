"""Every chapter notebook has the course's anatomy: title and badges, setup, exercises with
checks, glossary, next chapter; and its check-marked cells print nothing that drifts."""

import json
import re
from pathlib import Path

import pytest

from lessons_lib.tools.notebooks import REPOSITORY, binder_url, colab_url, install_url, notebook_paths

NOTEBOOKS = notebook_paths()
CJK = re.compile(r"[\u4e00-\u9fff]")


def cells_of(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
    return cells


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:2] == ["00_welcome.ipynb", "01_self_supervision.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy(path: Path):
    cells = cells_of(path)
    rel = f"notebooks/{path.name}"
    title = cells[0]
    assert title["cell_type"] == "markdown"
    assert re.match(rf"# {path.name[:2]} · \S", title["source"]), "title must be '# NN · Title'"
    assert colab_url(rel) in title["source"] and binder_url(rel) in title["source"]
    assert "objectives" in title["source"].lower() or "you will" in title["source"].lower()
    assert "Time:" in title["source"] and "Prerequisites:" in title["source"]

    setup = cells[1]
    assert setup["cell_type"] == "code"
    assert '"google.colab" in sys.modules' in setup["source"]
    assert install_url() in setup["source"] and REPOSITORY in install_url()
    assert "L.setup(" in setup["source"]

    code = [c for c in cells if c["cell_type"] == "code" and c["source"].strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert "colab" not in json.loads(path.read_text(encoding="utf-8"))["metadata"]

    text = "\n".join(c["source"] for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"^## Exercise", text, re.M), "needs '## Exercise' sections"
    stubs = [c for c in code if "raise NotImplementedError" in c["source"]]
    checks = [c for c in code if re.search(r"ex\.check\(", c["source"])]
    assert stubs and len(checks) >= len(stubs), "each exercise stub needs a check cell"
    for stub, check in zip(stubs, checks, strict=False):
        assert code.index(check) > code.index(stub)
    assert re.search(r"^## .*Glossary", text, re.M) and CJK.search(text)
    assert re.search(r"^## Next", text, re.M)
    if not path.name.startswith("00_"):
        marked = [c for c in code if "# NBVAL_CHECK_OUTPUT" in c["source"]]
        assert len(marked) >= 3, "mark stable teaching claims with # NBVAL_CHECK_OUTPUT"
        assert len(stubs) >= 3, "at least three exercises"


# A float that drifts across CPUs, thread counts and BLAS builds: a computed number in
# scientific notation (Python prints at least two exponent digits: 3.0e-07, 3e-07) or with more
# than 4 significant digits (1.41652; trailing zeros, as in 1000.0, do not count). A threshold
# written by hand in a claim (`< 1e-6: True`) is not a computed number.
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][-+]?\d{2,}\b")
DECIMAL = re.compile(r"(?<![\w.])(\d+)\.(\d+)\b")


def drifting_numbers(text: str) -> list[str]:
    """The numbers in ``text`` that a check-marked cell must not print."""
    found = SCIENTIFIC.findall(text)
    for whole, fraction in DECIMAL.findall(text):
        digits = (whole + fraction).strip("0")
        if len(digits) > 4:
            found.append(f"{whole}.{fraction}")
    return found


def stored_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"])
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_drifting_numbers_are_found():
    assert drifting_numbers("max |ours - torch| = 3.0e-07") == ["3.0e-07"]
    assert drifting_numbers("val loss 1.41652, perplexity 4.12") == ["1.41652"]
    assert drifting_numbers("0.0404, 12.5, 1000.0, < 1e-6: True, U+00E9, [256]") == []
    assert drifting_numbers("1.5e+38 and 3e-07") == ["1.5e+38", "3e-07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_check_marked_cells_print_no_drifting_floats(path: Path):
    bad = [
        f"cell {index}: {drifting_numbers(stored_text(cell))}"
        for index, cell in enumerate(cells_of(path))
        if cell["cell_type"] == "code"
        and "# NBVAL_CHECK_OUTPUT" in cell["source"]
        and drifting_numbers(stored_text(cell))
    ]
    assert not bad, (
        "check-marked cells must print the claim (`< 1e-6: True`) or rounded numbers, and "
        f"assert the exact value: {bad}"
    )
