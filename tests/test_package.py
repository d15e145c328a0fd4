"""Unit tests of the helper package: data loaders, grading checks, training helpers, CLI."""
from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml

from conftest import ROOT
from west2ai import data, grading, training
from west2ai.mentor.course import find_course
from west2ai.mentor.nbgrader import run_nbgrader, tool_env


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


def test_fashion_mnist_arrays_match_official_data(fashion_mnist):
    x, y = data.fashion_mnist_arrays("test")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert y.shape == (10000,) and set(np.unique(y)) == set(range(10))
    xt, yt = data.fashion_mnist_arrays("train")
    assert xt.shape == (60000, 28, 28)
    assert np.bincount(yt).tolist() == [6000] * 10
    with pytest.raises(ValueError):
        data.fashion_mnist_arrays("valid")


def test_fashion_mnist_through_torchvision(fashion_mnist):
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


def test_west2ai_data_directory_is_used_first(fashion_mnist, tmp_path, monkeypatch):
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
            self.table = {img.numpy().tobytes(): int(label) for img, label in zip(images[:50], labels[:50])}

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
    import torch
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
    # the history comes back with the weights: the curves can be drawn in every run
    assert training.load_or_train(fresh, path, train) == {"train_loss": [1.0, 0.5]}
    assert calls == [1] and (fresh.weight == 1).all()
    with pytest.raises(RuntimeError, match="不匹配"):
        training.load_or_train(nn.Linear(4, 2), path, train)
    # an older checkpoint (the weights only) still loads, without history
    torch.save(fresh.state_dict(), path)
    assert training.load_or_train(nn.Linear(3, 2), path, train) is None
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="无法读取.*删除 m.pt"):
        training.load_or_train(nn.Linear(3, 2), path, train)


def test_training_records_the_progress_bars_it_showed(tmp_path):
    """Stage 3 asks for a progress bar on long training: the run counts the bars it showed and
    the checkpoint keeps the count, so a graded run that loads it can check (issue 10)."""
    import torch.nn as nn
    from tqdm import tqdm as plain_tqdm
    from tqdm.auto import tqdm

    def with_bar():
        for _ in tqdm(range(3), leave=False):
            pass
        return {"train_loss": [1.0]}

    def without_bar():
        for _ in plain_tqdm(range(3), disable=True):
            pass
        return {"train_loss": [1.0]}

    assert training.load_or_train(nn.Linear(2, 2), tmp_path / "a.pt", with_bar).progress_bars == 1
    assert training.load_or_train(nn.Linear(2, 2), tmp_path / "a.pt", with_bar).progress_bars == 1  # from the file
    assert training.load_or_train(nn.Linear(2, 2), tmp_path / "b.pt", without_bar).progress_bars == 0
    assert training.load_or_train(nn.Linear(2, 2), tmp_path / "b.pt", without_bar).progress_bars == 0
    from tqdm import std

    original = std.tqdm.__init__
    with training.progress_bars() as bars:
        with_bar()
        without_bar()
    assert (bars.count, bars.shown) == (2, 1)
    assert std.tqdm.__init__ is original, "the hook is removed after the block"


def test_check_history_needs_per_epoch_validation_figures_of_the_trained_model():
    history = training.History({"train_loss": [1.0, 0.5], "train_acc": [0.6, 0.8],
                                "val_loss": [0.9, 0.6], "val_acc": [0.70, 0.78]})
    training.check_history(history, 0.6, 0.78, trainer="train_model", checkpoint="cnn.pt")
    with pytest.raises(AssertionError, match="旧检查点"):
        training.check_history(None, 0.6, 0.78, trainer="train_model", checkpoint="cnn.pt")
    with pytest.raises(AssertionError, match="缺少 \\['val_acc'\\]"):
        training.check_history(training.History({k: v for k, v in history.items() if k != "val_acc"}),
                               0.6, 0.78, trainer="train_model", checkpoint="cnn.pt")
    with pytest.raises(AssertionError, match="验证集上评估"):  # evaluated on another split
        training.check_history(history, 0.3, 0.90, trainer="train_model", checkpoint="cnn.pt")


def test_plot_curves_has_two_axes_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    hist = {"train_loss": [1, 0.5], "test_loss": [1.1, 0.6], "train_acc": [0.5, 0.8], "test_acc": [0.4, 0.7]}
    ax = training.plot_curves(hist, "curves")
    grading.check_plot(ax)
    assert len(ax.figure.axes) == 2
    # validation curves (stage 3 chooses settings on a validation split) are drawn dashed
    ax = training.plot_curves({"train_loss": [1, 0.5], "val_loss": [1.2, 0.7], "val_acc": [0.3, 0.6]}, "val")
    labels = [line.get_label() for axis in ax.figure.axes for line in axis.get_lines()]
    assert labels == ["train loss", "val loss", "val acc"]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--"]


# ------------------------------------------------------------------ CLI
def test_cli_doctor_is_happy_on_a_complete_machine():
    # CI (and `make setup`) installs every package, the datasets and the browser.
    out = subprocess.run([sys.executable, "-m", "west2ai", "doctor"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Fashion-MNIST" in out.stdout and "浏览器" in out.stdout and "一切就绪" in out.stdout


def test_doctor_names_the_fix_for_a_missing_dataset(tmp_path, monkeypatch, capsys):
    from west2ai.mentor.doctor import run_doctor

    monkeypatch.delenv("WEST2AI_DATA", raising=False)
    monkeypatch.setenv("WEST2AI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "SYSTEM_FASHION_MNIST", tmp_path / "absent")
    assert run_doctor() == 1
    out = capsys.readouterr().out
    assert "[缺失] Fashion-MNIST" in out and "apt-get install dataset-fashion-mnist" in out.split("需要安装的内容")[1]


def test_the_cli_acts_on_the_course_in_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert find_course(cwd=tmp_path).root == tmp_path.resolve()
    assert find_course(cwd=tmp_path / "..").root == ROOT  # no config there: the kit's checkout
    assert find_course(str(ROOT), cwd=tmp_path).root == ROOT
    out = subprocess.run([sys.executable, "-m", "west2ai", "release", "--check", "stage1"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 2 and "未知阶段" in out.stderr and "source/ 为空" in out.stderr, out.stderr


def test_nbgrader_children_find_the_tools_of_this_python_unactivated(tmp_path):
    env = tool_env({"PATH": "/usr/bin:/bin"})
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)
    assert "NBGRADER_EXECUTION" not in tool_env() and tool_env({"NBGRADER_EXECUTION": "1"})["NBGRADER_EXECUTION"]
    # A mentor's `…/bin/python -m west2ai` with a bare PATH: nbgrader still reaches alembic for the gradebook.
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    (tmp_path / "source" / "stage9").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# quiz")]
    nbformat.write(nb, tmp_path / "source" / "stage9" / "01-quiz.ipynb")
    out = subprocess.run([sys.executable, "-m", "west2ai", "release", "stage9"], cwd=tmp_path, capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "release" / "stage9" / "01-quiz.ipynb").is_file() and (tmp_path / "gradebook.db").is_file()


def test_cli_rejects_unknown_stage():
    out = subprocess.run([sys.executable, "-m", "west2ai", "release", "stage42", "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "未知阶段" in out.stderr


def test_an_nbgrader_step_past_its_time_limit_is_killed_and_reported(tmp_path):
    import time

    (tmp_path / "nbgrader_config.py").write_text("import time\ntime.sleep(30)\n")
    start = time.perf_counter()
    res = run_nbgrader(tmp_path, "generate_assignment", "quiz", timeout=2)
    assert res.timed_out and not res.ok
    assert time.perf_counter() - start < 15


def test_grade_table_shows_scores_tiers_manual_marks_and_problems():
    from west2ai.mentor.grade import format_table
    from west2ai.mentor.scores import NotebookScore, StageResult

    results = [
        StageResult("102301234", "stage1", [NotebookScore("01-a.ipynb", 10, 20, 10, 15, True)], ["缺交 02-b.ipynb"]),
        StageResult("张三", "stage1", [NotebookScore("02-cnn.ipynb", 30, 30, 30, 30, False,
                                                    {"pass": True, "good": False, "excellent": True})]),
        StageResult("张三", "stage2", [NotebookScore("01-x.ipynb", 5, 30, 5, 30, False)]),
    ]
    lines = format_table(results).splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:3]}
    assert lines[0].split() == ["学生", "stage1", "stage2", "总分"]
    assert rows["102301234"] == ["10/20*", "-", "10/20"]
    assert rows["张三"] == ["30/30", "(02:及格)", "5/30", "35/60"]  # a tier counts only when the ones below it hold
    assert "* 含待人工评分" in lines[3] and lines[-1].strip() == "102301234/stage1: 缺交 02-b.ipynb"


def test_tier_progress_prints_the_figure_and_the_distance(capsys):
    from west2ai.grading import GradingError, tier_progress

    tiers = {"及格": 0.90, "良好": 0.915, "优秀": 0.92}
    assert tier_progress(0.903, tiers, "及格") == "测试集准确率 90.30%：已达及格，距良好 1.20 个百分点"
    assert "已达及格" in capsys.readouterr().out
    with pytest.raises(GradingError, match="已达及格，距良好 1.20 个百分点；本单元格检查的是良好线 91.5%"):
        tier_progress(0.903, tiers, "良好")
    assert tier_progress(0.93, tiers, "优秀") == "测试集准确率 93.00%：已达优秀"
    assert tier_progress(0.5, tiers) == "测试集准确率 50.00%：未达任何档位，距及格 40.00 个百分点"


def test_recurrent_layer_harness_passes_torch_and_catches_each_kind_of_mistake():
    """Stage 4's hidden tests of MyRNN / MyLSTM / MyGRU (grading.check_recurrent_layer)."""
    from torch import nn

    def batch_first(cls):
        return lambda i, h, num_layers: cls(i, h, num_layers=num_layers, batch_first=True)

    cases, grad = [(2, 3, 2, 3, 1), (1, 4, 3, 2, 2)], (2, 3, 2, 3, 2)
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        grading.check_recurrent_layer(batch_first(cls), cls, cases, seed=1, gradient_case=grad)

    class FrozenStart(nn.GRU):  # the initial state cut from the graph: right values, no gradient for h0
        def forward(self, x, h0=None):
            return super().forward(x, None if h0 is None else h0.detach())

    wrong = {
        "time-major": (lambda i, h, num_layers: nn.GRU(i, h, num_layers=num_layers), nn.GRU, "最大相差|形状不对"),
        "no gradient to h0": (batch_first(FrozenStart), nn.GRU, "应有梯度"),
        "RNN for LSTM": (batch_first(nn.RNN), nn.LSTM, "state_dict"),
    }
    for mine, ref, words in wrong.values():
        with pytest.raises((grading.GradingError, RuntimeError), match=words):
            grading.check_recurrent_layer(mine, ref, cases, seed=1, gradient_case=grad)
