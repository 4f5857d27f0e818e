"""What the refresh recorded for every committed chapter: its run time, and the kernel's peak
memory within Binder's limit (Binder gives 1-2 GB); the README's table in step with both."""

import pytest

from lessons_lib.tools.notebooks import README, notebook_paths, readme_with_records, recorded

NOTEBOOKS = notebook_paths()
PEAK_LIMIT_MB = 1536  # 1.5 GB: room under Binder's 2 GB for the server and the browser tab


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_chapter_records_a_run_time_and_peak_memory_within_the_limits(path):
    record = recorded(path)
    assert record, f"{path.name}: no record; run python -m lessons_lib refresh {path}"
    assert record["seconds"] > 0  # the 90 s budget is the refresh's to report, not to assert:
    # the machine's speed varies by up to 40% from run to run
    assert record["peak_memory_mb"] is not None, f"{path.name}: peak memory not measured"
    assert 0 < record["peak_memory_mb"] <= PEAK_LIMIT_MB, (
        f"{path.name}: the kernel peaked at {record['peak_memory_mb']} MB, over the "
        f"{PEAK_LIMIT_MB} MB limit (Binder)"
    )


def test_the_readme_table_shows_what_was_recorded():
    text = README.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        updated = readme_with_records(text, path, recorded(path))
        assert updated == text, f"the README's row for {path.name} differs from its record"
