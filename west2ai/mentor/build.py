"""Text sources → nbgrader source notebooks, with each stage's facts filled in.

A notebook is edited only in its text source, ``stageN/NN-name.py`` (jupytext percent
format; each cell header carries the cell's nbgrader metadata). ``python -m west2ai build``
writes ``source/stageN/NN-name.ipynb`` from it and refreshes the generated tables of
``stageN/README.md``. Facts come from the stage file (``stageN/stage.toml``):

- ``{{name}}`` in a markdown cell, or ``"{{name}}"`` (a string literal holding only the
  placeholder) in a code cell, is replaced by the fact ``name`` of this notebook: text in
  markdown, a Python literal in code. Names: ``budget_seconds``, ``budget_minutes``,
  ``checkpoint``, ``param_limit``, ``metric``, ``tiers.<key>.threshold|percent|points``, and
  ``points.auto|manual|total`` (summed from the built cells' points).
- A code cell whose header has ``west2ai={"expand": "tiers"}`` is the template of the tier
  cells: it becomes one locked, graded cell per tier of the stage file, ``grade_id``
  ``tier-<key>`` and that tier's points, with ``{{tier.threshold}}``, ``{{tier.percent}}``,
  ``{{tier.label}}`` and ``{{tier.key}}`` filled in.
- ``{{tier_rows}}`` in a markdown cell becomes the header table's rows for those cells.
"""
from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from .course import Course, CourseError
from .scores import graded_cells
from .stagefile import NotebookFacts, StageFacts, load_stage

TEXT_GLOB = "[0-9][0-9]-*.py"
CODE_PLACEHOLDER = re.compile(r"""(["'])\{\{([a-z_.]+)\}\}\1""")
TEXT_PLACEHOLDER = re.compile(r"\{\{([a-z_.]+)\}\}")
README_BEGIN = "<!-- BEGIN stage.toml：由 python -m west2ai build 生成，请改 stage.toml 而不是这里 -->"
README_END = "<!-- END stage.toml -->"
ROOT_BEGIN = "<!-- BEGIN 仓库地址：由 python -m west2ai build 按 pyproject.toml 的 [project.urls] 生成 -->"
ROOT_END = "<!-- END 仓库地址 -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BRANCH = "main"  # the branch the Colab links open


def text_sources(course: Course, stage: str) -> list[Path]:
    return sorted(course.home(stage).glob(TEXT_GLOB))


def text_stages(course: Course) -> list[str]:
    """Stages that have a home with text sources."""
    return sorted({p.parent.name for p in course.root.glob(f"stage*/{TEXT_GLOB}")})


# ------------------------------------------------------------------ placeholders
def _markdown_value(value) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _literal(value) -> str:
    """A fact as a Python literal, written the way the notebooks write them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:_}"
    return repr(value)


def _fill(source: str, values: dict, where: str, code: bool) -> str:
    def lookup(name):
        if name not in values:
            raise CourseError(f"{where}：未知的占位符 {{{{{name}}}}}；可用：{sorted(values)}")
        return values[name]

    if code:  # a string literal holding only a placeholder becomes a Python literal
        source = CODE_PLACEHOLDER.sub(lambda m: _literal(lookup(m.group(2))), source)
    # elsewhere (markdown, comments, inside longer strings) the fact is written as text
    return TEXT_PLACEHOLDER.sub(lambda m: _markdown_value(lookup(m.group(1))), source)


def _expand_tiers(cell, facts: NotebookFacts, where: str) -> list:
    if cell.cell_type != "code":
        raise CourseError(f"{where}：档位模板应是代码单元")
    if not facts.tiers:
        raise CourseError(f"{where}：有档位模板单元，但 stage.toml 的 [notebooks.{facts.name}] 没有 tiers")
    out = []
    for tier in facts.tiers:
        new = copy.deepcopy(cell)
        del new.metadata["west2ai"]
        values = {**facts.values(), "tier.threshold": tier.threshold, "tier.percent": tier.percent,
                  "tier.label": tier.label, "tier.key": tier.key}
        new.source = _fill(new.source, values, where, code=True)
        new.metadata["nbgrader"] = {
            **new.metadata.get("nbgrader", {}),
            "grade": True, "grade_id": f"tier-{tier.key}", "locked": True, "points": tier.points,
            "schema_version": 3, "solution": False, "task": False,
        }
        new.metadata["deletable"] = new.metadata["editable"] = False
        out.append(new)
    return out


def tier_rows(facts: NotebookFacts) -> str:
    """The notebook header's rows for the tier cells."""
    also = f"，且采样格式分 ≥ {facts.format_min:.0%}" if facts.format_min is not None else ""
    return "\n".join(f"| `tier-{t.key}` | {t.label}：{facts.metric} {t.bound}{also} | {t.points:g} |"
                     for t in facts.tiers)


def tier_table(facts: NotebookFacts) -> str:
    """A small table of the tiers, for the notebook's own grading section."""
    rows = [f"| 档位 | {facts.metric} | 分值 |", "|---|---|---|"]
    return "\n".join(rows + [f"| {t.label} | {t.bound} | {t.points:g} |" for t in facts.tiers])


def repository(course: Course) -> str:
    """The kit's repository address: pyproject's ``[project.urls] Repository``, its one home."""
    pyproject = course.root / "pyproject.toml"
    try:
        urls = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]
        return urls["Repository"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise CourseError(f"{pyproject} 应在 [project.urls] 中写明 Repository（课程包的仓库地址）：{exc}") from exc


def kit_values(course: Course) -> dict[str, str]:
    """Facts of the kit itself: the install line of the Colab setup cells."""
    return {"package_url": f"west2ai @ git+{repository(course)}"}


def colab_url(course: Course, notebook: Path) -> str:
    """Colab's address for a notebook of the repository (GitHub only)."""
    slug = repository(course).removeprefix("https://github.com/").removesuffix(".git").strip("/")
    return f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/{notebook.relative_to(course.root)}"


def points(nb) -> dict[str, float]:
    cells = graded_cells(nb)
    auto = sum(c.points for c in cells if c.kind == "tests")
    manual = sum(c.points for c in cells if c.kind == "manual")
    return {"points.auto": auto, "points.manual": manual, "points.total": auto + manual}


# ------------------------------------------------------------------ one notebook
def build_notebook(text: Path, facts: NotebookFacts, kit: dict | None = None) -> nbformat.NotebookNode:
    """The nbgrader source notebook for one text source."""
    try:
        nb = jupytext.read(text, fmt="py:percent")
    except Exception as exc:
        raise CourseError(f"{text} 无法按 jupytext percent 格式读取：{exc}") from exc
    cells = []
    for i, cell in enumerate(nb.cells):
        where = f"{text.name} 第 {i + 1} 个单元"
        if cell.metadata.get("west2ai", {}).get("expand") == "tiers":
            cells += _expand_tiers(cell, facts, where)
        else:
            cell.metadata.pop("west2ai", None)
            cells.append(cell)
    nb.cells = cells
    values = {**(kit or {}), **facts.values(), **points(nb)}
    if facts.tiers:
        values.update(tier_rows=tier_rows(facts), tier_table=tier_table(facts))
    out = nbformat.v4.new_notebook()
    out.metadata = {k: v for k, v in nb.metadata.items() if k != "jupytext"}
    for i, cell in enumerate(nb.cells):
        where = f"{text.name} 第 {i + 1} 个单元"
        source = _fill(cell.source, values, where, code=cell.cell_type == "code")
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        make = nbformat.v4.new_code_cell if cell.cell_type == "code" else (
            nbformat.v4.new_markdown_cell if cell.cell_type == "markdown" else nbformat.v4.new_raw_cell)
        new = make(source, metadata=dict(cell.metadata), id=gid or f"cell-{i:02d}")
        out.cells.append(new)
    nbformat.validate(out)
    return out


def notebook_bytes(nb) -> bytes:
    """The file ``nbformat.write`` would write (nbgrader writes its notebooks the same way)."""
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


# ------------------------------------------------------------------ README tables
def readme_block(facts: StageFacts, built: dict[str, nbformat.NotebookNode]) -> str:
    """The generated part of a stage README: points and budgets per notebook, the tiers,
    and the stage's total."""
    lines = [README_BEGIN, "",
             "| Notebook | 自动评分 | 人工评分 | 从零训练的 CPU 预算 | 参数上限 | 检查点 |",
             "|---|---|---|---|---|---|"]
    auto = manual = 0.0
    for name, nb in built.items():
        f = facts.notebook(name)
        p = points(nb)
        auto += p["points.auto"]
        manual += p["points.manual"]
        budget = f"{f.budget_seconds:g} s" if f.budget_seconds else "—"
        limit = f"{f.param_limit:,}" if f.param_limit else "—"
        lines.append(f"| `{name}` | {p['points.auto']:g} | {p['points.manual']:g} | {budget} | {limit} | "
                     f"{'`' + f.checkpoint + '`' if f.checkpoint else '—'} |")
    tiered = [facts.notebook(name) for name in built if facts.notebook(name).tiers]
    if tiered:
        lines += ["", "| Notebook | 档位 | 指标 | 阈值 | 分值 |", "|---|---|---|---|---|"]
        for f in tiered:
            also = f"，且采样格式分 ≥ {f.format_min:.0%}" if f.format_min is not None else ""
            lines += [f"| `{f.name}` | {t.label} | {f.metric} | {t.bound}{also} | {t.points:g} |" for t in f.tiers]
    lines += ["", f"本阶段合计：自动评分 {auto:g} 分 + 人工评分 {manual:g} 分 = {auto + manual:g} 分。", "",
              README_END]
    return "\n".join(lines)


def updated_readme(readme: Path, block: str, begin: str = README_BEGIN, end: str = README_END) -> str:
    text = readme.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        raise CourseError(f"{readme} 中没有生成区（{begin} … {end}）：请把这两行放回原处")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + block + tail


def repository_block(course: Course) -> str:
    """The root README's generated part: the clone line and a Colab link per release notebook."""
    notebooks = [p for stage in course.stages() for p in sorted((course.release / stage).glob("*.ipynb"))]
    lines = [ROOT_BEGIN, "", "```bash", f"git clone {repository(course)} west2ai && cd west2ai", "```", ""]
    if notebooks:
        lines += [f"[![在 Colab 中打开]({COLAB_BADGE})]({colab_url(course, notebooks[0])})", "",
                  "| Notebook | Colab |", "|---|---|"]
        lines += [f"| `{p.parent.name}/{p.stem}` | [在 Colab 中打开]({colab_url(course, p)}) |" for p in notebooks]
        lines.append("")
    return "\n".join(lines + [ROOT_END])


def root_readme(course: Course) -> tuple[Path, str] | None:
    """(README path, its text with the repository block refreshed); None for a course without one."""
    readme = course.root / "README.md"
    if not readme.is_file() or ROOT_BEGIN not in readme.read_text(encoding="utf-8"):
        return None
    return readme, updated_readme(readme, repository_block(course), ROOT_BEGIN, ROOT_END)


# ------------------------------------------------------------------ a stage
@dataclass
class BuiltStage:
    stage: str
    notebooks: dict[Path, bytes]  # target path → bytes
    readme: tuple[Path, str] | None


def build_stage(course: Course, stage: str) -> BuiltStage:
    texts = text_sources(course, stage)
    if not texts:
        raise CourseError(f"{stage}/ 下没有 notebook 的文本源（{TEXT_GLOB}）")
    facts = load_stage(course.home(stage))
    extra = set(facts.notebooks) - {t.stem for t in texts}
    if extra:
        raise CourseError(f"{facts.path} 写了不存在的 notebook：{sorted(extra)}")
    kit = kit_values(course)
    built = {t.stem: build_notebook(t, facts.notebook(t.stem), kit) for t in texts}
    readme = course.home(stage) / "README.md"
    return BuiltStage(
        stage,
        {course.source / stage / f"{name}.ipynb": notebook_bytes(nb) for name, nb in built.items()},
        (readme, updated_readme(readme, readme_block(facts, built))) if readme.is_file() else None,
    )


def write_stage(built: BuiltStage) -> list[Path]:
    written = []
    for path, data in built.notebooks.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(path)
    if built.readme:
        path, text = built.readme
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def check_stage(course: Course, built: BuiltStage) -> list[str]:
    """What is out of date with the text sources and the stage file."""
    problems = []
    expected = set(built.notebooks)
    for path in sorted(set((course.source / built.stage).glob("*.ipynb")) | expected):
        rel = path.relative_to(course.root)
        if path not in expected:
            problems.append(f"{rel}：没有对应的文本源 {built.stage}/{path.stem}.py")
        elif not path.exists():
            problems.append(f"{rel}：缺失")
        elif path.read_bytes() != built.notebooks[path]:
            problems.append(f"{rel}：与文本源 {built.stage}/{path.stem}.py 不一致")
    if built.readme and built.readme[0].read_text(encoding="utf-8") != built.readme[1]:
        problems.append(f"{built.readme[0].relative_to(course.root)}：生成的表格与 stage.toml 不一致")
    return problems
