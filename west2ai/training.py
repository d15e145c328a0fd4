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


def check_history(history, val_loss: float, val_acc: float, trainer: str, checkpoint: str) -> None:
    """The checks of a stage-3 training run, from what ``load_or_train`` returned: the four
    per-epoch lists, and one epoch's validation figures matching the trained model's
    (``val_loss``, ``val_acc``, computed by the caller on the validation split). Raises
    ``AssertionError`` with a Chinese message."""
    def require(condition, message):
        if not condition:
            raise AssertionError(message)

    require(history is not None, f"没有读到训练历史：{checkpoint} 是只有权重的旧检查点。请删除它，重新运行上面的训练单元")
    keys = ("train_loss", "train_acc", "val_loss", "val_acc")
    missing = [k for k in keys if k not in history]
    require(not missing, f"{trainer} 返回的 history 缺少 {missing}，实际只有 {sorted(history)}")
    lengths = {k: len(history[k]) for k in keys}
    require(len(set(lengths.values())) == 1 and lengths["val_acc"] >= 1,
            f"四个列表应每个 epoch 各记一项、长度相同，实际长度为 {lengths}")
    matches = [e for e, (loss, acc) in enumerate(zip(history["val_loss"], history["val_acc"]), 1)
               if abs(loss - val_loss) < 0.005 * max(1.0, val_loss) and abs(acc - val_acc) < 0.005]
    require(matches, f"训练好的模型在验证集上的损失 {val_loss:.4f}、准确率 {val_acc:.2%}，与 history 中任何一个 epoch 的 "
                     f"val_loss / val_acc 都对不上（最后一项为 {history['val_loss'][-1]:.4f} / {history['val_acc'][-1]:.2%}）："
                     "每个 epoch 结束时应调用 evaluate(model, x_val, y_val) 在验证集上评估，而不是测试集")


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
