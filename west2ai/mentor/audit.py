"""Training audit: does the submitted checkpoint come from the submitted notebook?

Grading loads the checkpoint a student hands in, so a model trained for hours elsewhere, or
on the test set, would grade like one the notebook trains in its budget. ``grade
--audit-training`` picks students (named, or a random sample) and, after grading, re-runs
each of their model notebooks from scratch in the grading sandbox: the student's own
notebook and files, without the checkpoint and the exported model, within the notebook's
CPU budget. The judge then scores the rerun's model like the graded one. When the rerun
misses the graded score by more than the tolerance (or does not finish), the notebook's
points are held as 需人工复核, exactly like a tamper finding, and released with
``python -m west2ai review`` once the mentor is satisfied.
"""
from __future__ import annotations

import random
import time
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .budget import run_reference
from .course import Course
from .judge import Verdict, judge_notebook
from .review import hold
from .stagefile import stage_facts

DEFAULT_TOLERANCE = 0.02  # accuracy points (as a fraction) a rerun may fall short by


@dataclass
class Audit:
    student: str
    stage: str
    notebook: str
    graded: float | None
    rerun: float | None
    seconds: float
    tolerance: float
    problem: str | None = None  # why the rerun produced no score

    @property
    def flagged(self) -> bool:
        if self.graded is None:
            return False  # nothing was earned: nothing to audit
        return self.rerun is None or self.graded - self.rerun > self.tolerance

    def line(self) -> str:
        head = f"训练复现审计 {self.student}/{self.stage}/{self.notebook}："
        graded = f"提交的模型 {self.graded:.2%}" if self.graded is not None else "提交的模型未得分"
        if self.rerun is None:
            body = f"{graded}，沙箱中从零重训没有得到可评测的模型（{self.problem}，用时 {self.seconds:.0f} s）"
        else:
            gap = (self.graded - self.rerun) * 100 if self.graded is not None else 0.0
            body = (f"{graded}，沙箱中从零重训 {self.rerun:.2%}（用时 {self.seconds:.0f} s，"
                    f"差 {gap:+.1f} 个百分点，容差 {self.tolerance * 100:g}）")
        if self.flagged:
            return (f"需人工复核：{head}{body}：检查点可能训练得更久、在别处训练或用到了测试集，"
                    "该 notebook 的自动评分暂按 0 分计")
        return f"{head}{body}：通过"


def choose(students: list[str], named: list[str] | None, sample: int, seed: int | None = None) -> list[str]:
    """The students to audit: those named, else a random sample of ``sample``."""
    if named:
        return [s for s in named if s in students]
    return sorted(random.Random(seed).sample(students, min(sample, len(students))))


def audit_submission(course: Course, stage: str, student: str, verdicts: list[Verdict], sandbox=None,
                     threads: int = 1, tolerance: float = DEFAULT_TOLERANCE) -> list[Audit]:
    """Re-train each model notebook of one graded submission and compare with its verdict."""
    facts = stage_facts(course, stage)
    audits = []
    for verdict in verdicts:
        notebook = facts.notebooks.get(Path(verdict.notebook).stem) if facts else None
        if notebook is None or not notebook.budget_seconds:
            continue
        graded = verdict.score if verdict.reason is None else None
        with tempfile.TemporaryDirectory(prefix="w2a-") as tmp:
            work = Path(tmp) / stage
            own = sandbox.fresh() if sandbox else None
            submitted = course.submitted / student / stage / verdict.notebook
            start = time.perf_counter()
            try:
                run = run_reference(submitted, work, notebook.budget_seconds, timeout=int(notebook.budget_seconds),
                                    sandbox=own, env={"OMP_NUM_THREADS": str(threads)})
                errors = run.errors
            except Exception as exc:  # the kernel died, or a cell could not be interrupted
                errors = [f"{type(exc).__name__}: {str(exc)[:200]}"]
            seconds = time.perf_counter() - start
            rerun = judge_notebook(work, notebook, sandbox, threads)
        audit = Audit(student, stage, verdict.notebook, graded, rerun.score, seconds, tolerance,
                      rerun.reason or (errors[0] if errors else None))
        if audit.flagged:
            hold(course, student, stage, verdict.notebook)
        audits.append(audit)
    return audits
