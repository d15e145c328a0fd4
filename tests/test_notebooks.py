"""Every source notebook is a valid nbgrader assignment, and release/ is its faithful,
leak-free image (COURSE.md §7)."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from west2ai.course import Course, graded_cells, release_check, repo_root

ROOT = repo_root()
COURSE = Course(ROOT)
SOURCES = [p for stage in COURSE.stages() for p in COURSE.notebooks(stage)]
IDS = [f"{p.parent.name}/{p.stem}" for p in SOURCES]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN MARK SCHEME", "END MARK SCHEME")


def nbgrader_cells(nb):
    return [(c, c.metadata["nbgrader"]) for c in nb.cells if "nbgrader" in c.metadata]


def test_every_stage_has_notebooks_and_a_guide():
    assert COURSE.stages(), "source/ 下没有任何阶段"
    for stage in COURSE.stages():
        assert COURSE.notebooks(stage), f"source/{stage} 没有 notebook"
        assert (ROOT / stage / "README.md").is_file(), f"缺少 {stage}/README.md"
        for nb in COURSE.notebooks(stage):
            assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", nb.name), f"命名不合约定：{nb.name}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_source_notebook_is_valid_for_nbgrader(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [meta["grade_id"] for _, meta in nbgrader_cells(nb)]
    assert len(ids) == len(set(ids)), f"重复的 grade_id：{sorted({i for i in ids if ids.count(i) > 1})}"
    n_tests = 0
    for cell, meta in nbgrader_cells(nb):
        gid = meta["grade_id"]
        assert meta.get("schema_version") == 3, gid
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", gid), f"grade_id 应为小写连字符：{gid}"
        if meta.get("grade"):
            assert meta.get("points", 0) > 0, f"{gid} 没有分值"
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, gid
        if meta.get("grade") and not meta.get("solution"):
            n_tests += 1
            assert cell.cell_type == "code" and meta.get("locked"), f"{gid} 应为锁定的代码测试单元"
            tree = ast.parse(cell.source)
            assert tree.body and not isinstance(tree.body[-1], ast.Expr), (
                f"{gid} 不应以表达式结尾（nbgrader 会把结尾的数字当作部分分），请以 assert 结尾")
            assert any(isinstance(node, ast.Assert) for node in ast.walk(tree)), f"{gid} 没有 assert"
        if meta.get("grade") and meta.get("solution"):
            assert cell.cell_type == "markdown", f"{gid}：人工评分单元应为 markdown"
            assert "=== BEGIN MARK SCHEME ===" in cell.source, f"{gid} 缺少评分标准"
    assert n_tests > 0, "没有自动评分的测试单元"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_notebook_header_states_goals_points_and_budget(path):
    nb = nbformat.read(path, as_version=4)
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and intro.source.startswith("#")
    for word in ("学习目标", "预计"):
        assert word in intro.source, f"首个单元缺少“{word}”"
    assert "|" in intro.source, "首个单元应有分值表"
    total = sum(c.points for c in graded_cells(path))
    assert f"{total:g}" in intro.source, f"分值表应写明总分 {total:g}"


def test_release_is_in_sync_with_source():
    problems = release_check(COURSE, COURSE.stages())
    assert not problems, "\n".join(problems)


def test_release_check_cli_detects_a_stale_release(tmp_path):
    import shutil

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    stage = COURSE.stages()[0]
    shutil.copytree(ROOT / "source" / stage, tmp_path / "source" / stage)
    shutil.copytree(ROOT / "release" / stage, tmp_path / "release" / stage)
    victim = sorted((tmp_path / "release" / stage).glob("*.ipynb"))[0]
    nb = nbformat.read(victim, as_version=4)
    nb.cells[0].source += "\n(hand edit)"
    nbformat.write(nb, victim)
    out = subprocess.run([sys.executable, "-m", "west2ai", "--course", str(tmp_path), "release", "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert victim.name in out.stdout


def _split_lines(nb) -> tuple[set[str], set[str]]:
    """(secret, public): stripped lines inside/outside solution, hidden-test and mark-scheme
    regions of a source notebook."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if any(m in line for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME")):
                inside = True
            elif any(m in line for m in ("END SOLUTION", "END HIDDEN TESTS", "END MARK SCHEME")):
                inside = False
            else:
                (secret if inside else public).add(line.strip())
    return secret, public


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_release_leaks_no_solution_hidden_test_or_mark_scheme(path):
    release = ROOT / "release" / path.parent.name / path.name
    assert release.is_file(), f"缺少 {release}"
    text = release.read_text(encoding="utf-8")
    for marker in MARKERS:
        assert marker not in text, f"{release.name} 含有 {marker}"
    secret, public = _split_lines(nbformat.read(path, as_version=4))
    shown = {line.strip() for c in nbformat.read(release, as_version=4).cells for line in c.source.splitlines()}
    leaked = sorted(line for line in secret - public if len(line) >= 12 and line in shown)
    assert not leaked, f"{release.name} 泄露了答案/隐藏测试：{leaked[:3]}"
