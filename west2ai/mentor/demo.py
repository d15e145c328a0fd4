"""The demo class: three students graded end to end in a temporary course directory.

- ``reference``: the source notebooks (solutions and hidden tests) — full marks.
- ``blank``: the untouched release — 0 on every autograded cell.
- ``partial``: the release with some exercises solved (the designs in each stage file,
  ``stageN/stage.toml``) — exactly the designed autograded score.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import Course, CourseError, scratch_course
from .grade import ClassReport, grade_class
from .release import generate_release
from .stagefile import NotebookFacts, stage_facts

@dataclass
class Expectation:
    student: str
    stage: str
    expected: float
    got: float
    auto_max: float
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return abs(self.got - self.expected) < 1e-6

    def line(self) -> str:
        mark = "通过" if self.ok else "不符"
        return (f"[{mark}] {self.student:<9} {self.stage}: 自动评分 {self.got:g}/{self.auto_max:g}"
                f"（预期 {self.expected:g}），评分用时 {self.seconds:.1f} s")


def solved_cells(source_nb, keep: set[str]) -> dict[str, str]:
    """grade_id -> source of the kept solution cells in a source notebook."""
    out = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in keep:
            out[meta["grade_id"]] = cell.source
    return out


def make_partial(release_path: Path, source_path: Path, keep: list[str]) -> nbformat.NotebookNode:
    """The release notebook with the ``keep`` solution cells filled in from the source."""
    src = nbformat.read(source_path, as_version=4)
    solutions = solved_cells(src, set(keep))
    missing = set(keep) - set(solutions)
    if missing:
        raise CourseError(f"{source_path.name} 中没有这些答案单元格（见 stage.toml 的 partial.keep）：{sorted(missing)}")
    nb = copy.deepcopy(nbformat.read(release_path, as_version=4))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return nb


def notebook_facts(course: Course, stage: str, name: str) -> NotebookFacts:
    """The stage file's facts for one notebook: from the course's own stage home, else the kit's."""
    facts = stage_facts(course, stage)
    if facts is None:
        raise CourseError(f"找不到 {stage}/stage.toml：演示需要各阶段的部分提交设计")
    return facts.notebook(name)


def expected_partial(course: Course, stage: str) -> float:
    return sum(notebook_facts(course, stage, nb.stem).partial.score for nb in course.notebooks(stage))


def build_class(course: Course, stages: list[str], checkpoints: Path | None = None,
                facts_from: Course | None = None) -> None:
    """Write the three demo students' submissions under ``course/submitted``.

    ``checkpoints/<stage>/`` (optional) holds files the reference student hands in beside the
    notebooks, e.g. trained weights, so that grading loads them instead of training.
    """
    for stage in stages:
        for student in ("reference", "blank", "partial"):
            dest = course.submitted / student / stage
            shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(course.source / stage, course.submitted / "reference" / stage)
        extra = Path(checkpoints) / stage if checkpoints else None
        if extra and extra.is_dir():
            for item in extra.iterdir():
                shutil.copy(item, course.submitted / "reference" / stage / item.name)
        shutil.copytree(course.release / stage, course.submitted / "blank" / stage)
        shutil.copytree(course.release / stage, course.submitted / "partial" / stage)
        for src in course.notebooks(stage):
            design = notebook_facts(facts_from or course, stage, src.stem).partial
            nb = make_partial(course.release / stage / src.name, src, list(design.keep))
            nbformat.write(nb, course.submitted / "partial" / stage / src.name)


def run_demo(course: Course, stages: list[str], workdir: Path | None = None,
             progress: bool = True, cell_timeout: int | None = None,
             checkpoints: Path | None = None, sandboxed: bool = True):
    """Release, submit, grade; return (report, expectations)."""
    where = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="west2ai-demo-"))
    where.mkdir(parents=True, exist_ok=True)
    demo_course = scratch_course(course, where, stages)
    for stage in stages:
        generate_release(demo_course, stage)
    build_class(demo_course, stages, checkpoints, facts_from=course)
    report: ClassReport = grade_class(demo_course, stages, ["reference", "blank", "partial"],
                                      cell_timeout=cell_timeout, progress=progress, sandboxed=sandboxed)
    checks = []
    for stage in stages:
        for student, expected in (("reference", None), ("blank", 0.0),
                                  ("partial", expected_partial(course, stage))):
            r = report.result(student, stage)
            checks.append(Expectation(student, stage, r.auto_max if expected is None else expected,
                                      r.auto_score, r.auto_max, r.seconds))
    return report, checks
