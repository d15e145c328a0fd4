"""Shared fixtures and helpers.

Measured figures (training times, accuracies, grading times) are printed in the closing
summary of every run, passed or failed. A test that needs Fashion-MNIST asks for the
``fashion_mnist`` fixture: a missing dataset fails it with the loader's message (which names
the apt package, the variable and the download command) — the same way in every test file.
"""
from __future__ import annotations

import nbformat
import pytest
import requests

from west2ai.mentor.course import Course, repo_root

ROOT = repo_root()
_MEASURED: list[str] = []


def kit() -> Course:
    """The kit's own course directory."""
    return Course(ROOT)


def errors_by_cell(notebook) -> dict[str, str]:
    """``grade_id -> "Ename: message"`` of the cells of an executed notebook that raised."""
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out[cell.metadata.get("nbgrader", {}).get("grade_id", "?")] = f"{o['ename']}: {o['evalue']}"
    return out


def solution_ids(notebook) -> list[str]:
    """Grade ids of the code cells a student answers in (a notebook node or a path)."""
    nb = notebook if isinstance(notebook, dict) else nbformat.read(notebook, as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]


def replace_cell(nb, grade_id: str, source: str) -> None:
    """Put ``source`` into the cell ``grade_id`` of a notebook (a student's answer)."""
    hits = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert hits, f"没有 grade_id 为 {grade_id} 的单元格"
    for cell in hits:
        cell.source = source


@pytest.fixture(scope="session")
def measurements() -> list[str]:
    """Append human-readable measured figures here; they are printed at the end of the run."""
    return _MEASURED


@pytest.fixture(scope="session")
def fashion_mnist():
    """The Fashion-MNIST root folder; fails (not skips) with the loader's advice when missing."""
    from west2ai import data

    try:
        return data.fashion_mnist_root()
    except data.DatasetNotFound as exc:
        pytest.fail(f"Fashion-MNIST 不可用：{exc}", pytrace=False)


@pytest.fixture(scope="module")
def http():
    """One HTTP session for a module's requests to the local fixture sites."""
    with requests.Session() as s:
        yield s


def pytest_terminal_summary(terminalreporter):
    if _MEASURED:
        terminalreporter.section("实测数据 / measured figures")
        for line in _MEASURED:
            terminalreporter.write_line(line)
