"""Holding a tampered notebook's points, and releasing them after a mentor's review.

When the tamper scan flags a submitted notebook, its autograded cells get a manual score of
0 in the gradebook (nbgrader then uses the manual score instead of the autograded one), so
no point counts until a mentor has looked. After reading the flagged cells (the grade report
names each one and why), the mentor either leaves the hold or releases it::

    python -m west2ai review stage1 102301234 01-python-basics.ipynb

which clears those manual scores (the autograded ones count again), records the reviewed
file's SHA-256 in ``reviewed.json`` so that grading the same file again does not hold it
again (a changed file is scanned and held anew), and exports grades.csv. The same hold can
also be changed cell by cell in nbgrader's formgrader.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .course import Course, CourseError

REVIEWED = "reviewed.json"


def _key(student: str, stage: str, notebook: str) -> str:
    return f"{student}/{stage}/{notebook}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reviewed(course: Course) -> dict[str, str]:
    path = course.root / REVIEWED
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_released(course: Course, student: str, stage: str, notebook: str) -> bool:
    """A mentor reviewed exactly this submitted file and released its points."""
    path = course.submitted / student / stage / notebook
    done = _reviewed(course).get(_key(student, stage, notebook))
    return done is not None and path.is_file() and done == _digest(path)


def _set_manual(course: Course, student: str, stage: str, notebook: str, value: float | None) -> int:
    """Set (or clear) the manual score of every autograded cell of one submitted notebook."""
    from nbgrader.api import Gradebook, MissingEntry

    changed = 0
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        try:
            nb = gb.find_submission_notebook(Path(notebook).stem, stage, student)
        except MissingEntry:
            return 0
        for grade in nb.grades:
            if grade.auto_score is not None and grade.cell.cell_type == "code":
                grade.manual_score = value
                changed += 1
        gb.db.commit()
    return changed


def hold(course: Course, student: str, stage: str, notebook: str) -> int:
    """Hold the notebook's autograded points at 0; returns how many cells were held."""
    return _set_manual(course, student, stage, notebook, 0.0)


def release_hold(course: Course, student: str, stage: str, notebook: str) -> int:
    """Release a hold after review; returns how many cells count again."""
    path = course.submitted / student / stage / notebook
    if not path.is_file():
        raise CourseError(f"找不到 {path}：请检查阶段、学号与 notebook 文件名")
    released = _set_manual(course, student, stage, notebook, None)
    reviewed = _reviewed(course)
    reviewed[_key(student, stage, notebook)] = _digest(path)
    (course.root / REVIEWED).write_text(json.dumps(reviewed, ensure_ascii=False, indent=1, sort_keys=True),
                                        encoding="utf-8")
    return released
