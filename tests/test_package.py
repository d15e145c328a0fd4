"""Unit tests of the helper package: data loaders, grading checks, training helpers, CLI."""
from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from west2ai import data, grading, training
from west2ai.course import repo_root

ROOT = repo_root()


# ------------------------------------------------------------------ project files
def test_requirements_and_environment_agree():
    reqs = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt 应固定版本：{line}"
            reqs[name.lower()] = version
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.txt" in pip_section
    assert reqs["torch"] == "2.14.1" and reqs["torchvision"] == "0.29.1"
    assert reqs["nbgrader"].startswith("0.9.")
    assert reqs["jupyterlab"].startswith("4.")
    for name in ("numpy", "pandas", "matplotlib", "tqdm", "nbformat", "nbclient", "lxml", "selenium"):
        assert name in reqs, f"requirements.txt 缺少 {name}"


def test_readme_names_the_one_line_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:3000]
    for cmd in ("make demo", "make test"):
        assert cmd in head, f"README 开头应给出 {cmd}"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run 应调用 README 中的测试命令"


# ------------------------------------------------------------------ data
def test_poems_are_clean_utf8_entries():
    tang = data.poems("tang300")
    song = data.poems("song100")
    assert len(tang) > 300 and len(song) > 90
    for p in tang + song:
        assert p.title and p.author and p.text
        assert "\x1b" not in p.title + p.author + p.text, "ANSI 颜色码未清除"
        assert not p.author.startswith("作者")
    assert any(p.author == "李白" for p in tang)
    with pytest.raises(ValueError):
        data.poems("nope")


def test_fashion_mnist_arrays_match_official_data():
    x, y = data.fashion_mnist_arrays("test")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert y.shape == (10000,) and set(np.unique(y)) == set(range(10))
    xt, yt = data.fashion_mnist_arrays("train")
    assert xt.shape == (60000, 28, 28)
    assert np.bincount(yt).tolist() == [6000] * 10
    with pytest.raises(ValueError):
        data.fashion_mnist_arrays("valid")


def test_fashion_mnist_through_torchvision():
    ds = data.fashion_mnist(train=False)
    img, label = ds[0]
    assert len(ds) == 10000 and img.size == (28, 28) and label == 9


def _fake_gz_set(folder: Path) -> None:
    # Tiny idx files: the MD5 check must reject them as not the official data.
    folder.mkdir(parents=True)
    for name in data.FASHION_MNIST_FILES:
        with gzip.open(folder / f"{name}.gz", "wb") as f:
            f.write(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")


def test_missing_dataset_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("WEST2AI_DATA", str(tmp_path / "nothing"))
    monkeypatch.setenv("WEST2AI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "SYSTEM_FASHION_MNIST", tmp_path / "absent")
    with pytest.raises(data.DatasetNotFound) as err:
        data.fashion_mnist_root()
    msg = str(err.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "WEST2AI_DATA" in msg and "download=True" in msg


def test_corrupt_dataset_is_rejected(tmp_path, monkeypatch):
    _fake_gz_set(tmp_path / "bad")
    monkeypatch.setenv("WEST2AI_DATA", str(tmp_path / "bad"))
    monkeypatch.setenv("WEST2AI_CACHE", str(tmp_path / "cache"))
    with pytest.raises(data.DatasetNotFound, match="MD5"):
        data.fashion_mnist_root()


def test_west2ai_data_directory_is_used_first(tmp_path, monkeypatch):
    raw = tmp_path / "mine" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    system_raw = data.fashion_mnist_root() / "FashionMNIST" / "raw"
    for name, md5 in data.FASHION_MNIST_FILES.items():
        (raw / name).symlink_to((system_raw / name).resolve())
        assert hashlib.md5((raw / name).read_bytes()).hexdigest() == md5
    monkeypatch.setenv("WEST2AI_DATA", str(tmp_path / "mine"))
    assert data.fashion_mnist_root() == tmp_path / "mine"


# ------------------------------------------------------------------ grading helpers
def test_param_limit_and_bans():
    import torch.nn as nn
    import torchvision

    small = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert grading.n_params(small) == 7850
    grading.check_param_limit(small, 10_000)
    with pytest.raises(grading.GradingError, match="超过上限"):
        grading.check_param_limit(small, 1000)
    grading.check_not_banned(small)
    with pytest.raises(grading.GradingError, match="torchvision.models"):
        grading.check_not_banned(torchvision.models.resnet18(num_classes=10))

    class Disguised(torchvision.models.resnet.BasicBlock):  # a subclass is still the library's block
        pass

    with pytest.raises(grading.GradingError, match="torchvision.models"):
        grading.check_not_banned(nn.Sequential(nn.Conv2d(1, 8, 3), Disguised(8, 8)))
    with pytest.raises(grading.GradingError):
        grading.n_params("not a model")


def test_accuracy_is_computed_from_the_model_itself():
    import torch
    import torch.nn as nn

    images, labels = grading.fashion_mnist_test_tensors()

    class Oracle(nn.Module):  # predicts by looking up the true label: accuracy must be 1
        def __init__(self):
            super().__init__()
            self.table = {img.numpy().tobytes(): int(l) for img, l in zip(images[:50], labels[:50])}

        def forward(self, x):
            out = torch.zeros(len(x), 10)
            for i, img in enumerate(x):
                out[i, self.table.get(img.numpy().tobytes(), 0)] = 1
            return out

    preds = grading.predict(Oracle(), images[:50])
    assert (preds == labels[:50].numpy()).all()
    constant = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.zeros_(constant[1].weight)
    acc = grading.fashion_mnist_accuracy(constant)
    assert abs(acc - 0.1) < 1e-9  # always class 0, which is 10% of the test set
    # A tier test: the same accuracy against a threshold, after the limit and the bans.
    assert grading.fashion_mnist_tier(constant, 0.1, "及格", limit=10_000) == acc
    with pytest.raises(grading.GradingError, match="测试集准确率 10.00%，未达到良好线 91.5%"):
        grading.fashion_mnist_tier(constant, 0.915, "良好", limit=10_000)
    with pytest.raises(grading.GradingError, match="超过上限 1,000"):
        grading.fashion_mnist_tier(constant, 0.0, "及格", limit=1_000)


def test_exact_type_and_close():
    assert grading.exact_type([1], list, "x") == [1]
    with pytest.raises(grading.GradingError):
        grading.exact_type(True, int, "x")
    grading.close(0.5, 0.5, "p")
    with pytest.raises(grading.GradingError):
        grading.close("0.5", 0.5, "p")
    with pytest.raises(grading.GradingError):
        grading.close(0.6, 0.5, "p")


def test_check_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], label="a")
    with pytest.raises(grading.GradingError, match="标题"):
        grading.check_plot(ax)
    ax.set_title("t")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    with pytest.raises(grading.GradingError, match="图例"):
        grading.check_plot(ax)
    ax.legend()
    grading.check_plot(ax)
    plt.close(fig)


# ------------------------------------------------------------------ training helpers
def test_load_or_train_trains_once_then_loads(tmp_path, capsys):
    import torch.nn as nn

    model = nn.Linear(3, 2)
    calls = []

    def train():
        calls.append(1)
        nn.init.ones_(model.weight)
        return {"train_loss": [1.0, 0.5]}

    path = tmp_path / "m.pt"
    assert training.load_or_train(model, path, train) == {"train_loss": [1.0, 0.5]}
    fresh = nn.Linear(3, 2)
    assert training.load_or_train(fresh, path, train) is None
    assert calls == [1] and (fresh.weight == 1).all()
    with pytest.raises(RuntimeError, match="不匹配"):
        training.load_or_train(nn.Linear(4, 2), path, train)


def test_plot_curves_has_two_axes_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    hist = {"train_loss": [1, 0.5], "test_loss": [1.1, 0.6], "train_acc": [0.5, 0.8], "test_acc": [0.4, 0.7]}
    ax = training.plot_curves(hist, "curves")
    grading.check_plot(ax)
    assert len(ax.figure.axes) == 2


# ------------------------------------------------------------------ CLI
def test_cli_doctor_reports_datasets_and_browser():
    out = subprocess.run([sys.executable, "-m", "west2ai", "doctor"], capture_output=True, text=True)
    assert "Fashion-MNIST" in out.stdout and "浏览器" in out.stdout, out.stdout + out.stderr
    assert out.returncode in (0, 1)


def test_cli_rejects_unknown_stage():
    out = subprocess.run([sys.executable, "-m", "west2ai", "release", "stage42", "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "未知阶段" in out.stderr


def test_an_nbgrader_step_past_its_time_limit_is_killed_and_reported(tmp_path):
    import time

    from west2ai.course import Course

    (tmp_path / "nbgrader_config.py").write_text("import time\ntime.sleep(30)\n")
    start = time.perf_counter()
    res = Course(tmp_path).nbgrader("generate_assignment", "quiz", timeout=2)
    assert res.timed_out and not res.ok
    assert time.perf_counter() - start < 15
