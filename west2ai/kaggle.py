"""A Kaggle-style contest built from Fashion-MNIST, the same on every machine.

``make_contest(directory)`` writes what a Kaggle competition page would offer:

- ``train.csv``: 10,000 labelled images sampled from the official training split,
  columns ``id,label,pixel0..pixel783`` (ids 1..10000);
- ``test.csv``: the 10,000 official test images, shuffled, without labels, columns
  ``id,pixel0..pixel783`` (ids 10001..20000 in file order);
- ``sample_submission.csv``: ``id,label`` with every label 0.

The answer key never goes to the student's directory. Like Kaggle, the test rows are split
once into a public 30% (``public_score``, the leaderboard the student sees) and a private
70%, which only the mentor-side grader scores (``west2ai.mentor.contest``: this module has
no private score). The private score is not protected by secrecy (Fashion-MNIST's test
labels are public) but by the judge: it scores the exported model, run in a process that
sees the test images only, and accepts ``submission.csv`` only when the model wrote it.

Every random choice comes from ``numpy.random.RandomState``, whose stream numpy keeps
frozen, so the files and the key are byte-identical across numpy versions and machines.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .data import fashion_mnist_arrays, md5_of

SEED = 20240917
N_TRAIN = 10_000
N_TEST = 10_000
PUBLIC_FRACTION = 0.3
N_PUBLIC = int(round(N_TEST * PUBLIC_FRACTION))
N_CLASSES = 10
TRAIN_ID_START = 1
TEST_ID_START = 10_001
PIXEL_COLUMNS = [f"pixel{i}" for i in range(28 * 28)]
SUBMISSION_COLUMNS = ["id", "label"]

# MD5 of each file ``make_contest`` writes; an existing file with this digest is kept as is.
FILE_MD5 = {
    "train.csv": "15b6ab3dd13481595a27b50115736cfa",
    "test.csv": "852c185049d3fc9cd60f1412b8c482ad",
    "sample_submission.csv": "1676c3d6d65360eac509c21fb29c868c",
}


class SubmissionError(ValueError):
    """A submission file is malformed. ``kind`` names the problem; the message (Chinese)
    says how to fix it.

    kinds: ``missing_file``, ``bad_csv``, ``columns``, ``id_type``, ``label_type``,
    ``label_range``, ``duplicate_ids``, ``unknown_ids``, ``missing_ids``.
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ContestFiles:
    """Paths of the files ``make_contest`` wrote (or found already valid)."""

    train: Path
    test: Path
    sample_submission: Path


# ------------------------------------------------------------------ the contest itself
@lru_cache(maxsize=1)
def _layout() -> dict:
    """Which official rows go where. Cached: costs one read of the idx files."""
    rng = np.random.RandomState(SEED)
    train_rows = rng.permutation(60_000)[:N_TRAIN]  # official train rows, in train.csv order
    test_rows = rng.permutation(N_TEST)  # official test rows, in test.csv order
    public = np.zeros(N_TEST, dtype=bool)
    public[rng.permutation(N_TEST)[:N_PUBLIC]] = True  # by position in test.csv
    return {"train_rows": train_rows, "test_rows": test_rows, "public": public}


def train_ids() -> np.ndarray:
    """The ids of ``train.csv``, in file order."""
    return np.arange(TRAIN_ID_START, TRAIN_ID_START + N_TRAIN, dtype=np.int64)


def test_ids() -> np.ndarray:
    """The ids of ``test.csv``, in file order."""
    return np.arange(TEST_ID_START, TEST_ID_START + N_TEST, dtype=np.int64)


def public_mask() -> np.ndarray:
    """Boolean mask over the rows of ``test.csv``: True for the public 30%."""
    return _layout()["public"].copy()


def _train_arrays() -> tuple[np.ndarray, np.ndarray]:
    x, y = fashion_mnist_arrays("train")
    rows = _layout()["train_rows"]
    return x[rows], y[rows]


def test_images() -> np.ndarray:
    """The test images (uint8, 10000×28×28) in ``test.csv`` order."""
    x, _ = fashion_mnist_arrays("test")
    return x[_layout()["test_rows"]]


@lru_cache(maxsize=1)
def _public_key() -> np.ndarray:
    """Labels of the public rows, in ``test.csv`` order (never written to disk)."""
    _, y = fashion_mnist_arrays("test")
    return y[_layout()["test_rows"]][_layout()["public"]]


def test_tensors():
    """The test images as the grader sees them: ``(images, ids)`` in ``test.csv`` order,
    images a float tensor (10000, 1, 28, 28) in [0, 1], ids an int64 numpy array.

    Self-checks use this instead of the student's ``test.csv``, which could be edited.
    """
    import torch

    x = test_images()
    images = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    return images, test_ids()


# ------------------------------------------------------------------ writing the files
_CELL = [b"%d" % v for v in range(256)]


def _csv_bytes(header: list[str], ids: np.ndarray, *columns: np.ndarray) -> bytes:
    """A CSV as bytes: ``ids``, then the small non-negative ints of each 1-D or 2-D column."""
    cols = [c.reshape(len(ids), -1) for c in columns]
    table = np.concatenate(cols, axis=1) if cols else np.zeros((len(ids), 0), np.uint8)
    if table.size and (table.min() < 0 or table.max() > 255):
        raise ValueError("values must fit in 0..255")
    cell = _CELL
    lines = [",".join(header).encode()]
    for i, row in zip(ids.tolist(), table.tolist()):
        lines.append(b",".join([b"%d" % i] + [cell[v] for v in row]))
    return b"\n".join(lines) + b"\n"


def _file_bytes(name: str) -> bytes:
    if name == "train.csv":
        x, y = _train_arrays()
        return _csv_bytes(["id", "label"] + PIXEL_COLUMNS, train_ids(), y, x.reshape(N_TRAIN, -1))
    if name == "test.csv":
        x = test_images()
        return _csv_bytes(["id"] + PIXEL_COLUMNS, test_ids(), x.reshape(N_TEST, -1))
    if name == "sample_submission.csv":
        return _csv_bytes(SUBMISSION_COLUMNS, test_ids(), np.zeros(N_TEST, dtype=np.int64))
    raise KeyError(name)


def make_contest(directory=".") -> ContestFiles:
    """Write ``train.csv``, ``test.csv`` and ``sample_submission.csv`` into ``directory``.

    A file already there with the expected content (checked by MD5) is left alone, so a
    second call costs a fraction of a second; a missing, edited or truncated one is
    rewritten (a few seconds). The answer key is never written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, md5 in FILE_MD5.items():
        path = directory / name
        if path.is_file() and md5_of(path) == md5:
            continue
        data = _file_bytes(name)
        tmp = path.with_name(f".{name}.{os.getpid()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return ContestFiles(
        train=directory / "train.csv",
        test=directory / "test.csv",
        sample_submission=directory / "sample_submission.csv",
    )


# ------------------------------------------------------------------ reading and scoring
def _examples(values, k: int = 5) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:k])
    return shown + (" …" if len(values) > k else "")


def read_submission(submission):
    """Read and validate a submission (a path to a CSV, or a DataFrame).

    Returns a DataFrame with int64 columns ``id,label``, one row per test id, in
    ``test.csv`` order. Raises ``SubmissionError`` (with a Chinese message and a ``kind``)
    when the file is missing or malformed.
    """
    import pandas as pd

    if isinstance(submission, pd.DataFrame):
        df = submission.copy()
        where = "提交的 DataFrame"
    else:
        path = Path(submission)
        where = f"提交文件 {path.name}"
        if not path.is_file():
            raise SubmissionError(
                "missing_file",
                f"找不到提交文件 {path}（完整路径 {path.resolve()}）。"
                "请先运行生成 submission.csv 的单元格，并确认文件名和位置正确。",
            )
        try:
            df = pd.read_csv(path)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise SubmissionError(
                "bad_csv",
                f"{where} 不是有效的 CSV（{type(exc).__name__}）。"
                "它应是逗号分隔的文本，第一行为表头 id,label。",
            ) from exc

    columns = [str(c) for c in df.columns]
    if columns != SUBMISSION_COLUMNS:
        hint = ""
        if columns and columns[0].startswith("Unnamed"):
            hint = "多出的第一列是 DataFrame 的行索引：保存时请用 to_csv(path, index=False)。"
        elif sorted(columns) == sorted(SUBMISSION_COLUMNS):
            hint = "列的顺序应为先 id 后 label。"
        raise SubmissionError(
            "columns",
            f"{where} 的列应恰好是 id,label（顺序一致、没有多余的列），实际为 {columns}。{hint}",
        )

    def integer_column(name: str) -> bool:
        return pd.api.types.is_integer_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name])

    if not integer_column("id"):
        raise SubmissionError(
            "id_type",
            f"{where} 的 id 列应全部是整数（取自 test.csv 的 id 列），实际 dtype 为 "
            f"{df['id'].dtype}（有空值或非整数？）。",
        )
    if not integer_column("label"):
        label = df["label"]
        hint = ""
        if pd.api.types.is_float_dtype(label) and label.notna().all() and (label % 1 == 0).all():
            hint = "它们看起来是小数形式的整数（如 3.0）：写文件前请用 .astype(int) 转换。"
        elif label.isna().any():
            hint = f"有 {int(label.isna().sum())} 个空值。"
        elif not pd.api.types.is_numeric_dtype(label):
            hint = f"例如 {_examples(label.unique(), 3)}：请提交类别编号 0–9，而不是类别名或概率。"
        raise SubmissionError(
            "label_type",
            f"{where} 的 label 列应全部是 0–9 的整数（类别编号），实际 dtype 为 {label.dtype}。{hint}",
        )
    bad = df.loc[(df["label"] < 0) | (df["label"] >= N_CLASSES), "label"]
    if len(bad):
        raise SubmissionError(
            "label_range",
            f"{where} 的 label 应在 0–9 之间，有 {len(bad)} 个超出范围，例如 {_examples(bad.unique())}。",
        )

    ids = df["id"].to_numpy(dtype=np.int64)
    expected = test_ids()
    dup = df["id"][df["id"].duplicated()].unique()
    if len(dup):
        raise SubmissionError(
            "duplicate_ids",
            f"{where} 中有 {len(dup)} 个 id 重复出现，例如 {_examples(dup)}。每个 id 只能出现一次。",
        )
    unknown = ids[~np.isin(ids, expected)]
    if len(unknown):
        hint = ""
        if np.isin(unknown, np.arange(N_TEST)).mean() > 0.5:
            hint = "看起来你用了行号作为 id；"
        raise SubmissionError(
            "unknown_ids",
            f"{where} 中有 {len(unknown)} 个 id 不在 test.csv 中，例如 {_examples(unknown)}。"
            f"{hint}id 必须原样取自 test.csv 的 id 列。",
        )
    if len(ids) != N_TEST:
        missing = expected[~np.isin(expected, ids)]
        raise SubmissionError(
            "missing_ids",
            f"{where} 应有 {N_TEST:,} 行（test.csv 的每个 id 一行），实际 {len(ids):,} 行；"
            f"缺少 {len(missing):,} 个 id，例如 {_examples(missing)}。",
        )

    order = np.argsort(ids)  # expected ids are consecutive and sorted
    out = pd.DataFrame({
        "id": ids[order],
        "label": df["label"].to_numpy(dtype=np.int64)[order],
    })
    return out


def public_score(submission) -> float:
    """Accuracy on the public 30% of the test rows: the leaderboard you get to see."""
    labels = read_submission(submission)["label"].to_numpy()
    return float((labels[public_mask()] == _public_key()).mean())


def check_submission(model, submission, tiers: dict[str, float], tier: str, *, limit: int = 100_000,
                     agreement: float = 0.99) -> float:
    """The notebook's self-check of one tier; returns the public score.

    ``submission`` must be well-formed and be what ``model`` predicts on the test images
    (at least ``agreement`` of the rows), the model must obey the rules (no banned network,
    at most ``limit`` parameters and buffers), and the *public* score must reach the line of
    ``tier`` in ``tiers`` (label -> threshold, lowest first); the score and the distance to
    the next tier are printed. The grade itself comes from the mentor-side grader, which runs
    the exported model and scores the *private* 70%.
    """
    from . import grading

    grading.check_not_banned(model)
    size = grading.n_params(model) + sum(b.numel() for b in model.buffers())
    if size > limit:
        raise grading.GradingError(f"模型参数与 buffer 合计 {size:,} 个数，超过上限 {limit:,}")
    sub = read_submission(submission)  # sorted by id, which is test.csv order
    images, _ = test_tensors()
    same = float((grading.predict(model, images) == sub["label"].to_numpy()).mean())
    if same < agreement:
        raise grading.GradingError(
            f"submission.csv 与 model 对测试集的预测只有 {same:.2%} 一致：请重新运行生成提交文件的单元格"
        )
    score = public_score(sub)
    grading.tier_progress(score, tiers, tier, what="公开榜准确率", note="（最终以导师端的私有榜评测为准）")
    return score
