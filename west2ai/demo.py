"""The demo class: three students graded end to end in a temporary course directory.

- ``reference``: the source notebooks (solutions and hidden tests) — full marks.
- ``blank``: the untouched release — 0 on every autograded cell.
- ``partial``: the release with some exercises solved (the designs below) — exactly the
  designed autograded score.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .classgrade import ClassReport, grade_class
from .course import Course, _scratch_course

# Per notebook: the solution cells the partial student solved, and the autograded score
# that must result (each kept test depends only on kept solutions; every other test needs
# at least one unsolved one).
PARTIAL: dict[str, dict] = {
    "stage1/01-python-basics": {
        "keep": ["ex-word-freq", "ex-sort-students", "ex-count-calls", "ex-vector", "ex-phones",
                 "ex-even-squares", "ex-fib", "ex-shapes", "ex-typed-merge"],
        "score": 18,
    },
    "stage1/02-pokemon-battle": {
        "keep": ["ex-damage", "ex-pokemon", "ex-grass", "ex-water", "ex-status", "ex-squirtle", "ex-turn"],
        "score": 17,
    },
    "stage1/03-generative-ai": {
        "keep": ["ex-vocab", "ex-counts", "ex-probs"],
        "score": 6,
    },
    "stage2/01-requests-xpath": {
        "keep": ["ex-clean", "ex-fetch", "ex-parse-list", "ex-list-pages", "ex-parse-detail"],
        "score": 13,
    },
    "stage2/02-selenium": {
        "keep": ["ex-cards", "ex-scroll", "ex-collect", "ex-csv"],
        "score": 9,
    },
    "stage2/03-pandas-analysis": {
        "keep": ["ex-shares", "ex-eta", "ex-daily"],
        "score": 6,
    },
    "stage2/04-numpy-and-backprop": {
        "keep": ["ex-one-hot", "ex-standardize", "ex-pairwise", "ex-softmax", "ex-linreg"],
        "score": 12,
    },
    "stage3/01-pytorch-basics": {
        "keep": ["ex-pairwise", "ex-to-tensor", "ex-autograd", "ex-mlp"],
        "score": 8,
    },
    "stage3/02-cnn-fashion-mnist": {  # the classic blocks, but no training: no tier
        "keep": ["ex-lenet", "ex-vgg-block", "ex-residual", "ex-mycnn"],
        "score": 8,
    },
    "stage3/03-kaggle-contest": {  # file format and split, but no model: no tier
        "keep": ["ex-write-submission", "ex-split"],
        "score": 5,
    },
}


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
        raise KeyError(f"{source_path.name} 中没有这些答案单元格：{sorted(missing)}")
    nb = copy.deepcopy(nbformat.read(release_path, as_version=4))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return nb


def expected_partial(course: Course, stage: str) -> float:
    return sum(PARTIAL[f"{stage}/{nb.stem}"]["score"] for nb in course.notebooks(stage))


def build_class(course: Course, stages: list[str], checkpoints: Path | None = None) -> None:
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
            design = PARTIAL.get(f"{stage}/{src.stem}")
            if design is None:
                raise KeyError(f"demo.PARTIAL 缺少 {stage}/{src.stem} 的部分提交设计")
            nb = make_partial(course.release / stage / src.name, src, design["keep"])
            nbformat.write(nb, course.submitted / "partial" / stage / src.name)


def run_demo(course: Course, stages: list[str], workdir: Path | None = None,
             progress: bool = True, cell_timeout: int | None = None,
             checkpoints: Path | None = None):
    """Release, submit, grade; return (report, expectations)."""
    where = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="west2ai-demo-"))
    where.mkdir(parents=True, exist_ok=True)
    demo_course = _scratch_course(course, where, stages)
    for stage in stages:
        demo_course.generate_release(stage)
    build_class(demo_course, stages, checkpoints)
    report: ClassReport = grade_class(demo_course, stages, ["reference", "blank", "partial"],
                                      cell_timeout=cell_timeout, progress=progress)
    checks = []
    for stage in stages:
        for student, expected in (("reference", None), ("blank", 0.0),
                                  ("partial", expected_partial(demo_course, stage))):
            r = report.result(student, stage)
            checks.append(Expectation(student, stage, r.auto_max if expected is None else expected,
                                      r.auto_score, r.auto_max, r.seconds))
    return report, checks
