"""Where things are: the course directory, its stages and notebooks.

A course directory holds ``nbgrader_config.py`` (nbgrader's own convention), ``source/``,
``release/`` and, once students hand in, ``submitted/``. The kit's checkout is one; a mentor
may keep another (``python -m west2ai`` acts on the current directory when it holds an
``nbgrader_config.py``). Stage homes (``stageN/``: guide, stage file, text sources) exist
only in the kit's checkout.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

# Files a notebook writes next to itself (checkpoints, crawled data). In source/ they would
# be copied into the release and, worse, overwrite students' own files while autograding.
GENERATED = ("*.pt", "*.pt2", "*.npz", "*.csv", ".ipynb_checkpoints", "__pycache__")
CONFIG = "nbgrader_config.py"


class CourseError(RuntimeError):
    """A mentor-facing problem with the course directory or a command."""


def repo_root() -> Path:
    """The course kit checkout this package lives in (holds nbgrader_config.py)."""
    return Path(__file__).resolve().parents[2]


def find_course(explicit: str | Path | None = None, cwd: Path | None = None) -> Course:
    """The course to act on: ``explicit``, else the current directory when it holds an
    ``nbgrader_config.py``, else the kit's checkout."""
    if explicit:
        return Course(Path(explicit))
    cwd = Path.cwd() if cwd is None else Path(cwd)
    if (cwd / CONFIG).is_file():
        return Course(cwd)
    return Course(repo_root())


@dataclass
class Course:
    root: Path

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if not (self.root / CONFIG).is_file():
            raise CourseError(f"{self.root} 不是课程目录：缺少 {CONFIG}")

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    def home(self, stage: str) -> Path:
        """The stage's home folder (guide, stage file, text sources)."""
        return self.root / stage

    def stages(self) -> list[str]:
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and p.name.startswith("stage"))

    def notebooks(self, stage: str) -> list[Path]:
        return sorted((self.source / stage).glob("*.ipynb"))

    def resolve_stages(self, names, known: list[str] | None = None) -> list[str]:
        """Accept ``stage1``, ``1`` or nothing (all stages); refuse unknown names."""
        known = self.stages() if known is None else known
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

    def stray_files(self, stage: str) -> list[Path]:
        """Generated files lying in source/<stage> (they must not be there)."""
        folder = self.source / stage
        return sorted(p for pattern in GENERATED[:4] for p in folder.rglob(pattern))


def scratch_course(course: Course, where: Path, stages: list[str]) -> Course:
    """A copy of the course's config and the given stages' source in ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.root / CONFIG, where / CONFIG)
    for stage in stages:
        shutil.copytree(course.source / stage, where / "source" / stage,
                        ignore=shutil.ignore_patterns(*GENERATED), dirs_exist_ok=True)
    return Course(where)
