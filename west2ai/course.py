"""A course directory and the nbgrader steps the mentor CLI runs on it.

Every nbgrader step runs as its own ``python -m nbgrader …`` process in the course root, so
nbgrader reads ``nbgrader_config.py`` exactly as when a mentor types the command, and a
submission that hangs or crashes cannot take the mentor's process down with it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Files a notebook writes next to itself (checkpoints, crawled data). In source/ they would
# be copied into the release and, worse, overwrite students' own files while autograding.
GENERATED = ("*.pt", "*.npz", "*.csv", ".ipynb_checkpoints", "__pycache__")

TIERS = (("pass", "及格"), ("good", "良好"), ("excellent", "优秀"))
TIER_ID = re.compile(r"tier-(pass|good|excellent)$")


class CourseError(RuntimeError):
    """A mentor-facing problem with the course directory or a command."""


def repo_root() -> Path:
    """The course kit checkout this package lives in (holds nbgrader_config.py)."""
    return Path(__file__).resolve().parent.parent


@dataclass
class StepResult:
    ok: bool
    log: str
    timed_out: bool = False


@dataclass
class Course:
    root: Path

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise CourseError(f"{self.root} 不是课程目录：缺少 nbgrader_config.py")

    # ---------------------------------------------------------------- layout
    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    def stages(self) -> list[str]:
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and p.name.startswith("stage"))

    def notebooks(self, stage: str) -> list[Path]:
        return sorted((self.source / stage).glob("*.ipynb"))

    def resolve_stages(self, names) -> list[str]:
        """Accept ``stage1``, ``1`` or nothing (all stages); refuse unknown names."""
        known = self.stages()
        if not names:
            return known
        out = []
        for name in names:
            stage = name if str(name).startswith("stage") else f"stage{name}"
            if stage not in known:
                raise CourseError(f"未知阶段 {name!r}；可选：{', '.join(known) or '（source/ 为空）'}")
            out.append(stage)
        return out

    def students(self) -> list[str]:
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if p.is_dir() and not p.name.startswith("."))

    # ---------------------------------------------------------------- nbgrader
    def nbgrader(self, *args: str, timeout: float | None = None, env: dict | None = None) -> StepResult:
        """Run one nbgrader command in the course root; never raises on its failure."""
        cmd = [sys.executable, "-m", "nbgrader", *args]
        full_env = {**os.environ, **(env or {})}
        full_env.pop("NBGRADER_EXECUTION", None)
        proc = subprocess.Popen(cmd, cwd=self.root, env=full_env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # Kill nbgrader and everything in its session; a kernel left behind notices
            # that its parent is gone and exits by itself.
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            return StepResult(False, out, timed_out=True)
        return StepResult(proc.returncode == 0, out)

    def stray_files(self, stage: str) -> list[Path]:
        """Generated files lying in source/<stage> (they must not be there)."""
        folder = self.source / stage
        return sorted(p for pattern in GENERATED[:3] for p in folder.rglob(pattern))

    def generate_release(self, stage: str, db: bool = True) -> None:
        stray = self.stray_files(stage)
        if stray:
            raise CourseError(
                f"source/{stage} 中有运行 notebook 时生成的文件：{', '.join(p.name for p in stray)}。"
                "它们会被复制进 release，并在自动评分时覆盖学生自己的文件：请先删除。")
        args = ["generate_assignment", stage, "--force"]
        if not db:
            args.append("--no-db")
        res = self.nbgrader(*args)
        if not res.ok:
            raise CourseError(f"nbgrader generate_assignment {stage} 失败：\n{res.log[-3000:]}")


# -------------------------------------------------------------------- release check
def release_check(course: Course, stages: list[str]) -> list[str]:
    """Regenerate release/ from source/ in a temporary copy; return the differing files."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="west2ai-release-") as tmp:
        tmp_course = _scratch_course(course, Path(tmp), stages)
        for stage in stages:
            tmp_course.generate_release(stage, db=False)
            fresh, committed = tmp_course.release / stage, course.release / stage
            names = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
            if committed.is_dir():
                names |= {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
            for rel in sorted(names):
                a, b = fresh / rel, committed / rel
                if not b.exists():
                    problems.append(f"release/{stage}/{rel}：缺失（source 会生成它）")
                elif not a.exists():
                    problems.append(f"release/{stage}/{rel}：多余（source 中没有对应文件）")
                elif a.suffix == ".ipynb":
                    if json.loads(a.read_text(encoding="utf-8")) != json.loads(b.read_text(encoding="utf-8")):
                        problems.append(f"release/{stage}/{rel}：与 source 生成的内容不一致")
                elif a.read_bytes() != b.read_bytes():
                    problems.append(f"release/{stage}/{rel}：与 source 中的文件不一致")
    return problems


def _scratch_course(course: Course, where: Path, stages: list[str]) -> Course:
    """A copy of the course's config and the given stages' source in ``where``."""
    shutil.copy(course.root / "nbgrader_config.py", where / "nbgrader_config.py")
    for stage in stages:
        shutil.copytree(course.source / stage, where / "source" / stage,
                        ignore=shutil.ignore_patterns(*GENERATED))
    return Course(where)


def release(course: Course, stages: list[str]) -> list[Path]:
    """Generate release/ from source/ (and record the assignments in the gradebook)."""
    written = []
    for stage in stages:
        course.generate_release(stage)
        written += sorted((course.release / stage).glob("*.ipynb"))
    return written


# -------------------------------------------------------------------- notebook facts
@dataclass
class GradedCell:
    grade_id: str
    points: float
    kind: str  # "tests" (autograded) or "manual"


def graded_cells(path: Path) -> list[GradedCell]:
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            kind = "tests" if cell.cell_type == "code" and not meta.get("solution") else "manual"
            out.append(GradedCell(meta["grade_id"], float(meta.get("points", 0)), kind))
    return out


def tier_of(grade_id: str) -> str | None:
    m = TIER_ID.search(grade_id)
    return m.group(1) if m else None


@dataclass
class NotebookScore:
    notebook: str
    score: float
    max_score: float
    auto_score: float
    auto_max: float
    needs_manual: bool
    tiers: dict[str, bool] = field(default_factory=dict)  # tier -> full points reached

    @property
    def tier_reached(self) -> str | None:
        reached = None
        for key, label in TIERS:
            if key in self.tiers:
                if not self.tiers[key]:
                    break
                reached = label
        return reached
