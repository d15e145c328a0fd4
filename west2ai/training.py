"""Training conveniences shared by the model notebooks: checkpoints, timing, curves."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path


class History(dict):
    """Per-epoch lists (``train_loss``, ``test_acc`` …) plus ``progress_bars``: how many tqdm
    bars the training run showed (``None`` when unknown, e.g. an older checkpoint)."""

    progress_bars: int | None = None


class BarCount:
    """What :func:`progress_bars` counted: ``count`` bars created, ``shown`` of them not disabled."""

    def __init__(self) -> None:
        self.count = 0
        self.shown = 0


@contextmanager
def progress_bars():
    """Count the tqdm progress bars created inside the ``with`` block.

    Every tqdm flavour (``tqdm.auto``, ``tqdm.notebook``, plain ``tqdm``) derives from
    ``tqdm.std.tqdm``, so one hook sees them all. A bar created with ``disable=True`` counts in
    ``count`` but not in ``shown``.
    """
    from tqdm import std

    bars = BarCount()
    original = std.tqdm.__init__

    def counting_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        bars.count += 1
        bars.shown += not getattr(self, "disable", False)

    std.tqdm.__init__ = counting_init
    try:
        yield bars
    finally:
        std.tqdm.__init__ = original


def grading() -> bool:
    """True while nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def load_or_train(model, path, train_fn):
    """Load ``path`` into ``model`` when it exists, else run ``train_fn()`` and save.

    Training then costs the student once and grading costs seconds (COURSE.md §3). While
    nbgrader grades, an existing checkpoint is always used; a missing one means the model
    is trained within the notebook's budget. The checkpoint keeps the training history
    (``train_fn``'s return value, a dict of per-epoch lists) next to the weights, so the
    curves can be drawn in every run, graded ones included, and how many progress bars the
    training showed. Returns that :class:`History` (``None`` for an older checkpoint holding
    the weights only).
    """
    import torch

    path = Path(path)
    if path.exists():
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            history = None
            if isinstance(state, dict) and {"model", "history"} <= set(state) <= {"model", "history", "progress_bars"}:
                history = _history(state["history"], state.get("progress_bars"))
                state = state["model"]
            model.load_state_dict(state)
        except Exception as exc:  # a stale checkpoint from an older architecture, or a damaged file
            raise RuntimeError(
                f"检查点 {path} 无法读取或与当前模型结构不匹配（{type(exc).__name__}）。"
                f"如果你修改了模型或文件已损坏，请删除 {path.name} 后重新训练。"
            ) from exc
        print(f"已加载检查点 {path}（删除该文件即可重新训练）")
        return history
    start = time.perf_counter()
    with progress_bars() as bars:
        history = train_fn()
    print(f"训练用时 {time.perf_counter() - start:.1f} s")
    plain = _plain(history)
    torch.save({"model": model.state_dict(), "history": plain, "progress_bars": bars.shown}, path)
    print(f"已保存检查点 {path}")
    return _history(plain, bars.shown)


def _plain(history):
    """``history`` as plain Python numbers (what ``torch.load(weights_only=True)`` reads back)."""
    try:
        return {str(k): [float(v) for v in values] for k, values in history.items()}
    except (AttributeError, TypeError, ValueError):
        return None


def _history(plain, bars) -> History:
    history = History(plain or {})
    history.progress_bars = bars if isinstance(bars, int) else None
    return history


def plot_curves(history, title: str, ax=None):
    """Loss (left axis) and accuracy (right axis) per epoch: training solid, validation
    dashed, test dotted.

    ``history`` maps names like ``train_loss``, ``val_loss``, ``test_loss``, ``train_acc``,
    ``val_acc``, ``test_acc`` to per-epoch lists; missing ones are left out. Returns the left
    Axes (its figure holds both).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    acc_ax = ax.twinx()
    lines = []
    for axis, metric, colour in ((ax, "loss", "C0"), (acc_ax, "acc", "C1")):
        for split, dash in (("train", "-"), ("val", "--"), ("test", ":")):
            values = history.get(f"{split}_{metric}")
            if values:
                lines += axis.plot(range(1, len(values) + 1), values, colour + dash, label=f"{split} {metric}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    acc_ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return ax
