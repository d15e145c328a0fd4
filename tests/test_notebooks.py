"""Every notebook has one editable text source; source/ and release/ are generated from it and
from the stage file; every source notebook is a valid nbgrader assignment; release/ is its
faithful, leak-free image; each fact is stated once (COURSE.md §1, §7; issue 8)."""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, kit, solution_ids
from west2ai.mentor.build import (README_BEGIN, README_END, build_stage, check_stage, root_readme, text_sources,
                                  text_stages)
from west2ai.mentor.release import release_check
from west2ai.mentor.scores import graded_cells, tier_of
from west2ai.mentor.stagefile import load_stage

COURSE = kit()
SOURCES = [p for stage in COURSE.stages() for p in COURSE.notebooks(stage)]
IDS = [f"{p.parent.name}/{p.stem}" for p in SOURCES]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN MARK SCHEME", "END MARK SCHEME")


def nbgrader_cells(nb):
    return [(c, c.metadata["nbgrader"]) for c in nb.cells if "nbgrader" in c.metadata]


# ------------------------------------------------------------------ one home per stage
def test_every_stage_home_has_guide_stage_file_and_text_sources():
    assert COURSE.stages(), "source/ 下没有任何阶段"
    assert text_stages(COURSE) == COURSE.stages(), "每个阶段都应在 stageN/ 中有文本源，且只有这些阶段"
    for stage in COURSE.stages():
        home = ROOT / stage
        assert (home / "README.md").is_file(), f"缺少 {stage}/README.md"
        facts = load_stage(home)
        texts = {p.stem for p in text_sources(COURSE, stage)}
        built = {p.stem for p in COURSE.notebooks(stage)}
        assert texts == built, f"{stage}：文本源 {sorted(texts)} 与 source/ 中的 notebook {sorted(built)} 应一一对应"
        assert set(facts.notebooks) == texts, f"{stage}/stage.toml 应为每本 notebook 写一节：{sorted(texts)}"
        for name in texts:
            assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), f"命名不合约定：{name}"


def test_source_and_readme_tables_are_built_from_the_text_sources():
    problems = [p for stage in text_stages(COURSE) for p in check_stage(COURSE, build_stage(COURSE, stage))]
    assert not problems, "请运行 python -m west2ai build：\n" + "\n".join(problems)
    readme, text = root_readme(COURSE)
    assert readme.read_text(encoding="utf-8") == text, "README.md 的仓库地址与 Colab 链接已过期：请运行 python -m west2ai build"


def test_build_check_cli_detects_an_edited_text_source(tmp_path):
    course = _copy_kit(tmp_path, "stage1")
    text = sorted((tmp_path / "stage1").glob("01-*.py"))[0]
    text.write_text(text.read_text(encoding="utf-8").replace("# # ", "# # (edited) ", 1), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "west2ai", "build", "--check"], cwd=course,
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"source/stage1/{text.stem}.ipynb" in out.stdout


def _copy_kit(tmp_path: Path, stage: str) -> Path:
    """A course directory holding one stage's home, source and release, and the kit's config."""
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in (stage, f"source/{stage}", f"release/{stage}"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_a_tier_threshold_changed_in_the_stage_file_changes_test_header_and_readme(tmp_path):
    stage, name = "stage3", "02-cnn-fashion-mnist"
    course = _copy_kit(tmp_path, stage)
    toml = course / stage / "stage.toml"
    text = toml.read_text(encoding="utf-8")
    assert "tiers.good = { threshold = 0.915, points = 3 }" in text
    toml.write_text(text.replace("tiers.good = { threshold = 0.915, points = 3 }",
                                 "tiers.good = { threshold = 0.9123, points = 2 }"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "west2ai", "build", stage], cwd=course, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    nb = nbformat.read(course / "source" / stage / f"{name}.ipynb", as_version=4)
    good = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "tier-good")
    assert "0.9123" in good.source and "0.915" not in good.source
    assert good.metadata["nbgrader"]["points"] == 2
    assert header_points(nb)["tier-good"] == 2
    assert "91.2%" in next(line for line in nb.cells[0].source.splitlines() if "`tier-good`" in line)
    rows = readme_tier_rows(course / stage / "README.md")
    assert rows[(name, "良好")] == ("91.2%", 2.0)
    # ... and the release generated from it carries the new points.
    assert subprocess.run([sys.executable, "-m", "west2ai", "release", "--check", stage], cwd=course,
                          capture_output=True, text=True).returncode == 1


def test_the_repository_address_changed_in_pyproject_changes_setup_cells_clone_line_and_colab_links(tmp_path):
    """A fork points the kit at itself by editing one line (issue 10)."""
    course = _copy_kit(tmp_path, "stage3")
    shutil.copy(ROOT / "README.md", course / "README.md")
    old = "https://github.com/west2-online/west2ai-course"
    fork = "https://github.com/some-student/west2ai-fork"
    pyproject = course / "pyproject.toml"
    assert old in pyproject.read_text(encoding="utf-8")
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(old, fork), encoding="utf-8")
    check = [sys.executable, "-m", "west2ai", "build", "--check", "stage3"]
    stale = subprocess.run(check, cwd=course, capture_output=True, text=True)
    assert stale.returncode == 1 and "README.md" in stale.stdout, stale.stdout + stale.stderr
    out = subprocess.run([sys.executable, "-m", "west2ai", "build", "stage3"], cwd=course, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert subprocess.run(check, cwd=course, capture_output=True, text=True).returncode == 0
    readme = (course / "README.md").read_text(encoding="utf-8")
    assert f"git clone {fork} west2ai" in readme and old not in readme
    assert "colab.research.google.com/github/some-student/west2ai-fork/blob/main/release/stage3/" in readme
    for nb in (course / "source" / "stage3").glob("*.ipynb"):
        setup = nbformat.read(nb, as_version=4).cells[1].source
        assert f"git+{fork}" in setup and old not in setup, f"{nb.name} 的 setup 单元格没有换成新地址"


# ------------------------------------------------------------------ each fact once
def header_points(nb) -> dict[str, float]:
    """``grade_id -> points`` from the rows of the notebook's header table: a row that names a
    graded cell (in backticks) and its points (the row's last cell holding only a number)."""
    known = {c.grade_id for c in graded_cells(nb)}
    out = {}
    for line in nb.cells[0].source.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 2:
            continue
        ids = [m for c in cells for m in re.findall(r"`([a-z0-9-]+)`", c) if m in known]
        numbers = [m for c in cells if (m := re.fullmatch(r"\**(\d+(?:\.\d+)?)\**", c))]
        if ids and numbers:
            assert ids[-1] not in out, f"评分表中 {ids[-1]} 出现了两次"
            out[ids[-1]] = float(numbers[-1].group(1))
    return out


def readme_block(readme: Path) -> str:
    text = readme.read_text(encoding="utf-8")
    assert README_BEGIN in text and README_END in text, f"{readme} 缺少生成区"
    return text.split(README_BEGIN, 1)[1].split(README_END, 1)[0]


def readme_tier_rows(readme: Path) -> dict[tuple[str, str], tuple[str, float]]:
    rows = {}
    for line in readme_block(readme).splitlines():
        m = re.fullmatch(r"\| `([0-9a-z-]+)` \| (及格|良好|优秀) \| .+ \| [≥≤] ([\d.]+%?)(?:，且采样格式分 ≥ \d+%)? \| ([\d.]+) \|",
                     line.strip())
        if m:
            rows[(m.group(1), m.group(2))] = (m.group(3), float(m.group(4)))
    return rows


def readme_notebook_rows(readme: Path) -> dict[str, list[str]]:
    rows = {}
    for line in readme_block(readme).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([0-9a-z-]+)`", cells[0])
        if m and len(cells) == 6:
            rows[m.group(1)] = cells[1:]
    return rows


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_header_table_has_every_graded_cell_with_its_points(path):
    nb = nbformat.read(path, as_version=4)
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and intro.source.startswith("#")
    for word in ("学习目标", "预计"):
        assert word in intro.source, f"首个单元缺少“{word}”"
    cells = {c.grade_id: c.points for c in graded_cells(nb)}
    table = header_points(nb)
    assert set(table) == set(cells), (f"评分表应恰好列出每个评分单元：缺 {sorted(set(cells) - set(table))}，"
                                      f"多 {sorted(set(table) - set(cells))}")
    for gid, pts in cells.items():
        assert table[gid] == pts, f"评分表中 {gid} 写的是 {table[gid]:g} 分，单元格实际 {pts:g} 分"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_tier_cells_follow_the_stage_file(path):
    facts = load_stage(ROOT / path.parent.name).notebook(path.stem)
    nb = nbformat.read(path, as_version=4)
    tiers = {tier_of(c.grade_id): c for c in graded_cells(nb) if tier_of(c.grade_id)}
    assert set(tiers) == {t.key for t in facts.tiers}, f"档位单元应与 stage.toml 一致：{sorted(tiers)}"
    sources = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if "nbgrader" in c.metadata}
    for t in facts.tiers:
        cell = tiers[t.key]
        assert cell.kind == "tests" and cell.points == t.points, f"tier-{t.key} 的分值应为 {t.points:g}"
        assert repr(t.threshold) in sources[f"tier-{t.key}"], f"tier-{t.key} 的隐藏测试应检查阈值 {t.threshold}"
        if facts.param_limit:
            assert f"{facts.param_limit:_}" in sources[f"tier-{t.key}"], f"tier-{t.key} 应检查参数上限"
    if facts.tiers or facts.checkpoint:
        assert facts.budget_seconds, f"{path.stem} 训练模型，stage.toml 应写明 budget_seconds"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_visible_tier_checks_print_the_students_figure(path):
    """What the student sees of a tier cell computes their own figure, prints it with the
    tier reached and the distance to the next, and fails when this cell's tier is missed
    (issue 10: no green tier cell for a tier not reached)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if tier_of(gid):
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            assert re.search(r"\b(tier_progress|check_submission)\(", visible), \
                f"{gid} 的可见部分应调用 tier_progress（或 kaggle.check_submission）给出学生自己的数字与档位"


CJK = re.compile(r"[\u4e00-\u9fff]")
TITLE = re.compile(r"# 阶段[一二三四五六] · \d\d [^\s（：·].*")


def unexplained_asserts(source: str) -> list[str]:
    """The asserts of a cell's code that carry no Chinese message, as 'line N: text'."""
    tree = ast.parse(source)
    return [f"第 {node.lineno} 行：{ast.get_source_segment(source, node)[:80]}" for node in ast.walk(tree)
            if isinstance(node, ast.Assert)
            and not (node.msg and CJK.search(ast.get_source_segment(source, node.msg) or ""))]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_every_assert_in_a_test_cell_says_in_chinese_what_failed(path):
    """A failing check shows the student what was checked and what was found, never a bare
    AssertionError (issue 10): every assert of a test cell, visible or hidden, has a message."""
    nb = nbformat.read(path, as_version=4)
    bare = {}
    for cell, meta in nbgrader_cells(nb):
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            found = unexplained_asserts(cell.source)
            if found:
                bare[meta["grade_id"]] = found
    assert not bare, "这些测试单元格的 assert 缺少中文提示信息：\n" + "\n".join(
        f"  {gid}: {line}" for gid, lines in bare.items() for line in lines)


def test_the_assert_message_check_can_fail():
    assert unexplained_asserts("assert x == 1") and unexplained_asserts("assert x, 'wrong'")
    assert not unexplained_asserts("assert x == 1, f'x 应为 1，实际为 {x}'")


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_notebook_titles_share_one_form(path):
    """Every notebook opens with '# 阶段一 · 01 标题' (issue 10: one form of title)."""
    title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
    assert TITLE.fullmatch(title), f"标题应形如“# 阶段一 · 01 标题”，实际为 {title!r}"
    assert title.split()[3] == path.stem[:2], f"标题中的编号应为 {path.stem[:2]}：{title!r}"


@pytest.mark.parametrize("stage", COURSE.stages())
def test_readme_tables_agree_with_the_stage_file_and_the_cells(stage):
    readme = ROOT / stage / "README.md"
    facts = load_stage(ROOT / stage)
    rows = readme_notebook_rows(readme)
    tier_rows = readme_tier_rows(readme)
    auto_total = manual_total = 0.0
    for path in COURSE.notebooks(stage):
        cells = graded_cells(path)
        auto = sum(c.points for c in cells if c.kind == "tests")
        manual = sum(c.points for c in cells if c.kind == "manual")
        auto_total, manual_total = auto_total + auto, manual_total + manual
        f = facts.notebook(path.stem)
        row = rows[path.stem]
        assert (float(row[0]), float(row[1])) == (auto, manual), f"README 中 {path.stem} 的分值 {row[:2]}"
        if f.budget_seconds:
            assert row[2] == f"{f.budget_seconds:g} s", f"README 中 {path.stem} 的预算 {row[2]}"
        if f.param_limit:
            assert row[3] == f"{f.param_limit:,}"
        for t in f.tiers:
            assert tier_rows[(path.stem, t.label)] == (t.percent, t.points), f"README 中 {path.stem} 的{t.label}档"
    assert len(tier_rows) == sum(len(facts.notebook(p.stem).tiers) for p in COURSE.notebooks(stage))
    total = re.search(r"本阶段合计：自动评分 ([\d.]+) 分 \+ 人工评分 ([\d.]+) 分 = ([\d.]+) 分", readme_block(readme))
    assert total and tuple(map(float, total.groups())) == (auto_total, manual_total, auto_total + manual_total)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_partial_design_names_solutions_and_scores_partially(path):
    design = load_stage(ROOT / path.parent.name).notebook(path.stem).partial
    nb = nbformat.read(path, as_version=4)
    solutions = set(solution_ids(nb))
    assert set(design.keep) <= solutions, f"partial.keep 中不是答案单元的：{sorted(set(design.keep) - solutions)}"
    auto_max = sum(c.points for c in graded_cells(nb) if c.kind == "tests")
    assert 0 < design.score < auto_max, f"{path.stem} 的部分提交应得部分分（0 < {design.score:g} < {auto_max:g}）"


# ------------------------------------------------------------------ lint
def test_ruff_passes_on_text_sources_package_and_tests():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "stage1", "stage2", "stage3", "west2ai", "tests",
                          *[s for s in text_stages(COURSE) if s not in ("stage1", "stage2", "stage3")]],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    checked = subprocess.run([sys.executable, "-m", "ruff", "check", "--show-files", "."], cwd=ROOT,
                             capture_output=True, text=True).stdout
    for path in (text_sources(COURSE, "stage1")[0], ROOT / "west2ai" / "mentor" / "build.py"):
        assert str(path) in checked, f"ruff 没有检查 {path}"


# ------------------------------------------------------------------ nbgrader validity
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


# ------------------------------------------------------------------ release
def test_release_is_in_sync_with_source():
    problems = release_check(COURSE, COURSE.stages())
    assert not problems, "\n".join(problems)


def test_release_check_cli_detects_a_stale_release(tmp_path):
    course = _copy_kit(tmp_path, COURSE.stages()[0])
    victim = sorted((course / "release" / COURSE.stages()[0]).glob("*.ipynb"))[0]
    nb = nbformat.read(victim, as_version=4)
    nb.cells[0].source += "\n(hand edit)"
    nbformat.write(nb, victim)
    # run from inside the course directory: the CLI acts on it (nbgrader's convention)
    out = subprocess.run([sys.executable, "-m", "west2ai", "release", "--check"], cwd=course,
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
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
