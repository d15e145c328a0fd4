"""The Fashion-MNIST Kaggle-style contest of stage 3 (west2ai.kaggle)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from west2ai import kaggle as K
from west2ai.data import fashion_mnist_arrays, md5_of
from west2ai.mentor import contest as C

pytestmark = pytest.mark.usefixtures("fashion_mnist")


@pytest.fixture(scope="module")
def contest(tmp_path_factory):
    return K.make_contest(tmp_path_factory.mktemp("contest"))


@pytest.fixture(scope="module")
def key():
    return C.answer_key()


def submission(labels, ids=None):
    return pd.DataFrame({"id": K.test_ids() if ids is None else ids, "label": labels})


# ------------------------------------------------------------------ files
def test_files_have_the_kaggle_layout(contest):
    train = pd.read_csv(contest.train)
    assert list(train.columns) == ["id", "label"] + K.PIXEL_COLUMNS
    assert len(train) == K.N_TRAIN == 10_000
    assert train["id"].tolist() == K.train_ids().tolist()
    assert train["label"].between(0, 9).all()
    assert np.bincount(train["label"], minlength=10).min() > 900  # roughly balanced
    pixels = train[K.PIXEL_COLUMNS].to_numpy()
    assert pixels.min() == 0 and pixels.max() == 255

    test = pd.read_csv(contest.test)
    assert list(test.columns) == ["id"] + K.PIXEL_COLUMNS
    assert len(test) == K.N_TEST == 10_000
    assert test["id"].tolist() == K.test_ids().tolist()
    assert not set(test["id"]) & set(train["id"])

    sample = pd.read_csv(contest.sample_submission)
    assert list(sample.columns) == ["id", "label"]
    assert sample["id"].tolist() == K.test_ids().tolist()
    assert (sample["label"] == 0).all()


def test_answer_key_is_not_written(contest):
    names = sorted(p.name for p in contest.train.parent.iterdir())
    assert names == ["sample_submission.csv", "test.csv", "train.csv"]
    assert "label" not in pd.read_csv(contest.test, nrows=1).columns


def test_train_rows_come_from_the_official_train_split(contest):
    x, y = fashion_mnist_arrays("train")
    rows = K._layout()["train_rows"]
    assert len(set(rows.tolist())) == K.N_TRAIN
    train = pd.read_csv(contest.train, nrows=50)
    assert np.array_equal(train[K.PIXEL_COLUMNS].to_numpy(), x[rows[:50]].reshape(50, -1))
    assert np.array_equal(train["label"].to_numpy(), y[rows[:50]])


def test_test_rows_are_the_shuffled_official_test_split(contest):
    x, y = fashion_mnist_arrays("test")
    rows = K._layout()["test_rows"]
    assert sorted(rows.tolist()) == list(range(K.N_TEST))
    assert not np.array_equal(rows, np.arange(K.N_TEST))  # shuffled
    test = pd.read_csv(contest.test, nrows=50)
    assert np.array_equal(test[K.PIXEL_COLUMNS].to_numpy(), x[rows[:50]].reshape(50, -1))
    assert np.array_equal(C.answer_key(), y[rows])
    images, ids = K.test_tensors()
    assert tuple(images.shape) == (10_000, 1, 28, 28) and str(images.dtype) == "torch.float32"
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert np.allclose(images[:50].reshape(50, -1).numpy() * 255, test[K.PIXEL_COLUMNS].to_numpy())
    assert ids.tolist() == K.test_ids().tolist()


def test_generation_is_deterministic(contest, tmp_path):
    again = K.make_contest(tmp_path)
    for a, b in zip((contest.train, contest.test, contest.sample_submission),
                    (again.train, again.test, again.sample_submission)):
        assert a.read_bytes() == b.read_bytes()
    for name, md5 in K.FILE_MD5.items():
        assert md5_of(tmp_path / name) == md5, name


def test_valid_files_are_kept_and_damaged_ones_rewritten(contest, tmp_path):
    files = K.make_contest(tmp_path)
    before = files.test.stat().st_mtime_ns
    K.make_contest(tmp_path)
    assert files.test.stat().st_mtime_ns == before  # valid: not rewritten
    files.train.write_text("id,label\n1,0\n")
    files.sample_submission.unlink()
    K.make_contest(tmp_path)
    assert files.train.read_bytes() == contest.train.read_bytes()
    assert files.sample_submission.read_bytes() == contest.sample_submission.read_bytes()
    assert not list(tmp_path.glob(".*.part"))


# ------------------------------------------------------------------ public / private split
def test_public_private_split_is_30_70_disjoint_and_fixed():
    public = K.public_mask()
    assert public.dtype == bool and public.shape == (K.N_TEST,)
    assert public.sum() == 3_000 and (~public).sum() == 7_000
    assert np.array_equal(public, K.public_mask())
    assert not np.array_equal(public, np.arange(K.N_TEST) < 3_000)  # not simply the first rows
    public[:] = False  # a copy: callers cannot change the split
    assert K.public_mask().sum() == 3_000


def test_split_is_stratified_enough(key):
    public = K.public_mask()
    share = np.bincount(key[public], minlength=10) / np.bincount(key, minlength=10)
    assert np.all(np.abs(share - 0.3) < 0.05)


# ------------------------------------------------------------------ scoring
def test_perfect_submission_scores_one(key, tmp_path):
    path = tmp_path / "perfect.csv"
    submission(key).to_csv(path, index=False)
    assert K.public_score(path) == 1.0
    assert C.private_score(path) == 1.0


def test_scores_count_only_their_part(key):
    public = K.public_mask()
    labels = key.copy()
    labels[public] = (labels[public] + 1) % 10  # wrong on every public row
    assert K.public_score(submission(labels)) == 0.0
    assert C.private_score(submission(labels)) == 1.0
    labels = key.copy()
    wrong = np.flatnonzero(~public)[:700]
    labels[wrong] = (labels[wrong] + 1) % 10
    assert K.public_score(submission(labels)) == 1.0
    assert C.private_score(submission(labels)) == pytest.approx(0.9)


def test_random_and_constant_submissions_score_about_a_tenth(contest):
    labels = np.random.RandomState(1).randint(0, 10, K.N_TEST)
    assert 0.07 < K.public_score(submission(labels)) < 0.13
    assert 0.08 < C.private_score(submission(labels)) < 0.12
    for score in (K.public_score, C.private_score):
        value = score(contest.sample_submission)
        assert type(value) is float and 0.07 < value < 0.13


def test_row_order_does_not_matter(key):
    rows = np.random.RandomState(2).permutation(K.N_TEST)
    shuffled = submission(key[rows], ids=K.test_ids()[rows])
    assert C.private_score(shuffled) == 1.0
    read = K.read_submission(shuffled)
    assert read["id"].tolist() == K.test_ids().tolist()
    assert np.array_equal(read["label"].to_numpy(), key)
    assert read["id"].dtype == np.int64 and read["label"].dtype == np.int64


# ------------------------------------------------------------------ format errors
def write(tmp_path, text: str):
    path = tmp_path / "submission.csv"
    path.write_text(text)
    return path


def check_error(kind, sub, *fragments):
    with pytest.raises(K.SubmissionError) as info:
        K.read_submission(sub)
    assert info.value.kind == kind, str(info.value)
    for fragment in fragments:
        assert fragment in str(info.value)
    with pytest.raises(K.SubmissionError):  # the scorers refuse it too
        C.private_score(sub)


def test_missing_file(tmp_path):
    check_error("missing_file", tmp_path / "nope.csv", "找不到提交文件", "nope.csv")


def test_empty_or_binary_file(tmp_path):
    check_error("bad_csv", write(tmp_path, ""), "CSV")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00id,label\n\x80\x81")
    with pytest.raises(K.SubmissionError) as info:
        K.read_submission(path)
    assert info.value.kind in ("bad_csv", "columns")


def test_wrong_columns(tmp_path, key):
    sub = submission(key)
    path = tmp_path / "indexed.csv"
    sub.to_csv(path)  # forgot index=False
    check_error("columns", path, "id,label", "index=False")
    check_error("columns", sub[["label", "id"]], "顺序")
    check_error("columns", sub.rename(columns={"label": "Label"}), "Label")
    check_error("columns", sub.assign(prob=0.5), "prob")


def test_duplicated_ids(key):
    sub = submission(key)
    sub.loc[5, "id"] = sub.loc[4, "id"]
    check_error("duplicate_ids", sub, "重复", str(sub.loc[4, "id"]))


def test_unknown_ids_such_as_row_numbers(key):
    check_error("unknown_ids", submission(key, ids=np.arange(K.N_TEST)), "不在 test.csv", "行号")
    ids = K.test_ids().copy()
    ids[0] = 99
    check_error("unknown_ids", submission(key, ids=ids), "99")


def test_missing_ids_and_wrong_row_count(key):
    sub = submission(key).iloc[:-10]
    check_error("missing_ids", sub, "10,000", "9,990", str(K.test_ids()[-10]))
    check_error("missing_ids", submission(key).iloc[:0], "10,000")


def test_labels_must_be_integers_0_to_9(key, tmp_path):
    check_error("label_type", submission(key.astype(float)), "astype(int)")
    floats = submission(key.astype(float))
    floats.loc[3, "label"] = 2.5
    check_error("label_type", floats, "0–9 的整数")
    missing = submission(key.astype(float))
    missing.loc[3, "label"] = np.nan
    check_error("label_type", missing, "空值")
    names = submission(np.array(["Coat"] * K.N_TEST))
    check_error("label_type", names, "Coat")
    check_error("label_type", submission(key == 3), "0–9")
    labels = key.copy()
    labels[7] = 10
    check_error("label_range", submission(labels), "10")
    labels[7] = -1
    check_error("label_range", submission(labels), "-1")
    path = write(tmp_path, "id,label\n" + "".join(f"{i},{k}\n" for i, k in zip(K.test_ids(), key)))
    assert K.read_submission(path)["label"].tolist() == key.tolist()


def test_id_column_must_be_integers(key):
    ids = K.test_ids().astype(float)
    ids[2] = np.nan
    check_error("id_type", submission(key, ids=ids), "id")


def test_dataframe_argument_is_not_modified(key):
    sub = submission(key)[::-1]
    before = sub.copy()
    K.read_submission(sub)
    pd.testing.assert_frame_equal(sub, before)


def test_student_package_has_no_private_score():
    assert not any("private" in name or "answer" in name for name in dir(K))


# ------------------------------------------------------------------ the notebook's self-check
def test_check_submission_checks_the_model_and_its_file(key, tmp_path):
    import torch
    import torch.nn as nn

    from west2ai.grading import GradingError

    images, _ = K.test_tensors()
    table = {img.numpy().tobytes(): int(k) for img, k in zip(images, key)}

    class Oracle(nn.Module):  # knows every test label: its own submission scores 1
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(1))

        def forward(self, x):
            out = torch.zeros(len(x), 10)
            out[torch.arange(len(x)), torch.tensor([table[img.numpy().tobytes()] for img in x])] = 1
            return out * self.scale

    constant = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.zeros_(constant[1].weight)
    nn.init.zeros_(constant[1].bias)  # all logits equal: argmax says class 0
    files = {}
    for name, labels, ids in (("perfect", key, None), ("zeros", np.zeros(K.N_TEST, dtype=int), None),
                              ("row-numbers", key, np.arange(K.N_TEST))):
        files[name] = tmp_path / f"{name}.csv"
        submission(labels, ids).to_csv(files[name], index=False)

    assert K.check_submission(Oracle(), files["perfect"], {"及格": 0.85, "优秀": 0.89}, "优秀") == 1.0
    with pytest.raises(GradingError, match="只有 .* 一致"):  # a file the model did not produce
        K.check_submission(constant, files["perfect"], {"及格": 0.85}, "及格")
    with pytest.raises(GradingError, match="公开榜准确率 .*未达任何档位，距及格 .*个百分点.*及格线 85%"):
        K.check_submission(constant, files["zeros"], {"及格": 0.85}, "及格")
    with pytest.raises(K.SubmissionError, match="行号"):
        K.check_submission(Oracle(), files["row-numbers"], {"及格": 0.85}, "及格")
    oversized = nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.Linear(200, 10))
    with pytest.raises(GradingError, match="超过上限 100,000"):
        K.check_submission(oversized, files["perfect"], {"及格": 0.85}, "及格")
