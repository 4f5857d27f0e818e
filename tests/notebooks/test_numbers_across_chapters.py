"""Numbers one chapter copies from another must match what that chapter prints."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _notebook(stem: str):
    return nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)


def _printed(nb) -> str:
    return "\n".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def test_chapter_06_copies_the_mlp_score_chapter_03_prints():
    printed = re.search(
        r"MLP, [\d,]+ parameters: validation loss (\d\.\d{3})",
        _printed(_notebook("03_feed_forward_networks")),
    )
    assert printed, "chapter 03 no longer prints the MLP's validation loss"
    chapter_06 = "\n".join(cell.source for cell in _notebook("06_gpt_from_scratch").cells)
    copied = re.findall(r'"MLP, 8 characters \(ch03\)": (\d\.\d{3})', chapter_06)
    in_table = re.findall(r"\| MLP, 8 characters of context \| 03 \| (\d\.\d{3}) \|", chapter_06)
    assert copied == [printed.group(1)], "refresh chapter 03, then copy its MLP score into 06"
    assert in_table == [printed.group(1)]
