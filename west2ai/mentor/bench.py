"""Benchmark of parallel grading: one class of stage-1 submissions graded with ``--jobs 1``
and with ``--jobs N``, in the sandbox, as ``grade`` does it; prints both times, the speed-up
and whether the grades are the same::

    python -m west2ai.mentor.bench            # 8 submissions, --jobs 2
    python -m west2ai.mentor.bench --students 12 --jobs 3

The class mixes the demo's three students (reference, blank, partial) as a real class
would. Run it on a machine that is otherwise idle: it measures wall-clock time.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .course import Course, find_course, scratch_course
from .demo import build_class
from .grade import cell_scores, grade_class
from .release import generate_release

STAGE = "stage1"
KINDS = ("reference", "blank", "partial")


@dataclass
class BenchResult:
    students: int
    jobs: int
    serial_seconds: float
    parallel_seconds: float
    same_grades: bool

    @property
    def speedup(self) -> float:
        return self.serial_seconds / self.parallel_seconds

    def summary(self) -> str:
        return (f"{self.students} 份 {STAGE} 提交：--jobs 1 用时 {self.serial_seconds:.1f} s，"
                f"--jobs {self.jobs} 用时 {self.parallel_seconds:.1f} s，加速 {self.speedup:.2f}×；"
                f"两次成绩{'完全一致' if self.same_grades else '不一致！'}")


def make_class(kit: Course, where: Path, students: int) -> Course:
    """A course holding ``students`` stage-1 submissions (reference, blank, partial in turn)."""
    course = scratch_course(kit, where, [STAGE])
    generate_release(course, STAGE)
    build_class(course, [STAGE], facts_from=kit)
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        shutil.copytree(course.submitted / kind / STAGE, course.submitted / f"s{i + 1:02d}" / STAGE)
    for kind in KINDS:
        shutil.rmtree(course.submitted / kind)
    return course


def run_bench(students: int = 8, jobs: int = 2, workdir: Path | None = None) -> BenchResult:
    where = Path(workdir or tempfile.mkdtemp(prefix="west2ai-bench-"))
    prepared = make_class(find_course(), where / "class", students)
    timings, grades = {}, {}
    for n in (1, jobs):
        course = Course(shutil.copytree(prepared.root, where / f"jobs{n}"))
        start = time.perf_counter()
        report = grade_class(course, [STAGE], jobs=n, progress=False)
        timings[n] = time.perf_counter() - start
        grades[n] = {s: cell_scores(course.root, STAGE, s) for s in course.students()}
        if any(r.problems for r in report.results):
            raise RuntimeError(f"grading with --jobs {n} met problems:\n{report.table()}")
    return BenchResult(students, jobs, timings[1], timings[jobs], grades[1] == grades[jobs])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    result = run_bench(args.students, args.jobs)
    print(result.summary())
    return 0 if result.same_grades else 1


if __name__ == "__main__":
    raise SystemExit(main())
