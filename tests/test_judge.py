"""The mentor-side model judge (west2ai/mentor/judge.py): every model kind a student could
hand in, judged in the grading sandbox as ``grade`` judges it. Nothing trains: the honest
models are least-squares linear classifiers fitted here in a second."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from conftest import ROOT
from west2ai import grading, kaggle
from west2ai.data import fashion_mnist_arrays
from west2ai.mentor import contest, judge
from west2ai.mentor.sandbox import grading_sandbox, sandbox_problem
from west2ai.mentor.stagefile import load_stage

pytestmark = pytest.mark.usefixtures("fashion_mnist")
CNN = load_stage(ROOT / "stage3").notebook("02-cnn-fashion-mnist")
CONTEST = load_stage(ROOT / "stage3").notebook("03-kaggle-contest")
NUMPY_NET = load_stage(ROOT / "stage2").notebook("04-numpy-and-backprop")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    if sandbox_problem():
        pytest.fail(f"the judge runs in the grading sandbox: {sandbox_problem()}")
    return grading_sandbox(tmp_path_factory.mktemp("course"), ROOT)


@pytest.fixture(scope="module")
def linear():
    """A linear classifier fitted by least squares on 10,000 training images (about 80%)."""
    x, y = fashion_mnist_arrays("train")
    x = x[:10_000].reshape(10_000, -1).astype(np.float64) / 255.0
    w, *_ = np.linalg.lstsq(np.c_[x, np.ones(len(x))], np.eye(10)[y[:10_000]], rcond=None)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with torch.no_grad():
        model[1].weight.copy_(torch.from_numpy(w[:-1].T).float())
        model[1].bias.copy_(torch.from_numpy(w[-1]).float())
    return model.eval()


def exported(model, folder, name="cnn.pt2"):
    folder.mkdir(exist_ok=True)
    grading.export_model(model, folder / name)
    return folder


def test_honest_model_is_judged_like_the_kernel_would(linear, sandbox, tmp_path):
    verdict = judge.judge_notebook(exported(linear, tmp_path / "honest"), CNN, sandbox)
    assert verdict.reason is None, verdict.reason
    images, labels = grading.fashion_mnist_test_tensors()
    assert verdict.score == pytest.approx(float((grading.predict(linear, images, device="cpu") == labels.numpy()).mean()))
    assert 0.75 < verdict.score < 0.9
    assert verdict.breakdown["参数"] == 7_850 and verdict.size < 7_850 + 50
    assert verdict.reached == {"pass": False, "good": False, "excellent": False}  # 80% is below 90%
    assert "导师端模型评测" in verdict.line() and "未达及格" in verdict.line()


class Hoarder(nn.Module):
    """The linear model plus spare capacity that the in-kernel count (parameters) misses."""

    def __init__(self, linear, where: str):
        super().__init__()
        self.linear = linear
        spare = torch.zeros(150_000)
        if where == "buffer":
            self.register_buffer("spare", spare)
        else:
            self.spare = spare  # a plain attribute: a constant of the exported program

    def forward(self, x):
        return self.linear(x) + self.spare[:10] * 0


@pytest.mark.parametrize("where, kind", [("buffer", "buffer"), ("attribute", "张量常量")])
def test_capacity_hidden_in_buffers_or_attributes_counts(linear, sandbox, tmp_path, where, kind):
    model = Hoarder(linear, where)
    assert grading.n_params(model) == 7_850  # what the kernel's check sees
    verdict = judge.judge_notebook(exported(model, tmp_path / where), CNN, sandbox)
    assert verdict.breakdown[kind] == 150_000
    assert verdict.reason and "超过上限 100,000" in verdict.reason and kind in verdict.reason
    assert not any(verdict.reached.values())


def test_lookup_model_reading_the_labels_gets_nothing(sandbox, tmp_path):
    """Reads the answers from disk while it predicts: in a kernel that sees the labels it
    scores 100%; exported, what it read is frozen into a constant, and the judge's process
    (no labels to read) scores it for what it is."""

    class Lookup(nn.Module):
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            _, y = fashion_mnist_arrays("test")
            return nn.functional.one_hot(torch.from_numpy(y[: len(x)]).long(), 10).float() + self.dummy

    images, labels = grading.fashion_mnist_test_tensors()
    assert (grading.predict(Lookup(), images, batch_size=10_000, device="cpu") == labels.numpy()).mean() == 1.0
    verdict = judge.judge_notebook(exported(Lookup(), tmp_path / "lookup"), CNN, sandbox)
    assert verdict.score is None or verdict.score < 0.3, verdict.line()
    assert not any(verdict.reached.values())


def test_memorised_test_images_fail_the_jitter_check(sandbox, tmp_path):
    """A hash table of the test images (small enough for the limit) scores high on the
    exact test images, and not when every pixel moves by one grey level."""
    x, y = fashion_mnist_arrays("test")
    proj = torch.randn(784, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    buckets = 90_000
    keys = ((torch.from_numpy(x.reshape(len(x), -1) / 255.0) @ proj) * 1e4).round().long() % buckets
    table = torch.zeros(buckets, dtype=torch.long)
    table[keys] = torch.from_numpy(y).long()

    class Memory(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("proj", proj.float())
            self.register_buffer("table", table.to(torch.int32))

        def forward(self, images):
            key = ((images.flatten(1).double() @ self.proj.double()) * 1e4).round().long() % buckets
            return nn.functional.one_hot(self.table[key].long(), 10).float()

    verdict = judge.judge_notebook(exported(Memory(), tmp_path / "memory"), CNN, sandbox)
    assert verdict.reason and "记住了测试图" in verdict.reason, verdict.reason
    assert not any(verdict.reached.values())


def test_banned_network_is_refused_from_the_file(sandbox, tmp_path):
    from torchvision.models.resnet import BasicBlock

    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), BasicBlock(8, 8), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(8, 10))
    verdict = judge.judge_notebook(exported(model, tmp_path / "banned"), CNN, sandbox)
    assert verdict.reason and "torchvision.models" in verdict.reason


def test_missing_and_corrupt_model_files(sandbox, tmp_path):
    verdict = judge.judge_notebook(tmp_path, CNN, sandbox)
    assert "找不到导出的模型文件 cnn.pt2" in verdict.reason
    (tmp_path / "cnn.pt2").write_bytes(b"PK\x03\x04 not really a zip")
    verdict = judge.judge_notebook(tmp_path, CNN, sandbox)
    assert "cnn.pt2 无法加载或运行" in verdict.reason and not any(verdict.reached.values())


def test_numpy_net_weights_use_the_graders_forward_pass(linear, sandbox, tmp_path):
    w, b = linear[1].weight.detach().numpy().T, linear[1].bias.detach().numpy()
    # A 784-10-10 net computing the linear scores from the grader's standardised input
    # (z = (x - 0.2860) / 0.3530), shifted by 100 so the ReLU passes them, then the identity.
    params = {"W1": 0.3530 * w, "b1": 0.2860 * w.sum(0) + b + 100, "W2": np.eye(10), "b2": np.zeros(10)}
    np.savez(tmp_path / "twolayer.npz", **params, hist_val_acc=np.ones(3))
    verdict = judge.judge_notebook(tmp_path, NUMPY_NET, sandbox)
    assert verdict.reason is None and verdict.breakdown == {"参数": 784 * 10 + 10 + 100 + 10}
    x, y = fashion_mnist_arrays("test")
    z = (x.reshape(len(x), -1) / 255.0 - 0.2860) / 0.3530
    own = (np.maximum(z @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]).argmax(1)
    assert verdict.score == pytest.approx(float((own == y).mean()))
    np.savez(tmp_path / "twolayer.npz", W1=params["W1"], b1=params["b1"], W2=params["W2"], b2=params["b2"],
             extra=np.zeros(5))
    assert "W1、b1、W2、b2" in judge.judge_notebook(tmp_path, NUMPY_NET, sandbox).reason


def test_contest_scores_the_private_part_of_the_models_own_file(linear, sandbox, tmp_path):
    folder = exported(linear, tmp_path / "contest", "contest.pt2")
    images, ids = kaggle.test_tensors()
    preds = grading.predict(linear, images, device="cpu")
    pd.DataFrame({"id": ids, "label": preds}).to_csv(folder / "submission.csv", index=False)
    verdict = judge.judge_notebook(folder, CONTEST, sandbox)
    assert verdict.reason is None, verdict.reason
    assert verdict.score == pytest.approx(contest.private_score(preds))
    # the right answers, handed in with a model that did not write them
    pd.DataFrame({"id": ids, "label": contest.answer_key()}).to_csv(folder / "submission.csv", index=False)
    verdict = judge.judge_notebook(folder, CONTEST, sandbox)
    assert verdict.reason and "一致" in verdict.reason and not any(verdict.reached.values())
    (folder / "submission.csv").write_text("id,label\n1,2\n")
    assert "submission.csv 无效" in judge.judge_notebook(folder, CONTEST, sandbox).reason


def test_judging_process_cannot_see_the_labels(sandbox, tmp_path):
    """Step 1 runs with the datasets hidden: the model only ever gets the images."""
    from west2ai import data

    probe = tmp_path / "probe.py"
    probe.write_text(f"import os; print(os.listdir({str(data.fashion_mnist_root())!r}))")
    import subprocess
    import sys

    cmd = sandbox.hiding(judge._hidden_data()).command(tmp_path, tmp_path, [sys.executable, str(probe)])
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert "t10k-labels" not in out.stdout and "t10k-labels" not in out.stderr
