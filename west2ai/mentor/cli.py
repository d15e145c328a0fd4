"""Mentor command line: ``python -m west2ai build|release|collect|grade|demo|doctor``.

Every command acts on the course directory given with ``--course``, else on the current
directory when it holds an ``nbgrader_config.py`` (nbgrader's own convention), else on the
kit's checkout.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import Course, CourseError, find_course


def _course(args) -> Course:
    return find_course(args.course)


def _report(problems: list[str], fix: str, ok: str) -> int:
    """Print a ``--check`` verdict: each problem and how to fix it, or that all is well."""
    if problems:
        print(fix)
        for p in problems:
            print("  " + p)
        return 1
    print(ok)
    return 0


def cmd_build(args) -> int:
    from .build import build_stage, check_stage, root_readme, text_stages, write_stage

    course = _course(args)
    stages = course.resolve_stages(args.stages, known=text_stages(course))
    readme = root_readme(course)
    if args.check:
        problems = [p for stage in stages for p in check_stage(course, build_stage(course, stage))]
        if readme and readme[0].read_text(encoding="utf-8") != readme[1]:
            problems.append("README.md：仓库地址与 Colab 链接与 pyproject.toml 不一致")
        return _report(problems, "source/ 或 README 与文本源、stage.toml 不一致（请运行 python -m west2ai build 重新生成）：",
                       f"source/ 与文本源一致：{', '.join(stages)}")
    for stage in stages:
        written = write_stage(build_stage(course, stage))
        for path in written:
            print(f"已生成 {path.relative_to(course.root)}")
        if not written:
            print(f"{stage}：已是最新")
    _refresh_root_readme(course)
    return 0


def _refresh_root_readme(course) -> None:
    """Rewrite the root README's clone line and Colab links (one per release notebook)."""
    from .build import root_readme

    readme = root_readme(course)
    if readme and readme[0].read_text(encoding="utf-8") != readme[1]:
        readme[0].write_text(readme[1], encoding="utf-8")
        print("已更新 README.md 中的仓库地址与 Colab 链接")


def cmd_release(args) -> int:
    from .release import release, release_check

    course = _course(args)
    stages = course.resolve_stages(args.stages)
    if args.check:
        return _report(release_check(course, stages),
                       "release/ 与 source/ 生成的结果不一致（请运行 python -m west2ai release 重新生成）：",
                       f"release/ 与 source/ 一致：{', '.join(stages)}")
    for path in release(course, stages):
        print(f"已生成 {path.relative_to(course.root)}")
    _refresh_root_readme(course)  # a new release notebook gets its Colab link at once
    return 0


def cmd_collect(args) -> int:
    from .collect import collect

    course = _course(args)
    stage = course.resolve_stages([args.stage])[0]
    report = collect(course, stage, Path(args.path), overwrite=args.force)
    print(report.summary())
    return 0 if report.placed and not report.refused else 1


def _sandboxed(args) -> bool:
    """Grade in the sandbox unless ``--no-sandbox``; refuse when the sandbox cannot run."""
    from .sandbox import sandbox_problem

    if args.no_sandbox:
        print("警告：--no-sandbox：评分内核不隔离，学生代码能读写课程目录与成绩库、访问网络。", file=sys.stderr)
        return False
    problem = sandbox_problem()
    if problem:
        raise CourseError(f"无法在沙箱中评分：{problem}。请先解决；确需不隔离地评分时加 --no-sandbox（不安全）")
    return True


def cmd_grade(args) -> int:
    from .grade import grade_class

    course = _course(args)
    stages = course.resolve_stages(args.stages)
    students = args.student or course.students()
    if args.jobs < 1:
        raise CourseError("--jobs 应是正整数")
    if not students:
        print(f"{course.submitted} 下没有学生提交（目录结构：submitted/<学号>/<stageN>/*.ipynb；"
              "可用 python -m west2ai collect 整理收到的文件）")
        return 1
    report = grade_class(course, stages, students, cell_timeout=args.cell_timeout,
                         student_timeout=args.student_timeout, sandboxed=_sandboxed(args), jobs=args.jobs,
                         audit=args.audit_training or None,
                         audit_sample=args.audit_sample if args.audit_training == [] else 0,
                         audit_tolerance=args.audit_tolerance / 100)
    print(report.table())
    print(f"\n反馈 HTML：{report.feedback_dir}")
    print(f"成绩表：{report.grades_csv or '导出失败（见上方问题）'}")
    return 0


def cmd_review(args) -> int:
    from .nbgrader import run_nbgrader
    from .review import release_hold

    course = _course(args)
    stage = course.resolve_stages([args.stage])[0]
    name = args.notebook if args.notebook.endswith(".ipynb") else f"{args.notebook}.ipynb"
    n = release_hold(course, args.student, stage, name)
    print(f"已放行 {args.student}/{stage}/{name}：{n} 个自动评分单元格恢复为自动评分的分数（记录在 reviewed.json）")
    exported = run_nbgrader(course.root, "export", "--to", str(course.root / "grades.csv"))
    print(f"成绩表：{course.root / 'grades.csv' if exported.ok else '导出失败：' + exported.log[-500:]}")
    return 0 if exported.ok else 1


def cmd_demo(args) -> int:
    from .demo import run_demo

    course = _course(args)
    stages = course.resolve_stages(args.stages or ["stage1"])
    report, checks = run_demo(course, stages, args.workdir, cell_timeout=args.cell_timeout,
                              checkpoints=args.checkpoints, sandboxed=_sandboxed(args))
    print(report.table())
    print()
    for check in checks:
        print(check.line())
    print(f"\n演示课程目录：{report.course.root}")
    print(f"反馈 HTML：{report.feedback_dir}")
    print(f"成绩表：{report.grades_csv}")
    return 0 if all(c.ok for c in checks) else 1


def cmd_doctor(args) -> int:
    from .doctor import run_doctor

    return run_doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m west2ai", description="西二在线 AI 课程：导师工具")
    parser.add_argument("--course", help="课程目录（含 nbgrader_config.py）；默认为当前目录（若含该文件），否则为本仓库")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="由各阶段的文本源（stageN/NN-name.py）与 stage.toml 生成 source/ 与 README 表格")
    p.add_argument("stages", nargs="*", help="阶段，如 stage1 或 1；默认全部")
    p.add_argument("--check", action="store_true", help="只检查 source/ 与 README 是否为最新")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("release", help="由 source/ 生成学生版 release/")
    p.add_argument("stages", nargs="*", help="阶段，如 stage1 或 1；默认全部")
    p.add_argument("--check", action="store_true", help="只检查 release/ 是否与 source/ 一致")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("collect", help="把收到的作业（zip 或文件夹）整理到 submitted/<学号>/<stageN>/")
    p.add_argument("stage", help="这批作业所属的阶段，如 stage1 或 1")
    p.add_argument("path", help="zip 文件或文件夹：nbgrader zip_collect 的布局，或平铺的 <学号>_<notebook>.ipynb")
    p.add_argument("--force", action="store_true", help="覆盖 submitted/ 中已有的同名文件")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("grade", help="自动评分 submitted/ 下的全部提交，生成反馈与 grades.csv")
    p.add_argument("stages", nargs="*")
    p.add_argument("--student", action="append", help="只评这些学生（可重复）")
    p.add_argument("--cell-timeout", type=int, help="单个单元格的时间上限（秒）")
    p.add_argument("--student-timeout", type=float, default=1800, help="一名学生一个阶段的时间上限（秒）")
    p.add_argument("--jobs", "-j", type=int, default=1,
                   help="同时评几份（学生×阶段）；CPU 核平均分给各份，默认 1")
    p.add_argument("--audit-training", nargs="*", metavar="学号",
                   help="评分后在沙箱中从零重训这些学生的模型 notebook（不写学号则随机抽 --audit-sample 名），"
                        "重训成绩比提交的检查点低出容差以上时暂扣该 notebook 的分数待复核")
    p.add_argument("--audit-sample", type=int, default=1, help="--audit-training 不写学号时随机抽查的人数，默认 1")
    p.add_argument("--audit-tolerance", type=float, default=2.0, help="重训准确率可低于提交模型的百分点数，默认 2")
    p.add_argument("--no-sandbox", action="store_true", help="不用 bubblewrap 隔离评分内核（不安全，仅在无法使用沙箱时）")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("review", help="复核后放行被篡改扫描暂扣的自动评分")
    p.add_argument("stage", help="阶段，如 stage1 或 1")
    p.add_argument("student", help="学号")
    p.add_argument("notebook", help="notebook 文件名，如 01-python-basics.ipynb")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("demo", help="演示：发布、提交三名示例学生、评分并打印成绩表")
    p.add_argument("stages", nargs="*", help="默认 stage1")
    p.add_argument("--workdir", help="演示课程目录（默认新建临时目录）")
    p.add_argument("--cell-timeout", type=int)
    p.add_argument("--checkpoints", help="目录：<stageN>/ 下的文件（如训练好的 *.pt）随 reference 学生一起提交，评分时直接加载")
    p.add_argument("--no-sandbox", action="store_true", help="不用 bubblewrap 隔离评分内核")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("doctor", help="检查版本、数据集与浏览器驱动")
    p.set_defaults(func=cmd_doctor)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
