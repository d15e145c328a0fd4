"""Each stage's facts, written once in ``stageN/stage.toml``.

A stage file holds what used to be typed in several places: each notebook's CPU budget,
checkpoint, parameter limit, tier thresholds and their points, and the designed partial
submission the demo and the tests grade. The build reads it to write the hidden tier cells,
the notebook header rows and the stage README's tables; ``demo`` and the budget tests read it
directly. Example::

    [notebooks.02-cnn-fashion-mnist]
    budget_seconds = 240
    checkpoint = "cnn.pt"
    param_limit = 100_000             # parameters + buffers + constants of the exported model
    metric = "完整测试集（10,000 张）准确率"
    export = "cnn.pt2"                # what the mentor-side grader judges (judge.py)
    evaluate = "fashion-mnist-test"
    partial = { keep = ["ex-lenet", "ex-mycnn"], score = 8 }
    tiers.pass = { threshold = 0.90, points = 4 }
    tiers.good = { threshold = 0.915, points = 3 }
    tiers.excellent = { threshold = 0.92, points = 3 }

A loss is graded the other way round (``better = "lower"``: thresholds go down from 及格 to
优秀), and a language model's tiers can also require the grader's samples to be well-formed::

    evaluate = "poem-lm"
    better = "lower"
    format_min = 0.7
    tiers.pass = { threshold = 6.45, points = 3 }

A detector (``evaluate = "detection-canvases"``) is scored by mAP@0.5 on test canvases the
grader draws at grading time (``judge.py``).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .course import CourseError
from .scores import TIERS

STAGE_FILE = "stage.toml"
EVALUATIONS = ("fashion-mnist-test", "contest-private", "sentiment-test", "poem-lm", "detection-canvases", "clip-pairs",
               "vqa-scenes")


@dataclass(frozen=True)
class Tier:
    key: str  # pass / good / excellent
    label: str  # 及格 / 良好 / 优秀
    threshold: float
    points: float

    better: str = "higher"  # or "lower": a loss

    @property
    def percent(self) -> str:
        """The threshold as the notebooks print it: ``91.5%``, or ``6.30`` for a loss."""
        return f"{self.threshold * 100:.1f}%" if self.better == "higher" else f"{self.threshold:.2f}"

    @property
    def bound(self) -> str:
        """``≥ 91.5%``, or ``≤ 6.30`` for a loss."""
        return f"{'≥' if self.better == 'higher' else '≤'} {self.percent}"


@dataclass(frozen=True)
class Partial:
    keep: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class NotebookFacts:
    name: str  # e.g. 02-cnn-fashion-mnist
    partial: Partial
    budget_seconds: float | None = None
    checkpoint: str | None = None
    param_limit: int | None = None
    metric: str | None = None
    export: str | None = None  # the model file the mentor-side grader judges (judge.py)
    evaluate: str | None = None  # what it is judged on: one of EVALUATIONS
    tiers: tuple[Tier, ...] = field(default_factory=tuple)
    better: str = "higher"  # "lower" for a loss (then thresholds go down from 及格 to 优秀)
    format_min: float | None = None  # language models: every tier also needs this format score

    def reaches(self, tier: Tier, score: float, format_score: float | None = None) -> bool:
        """Whether ``score`` (and, for a language model, the samples' format score) reaches ``tier``."""
        ok = score >= tier.threshold if self.better == "higher" else score <= tier.threshold
        if self.format_min is not None:
            ok = ok and format_score is not None and format_score >= self.format_min
        return ok

    def show(self, score: float) -> str:
        """The metric as the grader prints it."""
        return f"{score:.2%}" if self.better == "higher" else f"{score:.3f}"

    def tier(self, key: str) -> Tier:
        for t in self.tiers:
            if t.key == key:
                return t
        raise KeyError(f"{self.name} 没有档位 {key!r}")

    def values(self) -> dict[str, object]:
        """The facts a notebook's ``{{…}}`` placeholders may name."""
        out: dict[str, object] = {}
        for key in ("budget_seconds", "checkpoint", "param_limit", "metric", "export", "format_min"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.format_min is not None:
            out["format_min.percent"] = f"{self.format_min:.0%}"
        if self.budget_seconds:
            out["budget_minutes"] = f"{self.budget_seconds / 60:g}"
        for t in self.tiers:
            out[f"tiers.{t.key}.threshold"] = t.threshold
            out[f"tiers.{t.key}.percent"] = t.percent
            out[f"tiers.{t.key}.points"] = t.points
        return out


@dataclass(frozen=True)
class StageFacts:
    stage: str
    path: Path
    notebooks: dict[str, NotebookFacts]

    def notebook(self, name: str) -> NotebookFacts:
        try:
            return self.notebooks[name]
        except KeyError:
            raise CourseError(f"{self.path} 中没有 [notebooks.{name}]：每本 notebook 都要写明它的部分提交设计"
                              "（partial），训练类 notebook 还要写预算与档位") from None


def _fail(path: Path, where: str, what: str) -> CourseError:
    return CourseError(f"{path}：{where} {what}")


def _notebook(path: Path, name: str, raw: dict) -> NotebookFacts:
    known = {"budget_seconds", "checkpoint", "param_limit", "metric", "export", "evaluate", "partial", "tiers",
             "better", "format_min"}
    unknown = set(raw) - known
    if unknown:
        raise _fail(path, f"[notebooks.{name}]", f"有未知的键 {sorted(unknown)}；可用的键：{sorted(known)}")
    partial = raw.get("partial")
    if not isinstance(partial, dict) or not isinstance(partial.get("keep"), list) or "score" not in partial:
        raise _fail(path, f"[notebooks.{name}]", "缺少 partial = { keep = [...], score = N }")
    better = raw.get("better", "higher")
    if better not in ("higher", "lower"):
        raise _fail(path, f"[notebooks.{name}]", f"的 better 应为 'higher' 或 'lower'，而不是 {better!r}")
    format_min = raw.get("format_min")
    if format_min is not None and (raw.get("evaluate") != "poem-lm" or not 0 < format_min <= 1):
        raise _fail(path, f"[notebooks.{name}]", "的 format_min 只用于 evaluate = \"poem-lm\"，且应在 0–1 之间")
    tiers = []
    raw_tiers = raw.get("tiers", {})
    labels = dict(TIERS)
    for key in raw_tiers:
        if key not in labels:
            raise _fail(path, f"[notebooks.{name}.tiers]", f"未知档位 {key!r}；只能是 {list(labels)}")
    for key, label in TIERS:
        if key in raw_tiers:
            t = raw_tiers[key]
            if not (0 < t.get("threshold", 0) <= 1 or better == "lower" and t.get("threshold", 0) > 0) \
                    or t.get("points", 0) <= 0:
                raise _fail(path, f"[notebooks.{name}.tiers.{key}]", "应写 threshold（准确率在 0–1 之间，损失为正数）和正的 points")
            tiers.append(Tier(key, label, float(t["threshold"]), float(t["points"]), better))
    thresholds = [t.threshold for t in tiers]
    if thresholds != sorted(thresholds, reverse=better == "lower"):
        raise _fail(path, f"[notebooks.{name}.tiers]", "的阈值应逐档提高要求（准确率逐档升高，损失逐档降低）")
    if tiers and not raw.get("metric"):
        raise _fail(path, f"[notebooks.{name}]", "有档位时应写 metric（档位比较的是什么）")
    if tiers and (not raw.get("export") or raw.get("evaluate") not in EVALUATIONS or not raw.get("param_limit")):
        raise _fail(path, f"[notebooks.{name}]", "有档位时应写 export（导出的模型文件）、param_limit 和 evaluate"
                    f"（{' 或 '.join(EVALUATIONS)}）：档位由导师端评测该文件给出")
    return NotebookFacts(
        name=name,
        partial=Partial(tuple(partial["keep"]), float(partial["score"])),
        budget_seconds=raw.get("budget_seconds"),
        checkpoint=raw.get("checkpoint"),
        param_limit=raw.get("param_limit"),
        metric=raw.get("metric"),
        export=raw.get("export"),
        evaluate=raw.get("evaluate"),
        tiers=tuple(tiers),
        better=better,
        format_min=format_min,
    )


def load_stage(home: Path) -> StageFacts:
    """Read ``<home>/stage.toml`` (``home`` is the stage folder, e.g. ``stage3/``)."""
    path = Path(home) / STAGE_FILE
    if not path.is_file():
        raise CourseError(f"缺少阶段文件 {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path} 不是有效的 TOML：{exc}") from exc
    notebooks = {name: _notebook(path, name, body) for name, body in raw.get("notebooks", {}).items()}
    return StageFacts(Path(home).name, path, notebooks)


def stage_facts(course, stage: str) -> StageFacts | None:
    """A stage's facts: from the course's own stage home, else the kit's; None when neither has one."""
    from .course import repo_root

    for root in (course.root, repo_root()):
        if (root / stage / STAGE_FILE).is_file():
            return load_stage(root / stage)
    return None
