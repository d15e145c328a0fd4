"""Graded cells put back before nbgrader reads a submission (west2ai.mentor.repair)."""
from __future__ import annotations

import nbformat
import pytest

from conftest import kit
from west2ai.mentor.repair import repair

COURSE = kit()
RELEASED = [p for stage in COURSE.stages() for p in sorted((COURSE.release / stage).glob("*.ipynb"))]


@pytest.mark.parametrize("path", RELEASED, ids=[f"{p.parent.name}/{p.stem}" for p in RELEASED])
def test_an_untouched_release_needs_no_repair(path):
    nb = nbformat.read(path, as_version=4)
    assert repair(nb, nbformat.read(COURSE.source / path.parent.name / path.name, as_version=4)) == []


def _quiz():
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert f() == 1")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "locked": True, "points": 2.0,
                                 "schema_version": 3, "solution": False, "task": False}
    answer = nbformat.v4.new_code_cell("def f():\n    return 1")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "a", "locked": False,
                                   "schema_version": 3, "solution": True, "task": False}
    nb.cells = [answer, test]
    return nb


def test_duplicate_retype_metadata_and_invented_cells_are_put_back():
    source = _quiz()
    sub = nbformat.from_dict(source)
    twin = nbformat.from_dict(sub.cells[0])
    sub.cells.insert(1, twin)  # the answer cell duplicated (Jupyter's copy keeps the metadata)
    sub.cells[2].metadata["nbgrader"].update(grade=False, points=50.0, locked=False)
    invented = nbformat.v4.new_code_cell("assert True")
    invented.metadata["nbgrader"] = {**source.cells[1].metadata["nbgrader"], "grade_id": "bonus", "points": 99.0}
    sub.cells.append(invented)
    notes = repair(sub, source)
    assert len(notes) == 3 and any("不止一次" in n for n in notes) and any("bonus" in n for n in notes)
    assert "nbgrader" not in sub.cells[1].metadata and "nbgrader" not in sub.cells[3].metadata
    assert sub.cells[2].metadata["nbgrader"] == source.cells[1].metadata["nbgrader"]
    assert sub.cells[1].source == twin.source  # the copy's code still runs

    retyped = nbformat.from_dict(source)
    retyped.cells[1] = nbformat.v4.new_markdown_cell(retyped.cells[1].source, metadata=retyped.cells[1].metadata)
    assert "改成了 markdown" in repair(retyped, source)[0]
    assert retyped.cells[1].cell_type == "code" and retyped.cells[1].outputs == []
    nbformat.validate(retyped)
