"""Grade a whole class: autograde every submission, write feedback and grades.csv, and
build the student × stage table. One broken submission is reported and the rest go on."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from .course import Course, NotebookScore, StepResult, graded_cells, tier_of

DEFAULT_STUDENT_TIMEOUT = 1800  # seconds for one student's stage, all notebooks together


@dataclass
class StageResult:
    student: str
    stage: str
    notebooks: list[NotebookScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # autograding time

    @property
    def score(self) -> float:
        return sum(n.score for n in self.notebooks)

    @property
    def auto_score(self) -> float:
        return sum(n.auto_score for n in self.notebooks)

    @property
    def max_score(self) -> float:
        return sum(n.max_score for n in self.notebooks)

    @property
    def auto_max(self) -> float:
        return sum(n.auto_max for n in self.notebooks)

    @property
    def needs_manual(self) -> bool:
        return any(n.needs_manual for n in self.notebooks)


@dataclass
class ClassReport:
    course: Course
    results: list[StageResult]
    grades_csv: Path | None
    feedback_dir: Path

    def result(self, student: str, stage: str) -> StageResult:
        for r in self.results:
            if r.student == student and r.stage == stage:
                return r
        raise KeyError((student, stage))

    def table(self) -> str:
        return format_table(self.results)


def _check_notebook_file(path: Path) -> str | None:
    """A reason the file is not a readable notebook, or None."""
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # malformed JSON, wrong schema, binary junk
        return f"{path.name} 不是有效的 notebook（{type(exc).__name__}），该 notebook 计 0 分"
    return None


def autograde_submission(course: Course, stage: str, student: str,
                         cell_timeout: int | None = None,
                         student_timeout: float = DEFAULT_STUDENT_TIMEOUT) -> list[str]:
    """Autograde one student's stage; return the problems met (empty when all went well).

    The whole stage is graded in one nbgrader run. If that run fails (a malformed notebook,
    a kernel that cannot be interrupted), each notebook is graded on its own so that only the
    broken one is lost, and the reason is reported.
    """
    env = {}
    if cell_timeout:
        env["WEST2AI_CELL_TIMEOUT"] = str(cell_timeout)
    problems = []
    folder = course.submitted / student / stage
    expected = [p.name for p in course.notebooks(stage)]
    for name in expected:
        path = folder / name
        if not path.exists():
            problems.append(f"缺交 {name}，该 notebook 计 0 分")
        else:
            reason = _check_notebook_file(path)
            if reason:
                problems.append(reason)
    args = ["autograde", stage, "--student", student, "--create", "--force"]
    res = course.nbgrader(*args, timeout=student_timeout, env=env)
    if res.ok:
        return problems
    submitted = [name for name in expected if (folder / name).exists()]
    if len(submitted) <= 1:
        failures = [(name, res) for name in submitted]
    else:
        failures = [(name, course.nbgrader(*args, "--notebook", Path(name).stem,
                                           timeout=student_timeout, env=env))
                    for name in submitted]
    for name, one in failures:
        if not one.ok and not any(p.startswith(name) for p in problems):
            problems.append(f"{name} 无法自动评分（{_failure(one)}），该 notebook 计 0 分")
    return problems


def _failure(res: StepResult) -> str:
    return "超出时间上限" if res.timed_out else _last_error(res.log)


def _last_error(log: str) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line[-200:]
    return lines[-1][-200:] if lines else "未知错误"


def cell_scores(course_root: Path, stage: str, student: str) -> dict[str, float]:
    """``"<notebook>/<grade_id>" -> score`` of every graded cell of one submission."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gb:
        for nb in gb.find_submission(stage, student).notebooks:
            for g in nb.grades:
                out[f"{nb.name}/{g.name}"] = g.score
    return out


def read_scores(course: Course, stage: str, student: str) -> list[NotebookScore]:
    """Per-notebook scores of one submission, read from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    out = []
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for src in course.notebooks(stage):
            kinds = {c.grade_id: c.kind for c in graded_cells(src)}
            try:
                nb = gb.find_submission_notebook(src.stem, stage, student)
            except MissingEntry:
                auto_max = sum(c.points for c in graded_cells(src) if c.kind == "tests")
                total = sum(c.points for c in graded_cells(src))
                tiers = {tier_of(g): False for g in kinds if tier_of(g)}
                out.append(NotebookScore(src.name, 0.0, total, 0.0, auto_max, False, tiers))
                continue
            auto = auto_max = 0.0
            tiers = {}
            for g in nb.grades:
                if kinds.get(g.name) == "tests":
                    auto += g.score or 0.0
                    auto_max += g.max_score
                    tier = tier_of(g.name)
                    if tier:
                        tiers[tier] = (g.score or 0.0) >= g.max_score
            out.append(NotebookScore(src.name, float(nb.score), float(nb.max_score), auto, auto_max,
                                     bool(nb.needs_manual_grade), tiers))
    return out


def grade_class(course: Course, stages: list[str], students: list[str] | None = None,
                cell_timeout: int | None = None,
                student_timeout: float = DEFAULT_STUDENT_TIMEOUT,
                progress: bool = True) -> ClassReport:
    """Autograde, write feedback and grades.csv, and return the report."""
    from .course import release

    release(course, stages)  # records every stage's cells in the gradebook
    students = students or course.students()
    tasks = [(s, st) for s in students for st in stages]
    results = []
    bar = tqdm(tasks, desc="autograde", unit="份", disable=not progress)
    for student, stage in bar:
        bar.set_postfix_str(f"{student}/{stage}")
        result = StageResult(student, stage)
        if not (course.submitted / student / stage).is_dir():
            result.problems.append("未提交该阶段")
        else:
            start = time.perf_counter()
            result.problems += autograde_submission(course, stage, student, cell_timeout, student_timeout)
            result.seconds = time.perf_counter() - start
            fb = course.nbgrader("generate_feedback", stage, "--student", student, "--force")
            if not fb.ok and (course.root / "autograded" / student / stage).is_dir():
                result.problems.append("反馈 HTML 生成失败：" + _last_error(fb.log))
        result.notebooks = read_scores(course, stage, student)
        results.append(result)
    exported = course.nbgrader("export", "--to", str(course.root / "grades.csv"))
    csv = course.root / "grades.csv" if exported.ok else None
    return ClassReport(course, results, csv, course.root / "feedback")


def format_table(results: list[StageResult]) -> str:
    """Student × stage: score / max, with the tiers reached and any problem noted."""
    students = sorted({r.student for r in results})
    stages = sorted({r.stage for r in results})
    header = ["学生"] + stages + ["总分"]
    rows = []
    notes = []
    for student in students:
        row = [student]
        total = total_max = 0.0
        for stage in stages:
            r = next((x for x in results if x.student == student and x.stage == stage), None)
            if r is None:
                row.append("-")
                continue
            cell = f"{_num(r.score)}/{_num(r.max_score)}"
            if r.needs_manual:
                cell += "*"
            tiers = [f"{Path(n.notebook).stem[:2]}:{n.tier_reached or '未达及格'}"
                     for n in r.notebooks if n.tiers]
            if tiers:
                cell += " (" + " ".join(tiers) + ")"
            row.append(cell)
            total += r.score
            total_max += r.max_score
            notes += [f"  {student}/{stage}: {p}" for p in r.problems]
        row.append(f"{_num(total)}/{_num(total_max)}")
        rows.append(row)
    widths = [max(_width(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(_pad(str(x), w) for x, w in zip(line, widths)) for line in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if any(r.needs_manual for r in results):
        lines.append("* 含待人工评分的题目（学习笔记、简答题），当前按 0 分计")
    if notes:
        lines.append("问题：")
        lines += notes
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:g}"


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))

