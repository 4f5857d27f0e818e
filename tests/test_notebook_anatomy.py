"""Every chapter notebook follows the anatomy of COURSE_DESIGN.md section 5."""

import json
import re
from pathlib import Path

import pytest

from lessons_lib.notebooks import REPOSITORY, binder_url, colab_url, install_url, notebook_paths

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
