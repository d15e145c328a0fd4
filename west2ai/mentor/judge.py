"""Models judged outside the student's kernel.

nbgrader's tier cells run inside the student's kernel, where anything can be patched, so
their verdict is only the student's self-check. After nbgrader's run, the grader looks at
the model file the notebook exported (``export`` in the stage file: a ``torch.export``
program, ``.pt2``, or the numpy net's weight arrays, ``.npz``) and scores the tiers itself:

1. a fresh Python process (inside the grading sandbox, with the datasets hidden too) loads
   the file, counts every parameter, buffer and constant in it, refuses banned networks,
   and runs it on the evaluation images only, writing its predictions;
2. this process compares the predictions with the labels (the Fashion-MNIST test set, or
   the contest's private answer key, which also checks them against ``submission.csv``)
   and writes each tier's score into the gradebook, replacing what the kernel said.

A detector (``detection-canvases``) is judged on ``TEST_CANVASES`` canvases drawn from the
Fashion-MNIST test images with a seed chosen when grading starts (once per grading run, so a
class is compared on the same canvases; ``WEST2AI_GRADING_SEED`` fixes it to reproduce a
grade): no canvas exists before grading, so none can be looked up.

A file that is missing or does not load, a model over the limit, a banned network or a
submission file the model did not write scores 0 on every tier, with the reason in the
grade report and the feedback.

Run as ``python -m west2ai.mentor.judge MODEL IMAGES OUT THREADS LIMIT`` it is step 1.
"""
from __future__ import annotations

import functools
import html
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import detection, text
from ..grading import BANNED_MODULE_PREFIXES, JUDGE_BATCH
from . import mmjudge, textjudge
from .course import Course
from .scores import TIER_LABEL, tier_of
from .stagefile import NotebookFacts, stage_facts

JUDGE_TIMEOUT = 600  # seconds for one model's predictions (10,000 images take a few)
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530  # the numpy net's fixed preprocessing
AGREEMENT = 0.99  # the contest file must be what the model predicts on this share of rows
# Memorised test images: a model that looks test images up (a hash of the pixels) fails when
# every pixel moves by one grey level, which a model that learnt the classes shrugs off.
JITTER_DROP = 0.05
TEST_CANVASES = 2_000  # detection canvases a detector is judged on
DRAWN_AT_GRADING = ("detection-canvases", "clip-pairs", "vqa-scenes")  # test sets drawn with the grading seed
SEED_VARIABLE = "WEST2AI_GRADING_SEED"
_run_seed: int | None = None


def jittered(images: np.ndarray, seed: int | None = None) -> np.ndarray:
    """``images`` with every pixel moved one grey level up or down (within 0–255); a fresh
    random draw each time unless ``seed`` is given, so that it cannot be memorised too."""
    step = np.random.default_rng(seed).choice(np.array([-1, 1], dtype=np.int16), size=images.shape)
    return np.clip(images.astype(np.int16) + step, 0, 255).astype(np.uint8)


@dataclass
class Verdict:
    notebook: str  # e.g. 02-cnn-fashion-mnist.ipynb
    metric: str
    limit: int
    score: float | None = None  # accuracy, when the model could be run
    size: int | None = None  # parameters + buffers + constants
    breakdown: dict[str, int] = field(default_factory=dict)
    reached: dict[str, bool] = field(default_factory=dict)  # tier key -> reached
    reason: str | None = None  # why every tier is 0
    show: Callable[[float], str] | None = None  # the metric as printed (default: a percentage)
    format_score: float | None = None  # language models: share of well-formed lines sampled
    samples: list[str] = field(default_factory=list)  # language models: what the grader sampled
    seed: int | None = None  # test sets drawn at grading time: their seed
    details: str | None = None  # further figures, printed after the score

    @property
    def parts(self) -> str:
        """What the size is made of, e.g. ``参数 84,090，buffer 291``."""
        return "，".join(f"{k} {v:,}" for k, v in self.breakdown.items() if v)

    def line(self) -> str:
        head = f"{self.notebook} 导师端模型评测："
        if self.reason:
            return head + self.reason + "，档位计 0 分"
        got = [TIER_LABEL[k] for k, ok in self.reached.items() if ok]
        shown = self.show(self.score) if self.show else f"{self.score:.2%}"
        if self.format_score is not None:
            shown += f"，采样格式分 {self.format_score:.0%}"
        notes = [n for n in (self.details, self.seed is not None and f"评分种子 {self.seed}") if n]
        if notes:
            shown += f"（{'；'.join(notes)}）"
        return (f"{head}{self.metric} {shown}，模型大小 {self.size:,}（{self.parts}；上限 {self.limit:,}）"
                f" → {got[-1] if got else '未达及格'}")


# ------------------------------------------------------------------ step 1: the clean process
def _count_literals(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return 1
    if isinstance(value, (list, tuple)):
        return sum(_count_literals(v) for v in value)
    if isinstance(value, dict):
        return sum(_count_literals(v) for v in value.values())
    return 0


def _load_program(path: Path, limit: int):
    """(module to run or None, result so far): the program's size, and why it is not run."""
    import torch

    program = torch.export.load(path)
    constants = program.constants
    if any(not isinstance(c, torch.Tensor) for c in constants.values()):
        raise ValueError("导出的程序含有非张量常量（自定义对象），评分器不运行它")
    parameters = {s.target for s in program.graph_signature.input_specs if s.kind.name == "PARAMETER"}
    # Tied weights (e.g. a language model's embedding and output layer) are one tensor under two
    # names, sharing memory after loading too: they are counted once.
    unique: dict[tuple, tuple[str, object]] = {}
    for name, t in program.state_dict.items():
        unique.setdefault((t.data_ptr(), tuple(t.shape), tuple(t.stride()), t.dtype), (name, t))
    breakdown = {
        "参数": sum(t.numel() for name, t in unique.values() if name in parameters),
        "buffer": sum(t.numel() for name, t in unique.values() if name not in parameters),
        "张量常量": sum(c.numel() for c in constants.values()),
        "图中数值": sum(_count_literals(n.args) + _count_literals(n.kwargs) for n in program.graph.nodes
                     if n.op == "call_function"),
    }
    for node in program.graph.nodes:
        for _, kind in (node.meta.get("nn_module_stack") or {}).values():
            if str(kind).startswith(BANNED_MODULE_PREFIXES):
                return None, {"breakdown": breakdown, "banned": str(kind)}
    if sum(breakdown.values()) > limit:
        return None, {"breakdown": breakdown}  # refused on its size: no need to run it
    return program.module(), {"breakdown": breakdown}


def _image_predictions(module, images: np.ndarray) -> dict:
    import torch

    def predict(pixels: np.ndarray) -> list[int]:
        x = torch.from_numpy(pixels.astype(np.float32) / 255.0).unsqueeze(1)
        preds = []
        with torch.no_grad():
            for start in range(0, len(x), JUDGE_BATCH):
                batch = x[start:start + JUDGE_BATCH]
                out = module(batch)
                if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != len(batch):
                    raise ValueError("模型输出应是形状为 (batch, 类别数) 的张量")
                preds.append(out.argmax(1))
        return torch.cat(preds).tolist()

    return {"predictions": predict(images), "jittered": predict(jittered(images))}


def _detections(module, images: np.ndarray) -> dict:
    """Final detections (``detection.postprocess``) of the program on every canvas."""
    import torch

    found = []
    with torch.no_grad():
        for start in range(0, len(images), 250):
            x = torch.from_numpy(images[start:start + 250].astype(np.float32) / 255.0).unsqueeze(1)
            boxes, scores = detection.dense_output(module(x), len(x))
            found += detection.postprocess(boxes, scores)
    return {"detections": [{k: v.tolist() for k, v in d.items()} for d in found]}


def _program_predictions(path: Path, inputs: Path, limit: int, kind: str) -> dict:
    module, result = _load_program(path, limit)
    if module is None:
        return result
    with np.load(inputs, allow_pickle=False) as saved:
        arrays = {k: saved[k] for k in saved.files}
    if kind == "sentiment-test":
        result.update(textjudge.sentiment_predictions(module, arrays, JUDGE_BATCH))
    elif kind == "poem-lm":
        result.update(textjudge.poem_predictions(module, arrays))
    elif kind == "detection-canvases":
        result.update(_detections(module, arrays["images"]))
    elif kind == "clip-pairs":
        result.update(mmjudge.clip_predictions(module, arrays))
    elif kind == "vqa-scenes":
        result.update(mmjudge.vqa_predictions(module, arrays))
    else:
        result.update(_image_predictions(module, arrays["images"]))
    return result


def _numpy_net_predictions(path: Path, images: np.ndarray) -> dict:
    with np.load(path, allow_pickle=False) as ckpt:
        arrays = {k: ckpt[k] for k in ckpt.files if not k.startswith("hist_")}
    if set(arrays) != {"W1", "b1", "W2", "b2"}:
        raise ValueError(f"应恰好包含 W1、b1、W2、b2，实际为 {sorted(arrays)}")
    w1, b1, w2, b2 = (arrays[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
    hidden = w1.shape[1] if w1.ndim == 2 else -1
    if w1.shape != (784, hidden) or b1.shape != (hidden,) or w2.shape != (hidden, 10) or b2.shape != (10,):
        raise ValueError("参数形状不符合 784-H-10 的两层网络")
    if not all(np.all(np.isfinite(a)) for a in (w1, b1, w2, b2)):
        raise ValueError("参数含有 NaN 或无穷大")

    def predict(pixels: np.ndarray) -> list[int]:
        x = (pixels.reshape(len(pixels), -1).astype(np.float64) / 255.0 - FASHION_MNIST_MEAN) / FASHION_MNIST_STD
        return (np.maximum(x @ w1 + b1, 0.0) @ w2 + b2).argmax(axis=1).tolist()

    return {"breakdown": {"参数": int(sum(a.size for a in arrays.values()))},
            "predictions": predict(images), "jittered": predict(jittered(images))}


def predict_file(model: Path, inputs: Path, out: Path, threads: int = 1, limit: int = 0,
                 kind: str = "fashion-mnist-test") -> None:
    """Step 1: predictions and size of one model file, written to ``out`` (JSON).
    ``inputs`` is an ``.npz`` file: ``images`` for the image kinds, text arrays otherwise."""
    import torch

    torch.set_num_threads(max(1, threads))
    try:
        if model.suffix == ".npz":
            with np.load(inputs, allow_pickle=False) as saved:
                result = _numpy_net_predictions(model, saved["images"])
        else:
            result = _program_predictions(model, inputs, limit, kind)
    except Exception as exc:  # a corrupt, foreign or malicious file
        result = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"}
    out.write_text(json.dumps(result), encoding="utf-8")


# ------------------------------------------------------------------ step 2: scoring, in the grader
def evaluation_set(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The images (uint8, N×28×28) and labels a model is judged on."""
    if kind == "fashion-mnist-test":
        from ..data import fashion_mnist_arrays

        return fashion_mnist_arrays("test")
    if kind == "contest-private":
        from . import contest

        return contest.test_images(), contest.answer_key()
    raise ValueError(f"未知的评测集 {kind!r}")


def grading_seed() -> int:
    """The seed of this grading run's test canvases: ``WEST2AI_GRADING_SEED`` if set, else
    drawn once per process when first needed."""
    global _run_seed
    if os.environ.get(SEED_VARIABLE):
        return int(os.environ[SEED_VARIABLE])
    if _run_seed is None:
        _run_seed = secrets.randbelow(2**31)
    return _run_seed


def evaluation_inputs(kind: str, seed: int | None = None):
    """What the judging process is given for ``kind``, and the labels it is not given (for
    the ``DRAWN_AT_GRADING`` kinds: drawn with ``seed``, by default this run's
    :func:`grading_seed`). Built once per (kind, seed) and shared by every student of a run."""
    if kind in DRAWN_AT_GRADING:
        return _drawn_inputs(kind, grading_seed() if seed is None else seed)
    return _fixed_inputs(kind)


@functools.lru_cache(maxsize=4)
def _drawn_inputs(kind: str, seed: int):
    if kind == "detection-canvases":
        drawn = detection.canvases("test", TEST_CANVASES, seed)
        return drawn.images, drawn
    if kind == "clip-pairs":
        return mmjudge.clip_inputs(seed)
    if kind == "vqa-scenes":
        return mmjudge.vqa_inputs(seed)
    raise ValueError(f"未知的评测集 {kind!r}")


@functools.lru_cache(maxsize=4)
def _fixed_inputs(kind: str):
    if kind == "sentiment-test":
        return textjudge.sentiment_inputs()
    if kind == "poem-lm":
        return textjudge.poem_inputs(), None
    return evaluation_set(kind)


def _hidden_data() -> list[str]:
    """Dataset folders the judging process must not see (labels live there)."""
    from .. import data

    folders = [data.SYSTEM_FASHION_MNIST, data.cache_dir(), Path(os.environ.get("WEST2AI_DATA", "/nonexistent"))]
    return [str(f.resolve()) for f in folders if f.is_dir()]


def run_predictor(model: Path, inputs: dict[str, np.ndarray] | np.ndarray, limit: int, sandbox=None,
                  threads: int = 1, kind: str = "fashion-mnist-test") -> dict:
    """Run step 1 on a copy of ``model`` in a fresh process (sandboxed when ``sandbox``);
    ``inputs`` are the arrays it may see (images alone, for the image kinds)."""
    arrays = inputs if isinstance(inputs, dict) else {"images": inputs}
    with tempfile.TemporaryDirectory(prefix="w2j-") as tmp:
        work = Path(tmp)
        copy = work / ("model" + model.suffix)
        shutil.copyfile(model, copy)
        np.savez(work / "inputs.npz", **arrays)
        argv = [sys.executable, "-m", "west2ai.mentor.judge", str(copy), str(work / "inputs.npz"),
                str(work / "out.json"), str(threads), str(limit), kind]
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONNOUSERSITE": "1"}
        if sandbox is not None:
            (work / "tmp").mkdir()
            argv = sandbox.hiding(_hidden_data()).command(work, work, argv)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=JUDGE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            return {"error": f"超过 {JUDGE_TIMEOUT} 秒仍未算完"}
        out = work / "out.json"
        if not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["无输出"]
            return {"error": f"评测进程异常退出（{proc.returncode}）：{tail[0][:300]}"}
        return json.loads(out.read_text(encoding="utf-8"))


def judge_notebook(folder: Path, facts: NotebookFacts, sandbox=None, threads: int = 1,
                   seed: int | None = None) -> Verdict:
    """Judge the model one student's notebook exported into ``folder`` (detectors on test
    canvases drawn with ``seed``, by default this run's :func:`grading_seed`)."""
    verdict = Verdict(f"{facts.name}.ipynb", facts.metric or "准确率", facts.param_limit or 0,
                      reached={t.key: False for t in facts.tiers}, show=facts.show)
    model = folder / facts.export
    if not model.is_file():
        verdict.reason = f"找不到导出的模型文件 {facts.export}（请运行导出模型的单元格，并和 notebook 一起提交）"
        return verdict
    if facts.evaluate in DRAWN_AT_GRADING:
        seed = verdict.seed = grading_seed() if seed is None else seed
    inputs, labels = evaluation_inputs(facts.evaluate, seed)
    result = run_predictor(model, inputs, verdict.limit, sandbox, threads, facts.evaluate)
    if "error" in result:
        verdict.reason = f"{facts.export} 无法加载或运行（{result['error']}）"
        return verdict
    verdict.breakdown = result["breakdown"]
    verdict.size = sum(verdict.breakdown.values())
    if result.get("banned"):
        verdict.reason = f"模型中包含 {result['banned']}：禁止使用现成网络"
        return verdict
    if verdict.size > verdict.limit:
        verdict.reason = f"模型大小 {verdict.size:,}（{verdict.parts}）超过上限 {verdict.limit:,}"
        return verdict
    if facts.evaluate == "poem-lm":
        verdict.score = float(result["nats"])
        verdict.samples = textjudge.decode(result["samples"])
        verdict.format_score = text.format_score(verdict.samples)
        verdict.reached = {t.key: facts.reaches(t, verdict.score, verdict.format_score) for t in facts.tiers}
        return verdict
    if facts.evaluate == "detection-canvases":
        verdict.score, _ = detection.mean_average_precision(result["detections"], [labels.targets(i) for i in range(len(labels))])
        verdict.details = f"{TEST_CANVASES:,} 张测试画布"
    elif facts.evaluate == "clip-pairs":
        figures = mmjudge.clip_figures(result, labels)
        verdict.reason = _looked_up(facts.evaluate, figures["zero_shot_ensemble"], figures["jittered"])
        if verdict.reason:
            return verdict
        verdict.score = figures["zero_shot_ensemble"]
        verdict.details = mmjudge.clip_details(figures)
    elif facts.evaluate == "vqa-scenes":
        figures = mmjudge.vqa_figures(result, labels)
        verdict.score = figures["all"]
        verdict.details = mmjudge.vqa_details(figures)
    if facts.evaluate in DRAWN_AT_GRADING:
        verdict.reached = {t.key: facts.reaches(t, verdict.score) for t in facts.tiers}
        return verdict
    preds = np.asarray(result["predictions"])
    clean, shaken = float((preds == labels).mean()), float((np.asarray(result["jittered"]) == labels).mean())
    verdict.reason = _looked_up(facts.evaluate, clean, shaken)
    if verdict.reason:
        return verdict
    if facts.evaluate == "contest-private":
        from ..kaggle import SubmissionError, read_submission
        from . import contest

        try:
            sub = read_submission(folder / "submission.csv")["label"].to_numpy()
        except (SubmissionError, OSError) as exc:
            verdict.reason = f"submission.csv 无效：{exc}"
            return verdict
        same = float((sub == preds).mean())
        if same < AGREEMENT:
            verdict.reason = f"submission.csv 与导出模型的预测只有 {same:.2%} 一致（应 ≥ {AGREEMENT:.0%}）"
            return verdict
        verdict.score = contest.private_score(sub)
    else:
        verdict.score = float((preds == labels).mean())
    verdict.reached = {t.key: facts.reaches(t, verdict.score) for t in facts.tiers}
    return verdict


def _looked_up(kind: str, clean: float, shaken: float) -> str | None:
    """Why a model that loses more than ``JITTER_DROP`` on the jittered test set gets no tier
    (it looks the test set up instead of recognising it), or None."""
    if clean - shaken <= JITTER_DROP:
        return None
    what, data = (("每条评论随机重复一个字", "测试评论") if kind == "sentiment-test"
                  else ("测试图每个像素只改动 1 个灰度", "测试图"))
    measure = "零样本准确率" if kind == "clip-pairs" else "准确率"
    return f"{what}，{measure}就从 {clean:.2%} 降到 {shaken:.2%}：模型像是记住了{data}（查表），而不是学会了分类"


def record(course: Course, stage: str, student: str, verdict: Verdict) -> None:
    """Write the verdict's tier scores into the gradebook (the ``tier-*`` cells)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        try:
            nb = gb.find_submission_notebook(Path(verdict.notebook).stem, stage, student)
        except MissingEntry:
            return
        for grade in nb.grades:
            key = tier_of(grade.name)
            if key is not None:
                grade.auto_score = grade.max_score if verdict.reached.get(key) else 0.0
        gb.db.commit()


def judge_stage(course: Course, stage: str, student: str, sandbox=None, threads: int = 1) -> list[Verdict]:
    """Judge and record every model notebook of one student's autograded stage."""
    facts = stage_facts(course, stage)
    verdicts = []
    folder = course.autograded / student / stage
    for nb in course.notebooks(stage):
        notebook = facts.notebooks.get(nb.stem) if facts else None
        if notebook is None or not notebook.tiers or not (folder / nb.name).is_file():
            continue
        verdict = judge_notebook(folder, notebook, sandbox, threads)
        record(course, stage, student, verdict)
        verdicts.append(verdict)
    return verdicts


def annotate_feedback(course: Course, stage: str, student: str, verdicts: list[Verdict]) -> None:
    """Add each verdict to the top of that notebook's feedback HTML."""
    for verdict in verdicts:
        page = course.feedback / student / stage / (Path(verdict.notebook).stem + ".html")
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        note = ('<div style="border:2px solid #c60;padding:8px;margin:8px 0;font-size:15px">'
                f"<b>档位由导师端评测给出</b>（notebook 里的档位单元只是自测）：{html.escape(verdict.line())}</div>")
        at = text.find("<body")
        at = text.find(">", at) + 1 if at >= 0 else 0
        page.write_text(text[:at] + note + text[at:], encoding="utf-8")


if __name__ == "__main__":
    predict_file(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                 *sys.argv[6:7])
