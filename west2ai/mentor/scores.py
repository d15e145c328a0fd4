"""Score types: graded cells of a notebook, a notebook's and a stage's scores, tiers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Tier keys in order, with their Chinese names (stage files use the keys).
TIERS = (("pass", "及格"), ("good", "良好"), ("excellent", "优秀"))
TIER_LABEL = dict(TIERS)
TIER_ID = re.compile(r"tier-(pass|good|excellent)$")


@dataclass
class GradedCell:
    grade_id: str
    points: float
    kind: str  # "tests" (autograded) or "manual"


def graded_cells(path_or_nb) -> list[GradedCell]:
    """The graded cells of a notebook (a path or a notebook node), in order."""
    nb = path_or_nb if isinstance(path_or_nb, dict) else nbformat.read(path_or_nb, as_version=4)
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


@dataclass
class StageResult:
    student: str
    stage: str
    notebooks: list[NotebookScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    models: list = field(default_factory=list)  # the mentor-side model verdicts (judge.Verdict)
    audits: list = field(default_factory=list)  # training audits (audit.Audit), when asked for
    seconds: float = 0.0  # autograding time

    @property
    def score(self) -> float:
        return sum(n.score for n in self.notebooks)

    @property
    def auto_score(self) -> float:
        return sum(n.auto_score for n in self.notebooks)

    @property
    def max_score(self) -> float:
        return sum(n.max_score for n in self.notebooks)

    @property
    def auto_max(self) -> float:
        return sum(n.auto_max for n in self.notebooks)

    @property
    def needs_manual(self) -> bool:
        return any(n.needs_manual for n in self.notebooks)

    def tier_summary(self) -> str:
        """``02:良好 03:未达及格`` for the model notebooks of this stage."""
        return " ".join(f"{Path(n.notebook).stem[:2]}:{n.tier_reached or '未达及格'}"
                        for n in self.notebooks if n.tiers)
