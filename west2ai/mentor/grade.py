"""Grade a whole class: autograde every submission, write feedback and grades.csv, and
build the student × stage table. One broken submission is reported and the rest go on."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from .course import Course, repo_root
from .audit import DEFAULT_TOLERANCE, audit_submission, choose
from .judge import Verdict, annotate_feedback, judge_stage
from .nbgrader import StepResult, last_error, run_nbgrader
from .release import record_in_gradebook
from .repair import repair_file
from .review import hold, is_released
from .sandbox import ENV as SANDBOX_ENV
from .sandbox import Sandbox, grading_sandbox, sweep
from .scores import NotebookScore, StageResult, graded_cells, tier_of
from .tamper import Finding, scan

DEFAULT_STUDENT_TIMEOUT = 1800  # seconds for one student's stage, all notebooks together
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


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
                         student_timeout: float = DEFAULT_STUDENT_TIMEOUT,
                         sandbox: Sandbox | None = None, threads: int | None = None) -> tuple[list[str], list[Verdict]]:
    """Autograde one student's stage; return the problems met (empty when all went well)
    and the mentor-side verdicts on its models.

    The whole stage is graded in one nbgrader run. If that run fails (a malformed notebook,
    a kernel that cannot be interrupted), each notebook is graded on its own so that only the
    broken one is lost, and the reason is reported. Then the models the notebooks exported
    are judged outside the kernel (``judge.py``), and their tier scores replace the kernel's.
    """
    threads = threads or _cores()
    env = {name: str(threads) for name in THREAD_VARIABLES}
    if cell_timeout:
        env["WEST2AI_CELL_TIMEOUT"] = str(cell_timeout)
    if sandbox is not None:
        env[SANDBOX_ENV] = sandbox.to_env()
    problems = []
    folder = course.submitted / student / stage
    expected = [p.name for p in course.notebooks(stage)]
    flagged: dict[str, list[Finding]] = {}
    for name in expected:
        path = folder / name
        if not path.exists():
            problems.append(f"缺交 {name}，该 notebook 计 0 分")
            continue
        reason = _check_notebook_file(path)
        if reason:
            problems.append(reason)
            continue
        problems += [f"{name}：{note}" for note in repair_file(path, course.source / stage / name)]
        if not is_released(course, student, stage, name):
            findings = scan(path, course.source / stage / name)
            if findings:
                flagged[name] = findings
    args = ["autograde", stage, "--student", student, "--create", "--force"]

    def autograde(*extra: str) -> StepResult:
        try:
            return run_nbgrader(course.root, *args, *extra, timeout=student_timeout, env=env)
        finally:
            if sandbox is not None:
                sweep(sandbox)

    res = autograde()
    if not res.ok:
        submitted = [name for name in expected if (folder / name).exists()]
        if len(submitted) <= 1:
            failures = [(name, res) for name in submitted]
        else:
            failures = [(name, autograde("--notebook", Path(name).stem)) for name in submitted]
        for name, one in failures:
            if not one.ok and not any(p.startswith(name) for p in problems):
                problems.append(f"{name} 无法自动评分（{_failure(one)}），该 notebook 计 0 分")
    verdicts = judge_stage(course, stage, student, sandbox, threads)
    # After the last autograde run (a rerun would overwrite the hold): points wait for review.
    for name, findings in flagged.items():
        hold(course, student, stage, name)
        problems += [f.line() for f in findings]
        problems.append(f"{name} 的自动评分暂按 0 分计；复核后放行：python -m west2ai review {stage} {student} {name}")
    return problems, verdicts


def _cores() -> int:
    """The cores this process may use (all of them where the system cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _failure(res: StepResult) -> str:
    return "超出时间上限" if res.timed_out else last_error(res.log)


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
            cells = graded_cells(src)
            kinds = {c.grade_id: c.kind for c in cells}
            try:
                nb = gb.find_submission_notebook(src.stem, stage, student)
            except MissingEntry:
                auto_max = sum(c.points for c in cells if c.kind == "tests")
                total = sum(c.points for c in cells)
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


def grade_submission(course: Course, stage: str, student: str, cell_timeout: int | None = None,
                     student_timeout: float = DEFAULT_STUDENT_TIMEOUT, sandbox: Sandbox | None = None,
                     threads: int | None = None) -> StageResult:
    """Autograde one student's stage, judge its models, write its feedback; its scores."""
    result = StageResult(student, stage)
    if not (course.submitted / student / stage).is_dir():
        result.problems.append("未提交该阶段")
    else:
        start = time.perf_counter()
        problems, verdicts = autograde_submission(course, stage, student, cell_timeout, student_timeout,
                                                  sandbox, threads)
        result.problems += problems
        result.models = verdicts
        result.seconds = time.perf_counter() - start
        fb = run_nbgrader(course.root, "generate_feedback", stage, "--student", student, "--force")
        if not fb.ok and (course.autograded / student / stage).is_dir():
            result.problems.append("反馈 HTML 生成失败：" + last_error(fb.log))
        annotate_feedback(course, stage, student, verdicts)
    result.notebooks = read_scores(course, stage, student)
    return result


def grade_class(course: Course, stages: list[str], students: list[str] | None = None,
                cell_timeout: int | None = None,
                student_timeout: float = DEFAULT_STUDENT_TIMEOUT,
                progress: bool = True, sandboxed: bool = True, jobs: int = 1,
                audit: list[str] | None = None, audit_sample: int = 0,
                audit_tolerance: float = DEFAULT_TOLERANCE) -> ClassReport:
    """Autograde, write feedback and grades.csv, and return the report.

    Every grading kernel runs in the sandbox of ``sandbox.py`` unless ``sandboxed`` is False
    (the mentor's ``--no-sandbox``). ``jobs`` student×stage submissions are graded at once,
    each with its share of the cores (``OMP_NUM_THREADS`` and torch's threads), so that
    parallel kernels do not thrash. Then the students in ``audit`` (or a random sample of
    ``audit_sample``) have their model notebooks re-trained from scratch (``audit.py``)."""
    sandbox = grading_sandbox(course.root, repo_root()) if sandboxed else None
    record_in_gradebook(course, stages)  # every stage's cells, without touching release/
    students = students or course.students()
    tasks = [(s, st) for s in students for st in stages]
    jobs = max(1, min(jobs, len(tasks) or 1))
    threads = max(1, _cores() // jobs)  # each job's share of the cores (torch, BLAS)

    def one(task: tuple[str, str]) -> StageResult:
        student, stage = task
        # each job its own sandbox run: its sweep must not touch another job's kernels
        own = sandbox.fresh() if sandbox else None
        return grade_submission(course, stage, student, cell_timeout, student_timeout, own, threads)

    bar = tqdm(total=len(tasks), desc=f"autograde ×{jobs}", unit="份", disable=not progress)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, task) for task in tasks]
        for future in as_completed(futures):
            bar.update(1)
            bar.set_postfix_str(f"{future.result().student}/{future.result().stage}")
    bar.close()
    results = [f.result() for f in futures]  # in task order, whatever order they finished in
    if audit or audit_sample:
        chosen = set(choose(students, audit, audit_sample))
        for result in results:
            if result.student in chosen and result.models:
                result.audits = audit_submission(course, result.stage, result.student, result.models, sandbox,
                                                 _cores(), audit_tolerance)
                result.notebooks = read_scores(course, result.stage, result.student)
    _enrol(course, students)  # a student who handed in nothing still gets a row of zeros
    exported = run_nbgrader(course.root, "export", "--to", str(course.root / "grades.csv"))
    csv = course.root / "grades.csv" if exported.ok else None
    return ClassReport(course, results, csv, course.feedback)


def _enrol(course: Course, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for student in students:
            gb.update_or_create_student(student)


def format_table(results: list[StageResult]) -> str:
    """Student × stage: score / max, with the tiers reached, then any problems."""
    import pandas as pd

    rows = {}
    for r in results:
        cell = f"{r.score:g}/{r.max_score:g}" + ("*" if r.needs_manual else "")
        if r.tier_summary():
            cell += f" ({r.tier_summary()})"
        rows.setdefault(r.student, {})[r.stage] = cell
    table = pd.DataFrame.from_dict(rows, orient="index").sort_index().sort_index(axis=1).fillna("-")
    for student in table.index:
        mine = [r for r in results if r.student == student]
        table.loc[student, "总分"] = f"{sum(r.score for r in mine):g}/{sum(r.max_score for r in mine):g}"
    table = table.rename_axis("学生").reset_index()
    with pd.option_context("display.unicode.east_asian_width", True):
        lines = [table.to_string(index=False)]
    if any(r.needs_manual for r in results):
        lines.append("* 含待人工评分的题目（学习笔记、简答题），当前按 0 分计")
    ordered = sorted(results, key=lambda r: (r.student, r.stage))
    notes = [f"  {r.student}/{r.stage}: {p}" for r in ordered for p in r.problems]
    models = [f"  {r.student}/{r.stage}: {m.line()}" for r in ordered for m in r.models]
    if models:
        lines += ["模型评测（导师端，档位分以此为准）：", *models]
    audits = [f"  {a.line()}" for r in ordered for a in r.audits]
    if audits:
        lines += ["训练复现审计：", *audits]
    if notes:
        lines += ["问题：", *notes]
    return "\n".join(lines)
