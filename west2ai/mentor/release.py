"""``source/`` → ``release/`` through nbgrader, and the check that they agree."""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from .course import Course, CourseError, scratch_course
from .nbgrader import run_nbgrader

# Where ``grade`` lets nbgrader write the release it must generate to fill the gradebook, so
# the tracked release/ is never rewritten as a side effect of grading.
SCRATCH_RELEASE = ".west2ai-release"


def generate_release(course: Course, stage: str, db: bool = True, into: str = "release") -> None:
    """``nbgrader generate_assignment`` for one stage (``into``: the release folder name)."""
    stray = course.stray_files(stage)
    if stray:
        raise CourseError(
            f"source/{stage} 中有运行 notebook 时生成的文件：{', '.join(p.name for p in stray)}。"
            "它们会被复制进 release，并在自动评分时覆盖学生自己的文件：请先删除。")
    args = ["generate_assignment", stage, "--force", f"--CourseDirectory.release_directory={into}"]
    if not db:
        args.append("--no-db")
    res = run_nbgrader(course.root, *args)
    if not res.ok:
        raise CourseError(f"nbgrader generate_assignment {stage} 失败：\n{res.log[-3000:]}")


def release(course: Course, stages: list[str]) -> list[Path]:
    """Generate release/ from source/ (and record the assignments in the gradebook)."""
    written = []
    for stage in stages:
        generate_release(course, stage)
        written += sorted((course.release / stage).glob("*.ipynb"))
    return written


def record_in_gradebook(course: Course, stages: list[str]) -> None:
    """Record every stage's graded cells in the gradebook without touching release/."""
    try:
        for stage in stages:
            generate_release(course, stage, into=SCRATCH_RELEASE)
    finally:
        shutil.rmtree(course.root / SCRATCH_RELEASE, ignore_errors=True)


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def compare_folders(fresh: Path, committed: Path, label: str) -> list[str]:
    """Byte-for-byte differences between a freshly generated folder and the committed one."""
    problems = []
    for rel in sorted(_files(fresh) | _files(committed)):
        a, b = fresh / rel, committed / rel
        if not b.exists():
            problems.append(f"{label}/{rel}：缺失（应由生成步骤写出）")
        elif not a.exists():
            problems.append(f"{label}/{rel}：多余（生成步骤不会写出它）")
        elif not filecmp.cmp(a, b, shallow=False):
            problems.append(f"{label}/{rel}：与重新生成的内容不一致")
    return problems


def release_check(course: Course, stages: list[str]) -> list[str]:
    """Regenerate release/ from source/ in a temporary copy; return the differing files."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="west2ai-release-") as tmp:
        tmp_course = scratch_course(course, Path(tmp), stages)
        for stage in stages:
            generate_release(tmp_course, stage, db=False)
            problems += compare_folders(tmp_course.release / stage, course.release / stage,
                                        f"release/{stage}")
    return problems
