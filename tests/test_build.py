"""The build step on small made-up stages: placeholders, the tier template, and clear errors
for bad input (west2ai.mentor.build, west2ai.mentor.stagefile)."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT
from west2ai.mentor.build import README_BEGIN, README_END, build_stage, write_stage
from west2ai.mentor.course import Course, CourseError
from west2ai.mentor.stagefile import load_stage

TEXT = '''\
# %% [markdown] nbgrader={"grade": false, "grade_id": "intro", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # 小测验
#
# | 单元 | 分值 |
# |---|---|
# | `add-test` | 2 |
# {{tier_rows}}
#
# 共 {{points.auto}} 分；参数上限 {{param_limit}}；预算 {{budget_minutes}} 分钟。

# %%
LIMIT = "{{param_limit}}"  # {{checkpoint}}

# %% nbgrader={"grade": true, "grade_id": "add-test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
assert 1 + 1 == 2

# %% nbgrader={"grade": true, "grade_id": "tier", "locked": true, "schema_version": 3, "solution": false, "task": false} west2ai={"expand": "tiers"}
# {{tier.label}}
assert 0.95 >= "{{tier.threshold}}", "{{tier.label}}"
'''

TOML = '''\
[notebooks.01-quiz]
budget_seconds = 120
checkpoint = "quiz.pt"
param_limit = 12_345
metric = "准确率"
export = "quiz.pt2"
evaluate = "fashion-mnist-test"
partial = { keep = [], score = 1 }
tiers.pass = { threshold = 0.5, points = 1 }
tiers.excellent = { threshold = 0.9, points = 3 }
'''


@pytest.fixture
def course(tmp_path):
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    home = tmp_path / "stage9"
    home.mkdir()
    (home / "01-quiz.py").write_text(TEXT, encoding="utf-8")
    (home / "stage.toml").write_text(TOML, encoding="utf-8")
    (home / "README.md").write_text(f"# 阶段九\n\n{README_BEGIN}\n{README_END}\n\n尾注\n", encoding="utf-8")
    return Course(tmp_path)


def built_notebook(course):
    import nbformat

    write_stage(build_stage(course, "stage9"))
    return nbformat.read(course.source / "stage9" / "01-quiz.ipynb", as_version=4)


def test_placeholders_and_the_tier_template(course):
    nb = built_notebook(course)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids == ["intro", None, "add-test", "tier-pass", "tier-excellent"]
    assert [c.id for c in nb.cells] == ["intro", "cell-01", "add-test", "tier-pass", "tier-excellent"]
    intro = nb.cells[0].source
    assert "| `tier-pass` | 及格：准确率 ≥ 50.0% | 1 |" in intro and "| `tier-excellent` | 优秀：准确率 ≥ 90.0% | 3 |" in intro
    assert "共 6 分；参数上限 12,345；预算 2 分钟。" in intro
    assert nb.cells[1].source == 'LIMIT = 12_345  # quiz.pt'
    assert nb.cells[4].source == '# 优秀\nassert 0.95 >= 0.9, "优秀"'
    assert nb.cells[4].metadata["nbgrader"]["points"] == 3 and nb.cells[4].metadata["editable"] is False
    assert "west2ai" not in nb.cells[4].metadata and "jupytext" not in nb.metadata
    readme = (course.root / "stage9" / "README.md").read_text(encoding="utf-8")
    assert "| `01-quiz` | 6 | 0 | 120 s | 12,345 | `quiz.pt` |" in readme and readme.endswith("尾注\n")
    assert "本阶段合计：自动评分 6 分 + 人工评分 0 分 = 6 分。" in readme


def test_the_build_is_reproducible(course):
    built_notebook(course)
    first = (course.source / "stage9" / "01-quiz.ipynb").read_bytes()
    assert write_stage(build_stage(course, "stage9")) == []
    assert (course.source / "stage9" / "01-quiz.ipynb").read_bytes() == first


@pytest.mark.parametrize("change, message", [
    (("{{points.auto}} 分", "{{points.autox}} 分"), "未知的占位符 {{points.autox}}"),
    (("tiers.pass = { threshold = 0.5, points = 1 }", "tiers.pass = { threshold = 95, points = 1 }"), "threshold"),
    (("tiers.excellent", "tiers.superb"), "未知档位 'superb'"),
    (("partial = { keep = [], score = 1 }\n", ""), "缺少 partial"),
    (("metric = \"准确率\"\n", ""), "metric"),
    (("export = \"quiz.pt2\"\n", ""), "export（导出的模型文件）"),
    (("evaluate = \"fashion-mnist-test\"", "evaluate = \"imagenet\""), "fashion-mnist-test 或 contest-private"),
    (("budget_seconds = 120", "budget_seconds = [120"), "不是有效的 TOML"),
    (("[notebooks.01-quiz]", "[notebooks.02-other]"), "写了不存在的 notebook：['02-other']"),
    (("[notebooks.01-quiz]", "[notebooks.01-quiz]\n[notebooks.01-quiz.extra]"), "未知的键 ['extra']"),
])
def test_bad_input_gets_an_error_that_says_what_to_fix(course, change, message):
    for path in (course.root / "stage9" / "01-quiz.py", course.root / "stage9" / "stage.toml"):
        text = path.read_text(encoding="utf-8")
        if change[0] in text:
            path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
            break
    else:
        raise AssertionError(f"测试写错了：{change[0]!r} 不在文本源或 stage.toml 中")
    with pytest.raises(CourseError, match=re.escape(message)):
        build_stage(course, "stage9")


def test_tiers_must_rise(course):
    path = course.root / "stage9" / "stage.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("threshold = 0.9,", "threshold = 0.4,"), encoding="utf-8")
    with pytest.raises(CourseError, match="逐档升高"):
        load_stage(course.root / "stage9")


def test_a_readme_without_the_generated_block_is_refused(course):
    (course.root / "stage9" / "README.md").write_text("# 阶段九\n", encoding="utf-8")
    with pytest.raises(CourseError, match="生成区"):
        build_stage(course, "stage9")
