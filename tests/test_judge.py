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


# ------------------------------------------------------------------ stage 4: text models
# Facts written as a stage file would write them; the poem tiers are filled in per test.
TEXT_STAGE = """
[notebooks.02-sentiment]
partial = {{ keep = [], score = 1 }}
param_limit = 50_000
metric = "测试集准确率"
export = "sentiment.pt2"
evaluate = "sentiment-test"
tiers.pass = {{ threshold = 0.6, points = 4 }}
tiers.good = {{ threshold = 0.8, points = 3 }}
tiers.excellent = {{ threshold = 0.9, points = 3 }}

[notebooks.04-poem-lm]
partial = {{ keep = [], score = 1 }}
param_limit = 7_000_000
metric = "留出诗的交叉熵（nats/字）"
export = "poem.pt2"
evaluate = "poem-lm"
better = "lower"
format_min = 0.5
tiers.pass = {{ threshold = {pass_:.6f}, points = 4 }}
tiers.good = {{ threshold = {good:.6f}, points = 3 }}
tiers.excellent = {{ threshold = {excellent:.6f}, points = 3 }}
"""


def text_facts(folder, name, pass_=9.0, good=8.0, excellent=7.0):
    folder.mkdir(exist_ok=True)
    (folder / "stage.toml").write_text(TEXT_STAGE.format(pass_=pass_, good=good, excellent=excellent),
                                       encoding="utf-8")
    return load_stage(folder).notebook(name)


class CharNaiveBayes(nn.Module):
    """Per-character log-probabilities of each class, summed over the review (padding and
    unknown characters add nothing): an honest model, counted in a second, no training."""

    def __init__(self, table):
        super().__init__()
        self.emb = nn.Embedding(len(table), 2, padding_idx=0)
        with torch.no_grad():
            self.emb.weight.copy_(table)

    def forward(self, ids):
        return self.emb(ids).sum(1)


@pytest.fixture(scope="module")
def naive_bayes():
    import collections
    import math

    from west2ai import text

    train = text.reviews("train")
    counts = [collections.Counter(), collections.Counter()]
    for review, label in zip(train.texts, train.labels):
        counts[label].update(review[:text.REVIEW_MAX_CHARS])
    chars = sorted(c for c in set(counts[0]) | set(counts[1]) if counts[0][c] + counts[1][c] >= 2)
    itos = ["<pad>", "<unk>", *chars]
    totals = [sum(c.values()) for c in counts]
    table = torch.zeros(len(itos), 2)
    for i, c in enumerate(chars, 2):
        for label in (0, 1):
            table[i, label] = math.log((counts[label][c] + 1) / (totals[label] + len(itos)))
    return CharNaiveBayes(table).eval(), itos


class ReviewMemory(nn.Module):
    """Looks the test reviews up: an exact integer hash of the ids, compared with the hashes of
    the test reviews, answers with the stored label (0 when the review is not in the table)."""

    def __init__(self, itos):
        super().__init__()
        from west2ai import text

        test = text.reviews("test")
        weights = torch.randint(1, 1 << 31, (text.REVIEW_MAX_CHARS,), generator=torch.Generator().manual_seed(0))
        self.register_buffer("weights", weights)
        ids = text.char_lookup(itos)(text.code_points(test.texts, pad_to=text.REVIEW_MAX_CHARS))
        self.register_buffer("keys", (ids * weights).sum(1))
        self.register_buffer("labels", torch.tensor(test.labels, dtype=torch.int64))
        self.dummy = nn.Parameter(torch.zeros(1))  # sentiment_accuracy reads the device from a parameter

    def forward(self, ids):
        hit = (ids * self.weights).sum(1)[:, None] == self.keys[None, :]
        label = torch.where(hit.any(1), self.labels[hit.float().argmax(1)], torch.zeros_like(ids[:, 0]))
        return torch.stack([1 - label, label], dim=1).float() + self.dummy


def exported_text_classifier(model, itos, folder):
    folder.mkdir(exist_ok=True)
    grading.export_text_classifier(model, itos, folder / "sentiment.pt2")
    return folder


def test_honest_sentiment_model_is_judged_like_the_kernel_would(naive_bayes, sandbox, tmp_path):
    model, itos = naive_bayes
    facts = text_facts(tmp_path / "stage", "02-sentiment")
    own = grading.sentiment_accuracy(model, itos)
    assert 0.6 < own < 0.8, f"朴素贝叶斯在测试集上应明显高于随机（约 71%），实际 {own:.2%}"
    folder = exported_text_classifier(model, itos, tmp_path / "honest")
    verdict = judge.judge_notebook(folder, facts, sandbox)
    assert verdict.reason is None, verdict.reason
    assert verdict.score == pytest.approx(own), f"评测分 {verdict.score} 与 notebook 内算的 {own} 不同"
    lookup = len(itos) - 2  # char_lookup's two buffers: the sorted code points and their ids
    assert verdict.breakdown["参数"] == 2 * len(itos) and verdict.breakdown["buffer"] == 2 * lookup, verdict.breakdown
    assert verdict.size < 50_000 and verdict.size == sum(verdict.breakdown.values()), verdict.breakdown
    assert verdict.reached == {"pass": True, "good": False, "excellent": False}, verdict.reached
    assert "测试集准确率" in verdict.line() and "及格" in verdict.line(), verdict.line()
    # the same file, with a limit it does not fit in
    import dataclasses

    small = dataclasses.replace(facts, param_limit=10_000)
    verdict = judge.judge_notebook(folder, small, sandbox)
    assert verdict.reason and "超过上限 10,000" in verdict.reason, verdict.reason
    assert not any(verdict.reached.values()), verdict.reached


def test_memorised_test_reviews_fail_the_perturbation_check(naive_bayes, sandbox, tmp_path):
    _, itos = naive_bayes
    memory = ReviewMemory(itos).eval()
    own = grading.sentiment_accuracy(memory, itos)
    assert own > 0.99, f"查表模型在原样的测试评论上应几乎全对，实际 {own:.2%}"
    facts = text_facts(tmp_path / "stage", "02-sentiment")
    verdict = judge.judge_notebook(exported_text_classifier(memory, itos, tmp_path / "memory"), facts, sandbox)
    assert verdict.reason and "记住了测试评论" in verdict.reason and "重复一个字" in verdict.reason, verdict.reason
    assert verdict.score is None and not any(verdict.reached.values()), verdict.line()


def test_kernel_figures_of_a_model_without_parameters():
    from west2ai import text
    from west2ai.grading import GradingError

    class Constant(nn.Module):
        def __init__(self, keep: int, classes: int):
            super().__init__()
            self.keep, self.classes = keep, classes

        def forward(self, ids):
            return torch.zeros((*ids.shape[:self.keep], self.classes))

    for figures in (lambda: grading.sentiment_accuracy(Constant(1, 2), ["<pad>", "<unk>", "好"]),
                    lambda: grading.poem_lm_figures(Constant(2, len(text.poem_vocab())))):
        try:
            figures()
        except GradingError:
            pass  # a clear refusal is fine too; a StopIteration is not


def test_missing_sentiment_model_file(sandbox, tmp_path):
    verdict = judge.judge_notebook(tmp_path, text_facts(tmp_path / "stage", "02-sentiment"), sandbox)
    assert verdict.reason and "找不到导出的模型文件 sentiment.pt2" in verdict.reason, verdict.reason
    assert not any(verdict.reached.values()), verdict.reached


@pytest.fixture(scope="module")
def bigram_table():
    """Log-probabilities of stage 1's bigram model (smoothed counts of the training poems)."""
    from west2ai import text

    vocab = len(text.poem_vocab())
    counts = torch.full((vocab, vocab), 0.01)
    for row in text.poem_ids(text.poem_split()[0]):
        ids = torch.tensor(row)
        counts.index_put_((ids[:-1], ids[1:]), torch.ones(len(ids) - 1), accumulate=True)
    return torch.log(counts / counts.sum(1, keepdim=True))


def bigram_lm(table, line: str | None = None):
    """The bigram as an ``nn.Embedding(V, V)`` of logits; with ``line``, every step of
    ``^line^`` gets a large bonus, so the samples are that line (well-formed when it is)."""
    from west2ai import text

    weights = table.clone()
    if line is not None:
        stoi = {c: i for i, c in enumerate(text.poem_vocab())}
        ids = [stoi[c] for c in text.BOUNDARY + line + text.BOUNDARY]
        for a, b in zip(ids[:-1], ids[1:]):
            weights[a, b] += 15.0
    model = nn.Embedding(*weights.shape)
    with torch.no_grad():
        model.weight.copy_(weights)
    return model.eval()


def exported_lm(model, folder):
    folder.mkdir(exist_ok=True)
    grading.export_language_model(model, folder / "poem.pt2")
    return folder


def test_poem_lm_is_judged_on_loss_and_format(bigram_table, sandbox, tmp_path):
    from west2ai import text

    lined = bigram_lm(bigram_table, "白日依山尽、黄河入海流；")
    nats = text.poem_nats(lined)
    assert 6.5 < nats < 7.5, f"bigram 加固定诗句后的留出损失应约 6.99 nats/字，实际 {nats:.4f}"
    facts = text_facts(tmp_path / "stage", "04-poem-lm", pass_=nats + 1, good=nats + 0.01, excellent=nats - 0.1)
    assert [t.better for t in facts.tiers] == ["lower"] * 3 and facts.format_min == 0.5, facts

    verdict = judge.judge_notebook(exported_lm(lined, tmp_path / "lined"), facts, sandbox)
    assert verdict.reason is None, verdict.reason
    assert verdict.score == pytest.approx(nats, abs=1e-4), f"评测损失 {verdict.score} 与 poem_nats {nats} 不同"
    assert verdict.size == len(text.poem_vocab()) ** 2, verdict.breakdown
    assert len(verdict.samples) == 32 and all(isinstance(s, str) for s in verdict.samples), verdict.samples[:3]
    assert verdict.samples.count("白日依山尽、黄河入海流；^") >= 30, f"采样应几乎全是固定诗句：{verdict.samples[:5]}"
    assert 0.9 <= verdict.format_score <= 1.0, f"固定的规整诗句格式分应接近 1：{verdict.format_score}"
    assert verdict.format_score == text.format_score(verdict.samples), "格式分应由解码后的采样算出"
    assert verdict.reached == {t.key: facts.reaches(t, verdict.score, verdict.format_score) for t in facts.tiers}, \
        f"档位应由 facts.reaches 按损失和格式分判定：{verdict.reached}"
    assert verdict.reached == {"pass": True, "good": True, "excellent": False}, verdict.reached
    own = grading.poem_lm_figures(lined)  # what the notebook's self-check computes
    assert own == (pytest.approx(verdict.score, abs=1e-4), verdict.format_score, verdict.samples), \
        f"notebook 内的自测数字与导师端评测不一致：{own[:2]}"
    assert "采样格式分" in verdict.line() and f"{verdict.score:.3f}" in verdict.line(), verdict.line()
    assert verdict.line().endswith("→ 良好"), verdict.line()

    # the same bonus on a line without its marks: as low a loss, but no well-formed line
    unmarked = bigram_lm(bigram_table, "白日依山尽黄河入海流")
    verdict = judge.judge_notebook(exported_lm(unmarked, tmp_path / "unmarked"), facts, sandbox)
    assert verdict.reason is None and verdict.score == pytest.approx(text.poem_nats(unmarked), abs=1e-4), verdict.line()
    assert verdict.format_score == 0.0, f"没有标点的诗句格式分应为 0：{verdict.format_score}，{verdict.samples[:3]}"
    assert facts.reaches(facts.tier("good"), verdict.score, 1.0), f"它的损失 {verdict.score:.4f} 本可达到良好"
    assert verdict.reached == {"pass": False, "good": False, "excellent": False}, "格式分不够时不应得任何档"
    assert verdict.line().endswith("→ 未达及格"), verdict.line()


def test_poem_lm_with_the_wrong_vocabulary_is_refused(sandbox, tmp_path):
    from west2ai import text

    vocab = len(text.poem_vocab())
    facts = text_facts(tmp_path / "stage", "04-poem-lm")
    verdict = judge.judge_notebook(exported_lm(nn.Embedding(vocab, vocab - 1), tmp_path / "wrong"), facts, sandbox)
    assert verdict.reason and f"(batch, 长度, {vocab})" in verdict.reason, verdict.reason
    assert verdict.score is None and not any(verdict.reached.values()), verdict.line()
    verdict = judge.judge_notebook(tmp_path / "nothing", facts, sandbox)
    assert verdict.reason and "找不到导出的模型文件 poem.pt2" in verdict.reason, verdict.reason


# ------------------------------------------------------------------ stage files: losses and format
def stage_file(folder, body: str):
    folder.mkdir(exist_ok=True)
    (folder / "stage.toml").write_text(body, encoding="utf-8")
    return load_stage(folder)


def lm_notebook(better="lower", tiers=(6.5, 6.3, 6.1), evaluate="poem-lm", format_min="0.6") -> str:
    rows = "\n".join(f"tiers.{k} = {{ threshold = {v}, points = 1 }}" for k, v in zip(("pass", "good", "excellent"), tiers))
    fmt = f"format_min = {format_min}\n" if format_min is not None else ""
    return (f'[notebooks.lm]\npartial = {{ keep = [], score = 1 }}\nparam_limit = 1000\nmetric = "损失"\n'
            f'export = "m.pt2"\nevaluate = "{evaluate}"\nbetter = "{better}"\n{fmt}{rows}\n')


def test_stage_file_loss_tiers_go_down(tmp_path):
    from west2ai.mentor.course import CourseError

    facts = stage_file(tmp_path / "ok", lm_notebook()).notebook("lm")
    assert [(t.key, t.threshold, t.better) for t in facts.tiers] == [
        ("pass", 6.5, "lower"), ("good", 6.3, "lower"), ("excellent", 6.1, "lower")], facts.tiers
    assert facts.tier("good").bound == "≤ 6.30" and facts.tier("good").percent == "6.30", facts.tier("good")
    assert facts.show(6.25) == "6.250", facts.show(6.25)
    assert facts.values()["tiers.good.percent"] == "6.30" and facts.values()["format_min"] == 0.6, facts.values()
    with pytest.raises(CourseError, match="逐档"):
        stage_file(tmp_path / "up", lm_notebook(tiers=(6.1, 6.3, 6.5)))
    with pytest.raises(CourseError, match="逐档"):  # losses, but written as if higher were better
        stage_file(tmp_path / "higher", lm_notebook(better="higher", tiers=(0.5, 0.4, 0.3), format_min=None))
    with pytest.raises(CourseError, match="better"):
        stage_file(tmp_path / "bad", lm_notebook(better="smaller"))
    with pytest.raises(CourseError, match="threshold"):  # a loss above 1 with accuracy's rules
        stage_file(tmp_path / "acc", lm_notebook(better="higher", tiers=(6.1, 6.3, 6.5), format_min=None))


def test_stage_file_format_min_only_for_poem_lm(tmp_path):
    from west2ai.mentor.course import CourseError

    with pytest.raises(CourseError, match="format_min"):
        stage_file(tmp_path / "sentiment", lm_notebook(evaluate="sentiment-test"))
    for wrong in ("0", "1.5"):
        with pytest.raises(CourseError, match="format_min"):
            stage_file(tmp_path / f"range{wrong}", lm_notebook(format_min=wrong))
    assert stage_file(tmp_path / "none", lm_notebook(format_min=None)).notebook("lm").format_min is None, \
        "不写 format_min 时应为 None"


def test_accuracy_tier_bound_and_reaches_with_format_min(tmp_path):
    tier = CNN.tier("good")
    assert tier.better == "higher" and tier.bound == f"≥ {tier.threshold * 100:.1f}%", tier.bound
    assert stage_file(tmp_path / "acc", lm_notebook(better="higher", tiers=(0.9, 0.915, 0.92), evaluate="sentiment-test",
                                                    format_min=None)).notebook("lm").tier("good").bound == "≥ 91.5%", \
        "准确率 0.915 的档位应显示为 ≥ 91.5%"
    facts = stage_file(tmp_path / "lm", lm_notebook()).notebook("lm")
    good = facts.tier("good")
    assert facts.reaches(good, 6.3, 0.6) and facts.reaches(good, 5.0, 1.0), "损失不高于阈值、格式分够时应达到"
    assert not facts.reaches(good, 6.31, 1.0), "损失高于阈值时不应达到"
    assert not facts.reaches(good, 5.0, 0.59), "格式分低于 format_min 时不应达到"
    assert not facts.reaches(good, 5.0, None), "没有格式分时不应达到"
    import dataclasses

    plain = dataclasses.replace(facts, format_min=None)
    assert plain.reaches(good, 5.0, None) and not plain.reaches(good, 6.31, None), "没有 format_min 时只看损失"


def test_tier_progress_for_a_loss(capsys):
    from west2ai.grading import GradingError

    tiers = {"及格": 6.5, "良好": 6.3, "优秀": 6.1}
    line = grading.tier_progress(6.25, tiers, what="验证集损失", lower_is_better=True)
    assert line == "验证集损失 6.250：已达良好，距优秀 0.150", line
    assert line in capsys.readouterr().out, "tier_progress 应打印它返回的那一行"
    line = grading.tier_progress(6.6, tiers, lower_is_better=True)
    assert line.endswith("未达任何档位，距及格 0.100"), line
    with pytest.raises(GradingError, match="优秀线 6.1"):
        grading.tier_progress(6.25, tiers, tier="优秀", lower_is_better=True)
    line = grading.tier_progress(6.1, tiers, tier="优秀", lower_is_better=True)
    assert line.endswith("已达优秀"), f"损失恰好等于优秀线应算达到：{line}"


def test_tied_weights_are_counted_once(tmp_path):
    """A language model whose output layer shares the embedding table (weight tying) holds that
    table once: the judge counts it once, also after torch.export.save / load."""
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(50, 8)
            self.lm_head = nn.Linear(8, 50, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx):
            return self.lm_head(self.wte(idx))

    path = grading.export_language_model(Tied(), tmp_path / "tied.pt2")
    _, result = judge._load_program(path, 10_000)
    assert result["breakdown"]["参数"] == 50 * 8, result["breakdown"]


# ------------------------------------------------------------------ stage 5: detectors on fresh canvases
class GridDetector(nn.Module):
    """A fixed 8×8 grid of 20-pixel boxes whose class scores come from one strided convolution:
    a detector made in no time, poor but honest."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 10, 8, stride=8)

    def forward(self, x):
        return self.conv(x)


def grid_decode(out):
    ys, xs = torch.meshgrid(torch.arange(8.0), torch.arange(8.0), indexing="ij")
    cx, cy = xs.flatten() * 8 + 4, ys.flatten() * 8 + 4
    boxes = torch.stack([cx - 10, cy - 10, cx + 10, cy + 10], 1).expand(out.shape[0], 64, 4)
    return torch.cat([boxes, out.flatten(2).transpose(1, 2).softmax(-1)], -1)


def detector_facts(folder, excellent=0.5):
    return stage_file(folder, (
        '[notebooks.det]\npartial = { keep = [], score = 1 }\nparam_limit = 1000\nmetric = "mAP@0.5"\n'
        'export = "det.pt2"\nevaluate = "detection-canvases"\n'
        f'tiers.pass = {{ threshold = 0.0001, points = 1 }}\ntiers.good = {{ threshold = 0.0002, points = 1 }}\n'
        f'tiers.excellent = {{ threshold = {excellent}, points = 1 }}\n')).notebook("det")


def test_detector_is_judged_on_canvases_drawn_with_the_grading_seed(sandbox, tmp_path, monkeypatch):
    from west2ai import detection

    model = GridDetector().eval()
    facts = detector_facts(tmp_path / "stage")
    (tmp_path / "grid").mkdir()
    grading.export_detector(model, tmp_path / "grid" / "det.pt2", grid_decode)
    scores = {}
    for seed in (11, 12):
        verdict = judge.judge_notebook(tmp_path / "grid", facts, sandbox, seed=seed)
        assert verdict.reason is None, verdict.reason
        own, _ = grading.detection_map(model, grid_decode, detection.canvases("test", judge.TEST_CANVASES, seed))
        assert verdict.score == pytest.approx(own, abs=1e-6), f"种子 {seed}：评测 {verdict.score}，notebook 自测 {own}"
        assert verdict.breakdown["参数"] == 650 and f"种子 {seed}" in verdict.line() and verdict.line().endswith("→ 良好"), verdict.line()
        scores[seed] = verdict.score
    assert scores[11] != scores[12], "两个种子画出的测试画布不同，分数也应不同"
    monkeypatch.setenv(judge.SEED_VARIABLE, "12")
    assert judge.grading_seed() == 12
    assert judge.judge_notebook(tmp_path / "grid", facts, sandbox).score == scores[12]
    monkeypatch.delenv(judge.SEED_VARIABLE)
    assert judge.grading_seed() == judge.grading_seed(), "一次评分运行中所有学生用同一个种子"


def test_detector_with_the_wrong_output_is_refused(sandbox, tmp_path):
    facts = detector_facts(tmp_path / "stage")
    (tmp_path / "raw").mkdir()
    with pytest.raises(grading.GradingError, match="4 个框坐标"):
        grading.export_detector(GridDetector(), tmp_path / "raw" / "det.pt2")  # no decoding: (N, 10, 8, 8)
    program = torch.export.export(GridDetector().eval(), (torch.rand(2, 1, 64, 64),),
                                  dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, tmp_path / "raw" / "det.pt2")
    verdict = judge.judge_notebook(tmp_path / "raw", facts, sandbox, seed=3)
    assert verdict.reason and "(batch=" in verdict.reason and not any(verdict.reached.values()), verdict.line()


# ------------------------------------------------------------------ stage 6: image–text models
def multimodal_facts(folder, name, kind, export, pass_, good):
    return stage_file(folder, (
        f'[notebooks.{name}]\npartial = {{ keep = [], score = 1 }}\nparam_limit = 10_000_000\nmetric = "准确率"\n'
        f'export = "{export}"\nevaluate = "{kind}"\n'
        f'tiers.pass = {{ threshold = {pass_}, points = 1 }}\ntiers.good = {{ threshold = {good}, points = 1 }}\n'
        'tiers.excellent = { threshold = 0.99, points = 1 }\n')).notebook(name)


KEY_CHARS = "恤裤套裙外凉衬运包靴"  # one character naming each class in multimodal.CLASSES_ZH (外套: 外)
ITOS = ["<pad>", "<unk>", *KEY_CHARS]


class PrototypeClip(nn.Module):
    """An honest CLIP made in no time: a scene's embedding sums, over the five item places, the
    softmax of its cosine to the ten class-mean images; a text's embedding counts the key
    character of each class name it contains."""

    def __init__(self, memory: torch.Tensor | None = None, labels: torch.Tensor | None = None):
        super().__init__()
        from west2ai import multimodal as mm

        x, y = fashion_mnist_arrays("train")
        means = np.stack([x[y == c].mean(0) for c in range(10)]) / 255.0
        self.register_buffer("prototypes", nn.functional.normalize(torch.from_numpy(means).float().flatten(1), dim=1))
        self.offsets = [tuple(o) for o in mm.OFFSETS]
        self.text = nn.Embedding(len(ITOS), 10)
        with torch.no_grad():
            self.text.weight.zero_()
            self.text.weight[2:] = torch.eye(10)
        if memory is not None:  # a lookup table of the test images instead of the prototypes
            self.register_buffer("memory", memory)
            self.register_buffer("memory_labels", labels)
        else:
            self.memory = None

    def encode_image(self, images):
        out = 0
        for x, y in self.offsets:
            crop = images[:, 0, y:y + 28, x:x + 28].flatten(1)
            if self.memory is not None:
                d2 = (crop * crop).sum(1, keepdim=True) + (self.memory * self.memory).sum(1) - 2 * crop @ self.memory.T
                exact = (d2 < 1e-3).float()  # (N, memory): the identical image (one grey level off gives about 0.01)
                out = out + exact @ nn.functional.one_hot(self.memory_labels, 10).float()
            else:
                scores = nn.functional.normalize(crop, dim=1) @ self.prototypes.T
                out = out + torch.softmax(20 * scores, dim=1) * (crop.sum(1, keepdim=True) > 0)
        return out + 1e-3

    def encode_text(self, ids):
        return self.text(ids).sum(1) + 1e-3


def judged_clip(model, sandbox, folder, seed=4):
    """``model`` exported to ``folder/clip.pt2`` and judged as 01-clip's export with the grading seed."""
    facts = multimodal_facts(folder / "stage", "01-clip", "clip-pairs", "clip.pt2", 0.1, 0.2)
    (folder / "clip").mkdir()
    grading.export_clip(model.eval(), ITOS, folder / "clip" / "clip.pt2")
    return judge.judge_notebook(folder / "clip", facts, sandbox, seed=seed)


def test_clip_is_judged_on_zero_shot_and_retrieval_with_the_grading_seed(sandbox, tmp_path):
    model = PrototypeClip().eval()
    verdict = judged_clip(model, sandbox, tmp_path)
    assert verdict.reason is None, verdict.reason
    own = grading.clip_figures(model, ITOS, 4)  # the notebook's self-check
    # the same procedure: equal up to near-ties that the exported program's float rounding may flip
    assert verdict.score == pytest.approx(own["zero_shot_ensemble"], abs=0.002), (verdict.line(), own)
    # well above chance (10%, and 1/400 distinct captions), far below a trained model
    assert 0.2 < own["zero_shot"] < 0.9 and own["seen_i2t@5"] > own["seen_i2t@1"] > 0.01, own
    # the linear probe on the frozen image embeddings beats zero-shot, as in CLIP's paper
    assert own["zero_shot_ensemble"] + 0.05 < own["linear_probe"] < 0.95, own
    assert verdict.details.startswith(f"单一提示 {own['zero_shot']:.2%}、提示集成 {own['zero_shot_ensemble']:.2%}、"
                                      "线性探针 "), verdict.line()
    assert "评分种子 4" in verdict.line() and verdict.line().endswith("→ 良好"), verdict.line()
    # the exported file measured in the kernel (03-paper-reading): the same figures, with and without retrieval
    exported_figures = grading.clip_export_figures(tmp_path / "clip" / "clip.pt2", 4)
    assert exported_figures == pytest.approx(own, abs=0.002), (exported_figures, own)
    claim = grading.clip_export_figures(tmp_path / "clip" / "clip.pt2")
    assert claim == {k: exported_figures[k] for k in ("zero_shot", "zero_shot_ensemble", "linear_probe")}, claim
    with pytest.raises(grading.GradingError, match="先在 01-clip 中训练并导出 clip.pt2"):
        grading.clip_export_figures(tmp_path / "missing" / "clip.pt2")


def test_clip_that_looks_test_images_up_fails_the_jitter_check(sandbox, tmp_path):
    x, y = fashion_mnist_arrays("test")
    model = PrototypeClip(torch.from_numpy(x[:2000].reshape(2000, -1) / 255.0).float(), torch.from_numpy(y[:2000]))
    verdict = judged_clip(model, sandbox, tmp_path)
    assert verdict.reason and "记住了测试图" in verdict.reason and not any(verdict.reached.values()), verdict.line()


class QuestionOnly(nn.Module):
    """A VQA model that never looks at the scene: each question's key characters vote for the
    answer that kind of question most often has (the baseline stage 6 measures)."""

    def __init__(self):
        super().__init__()
        from west2ai import multimodal as mm

        self.votes = nn.Embedding(len(VQA_ITOS), len(mm.ANSWERS))
        with torch.no_grad():
            self.votes.weight.zero_()
            for ch, answer in (("吗", "有"), ("几", "0"), ("边", "左边"), ("么", "空")):
                self.votes.weight[VQA_ITOS.index(ch), mm.ANSWERS.index(answer)] = 1.0

    def forward(self, images, ids):
        return self.votes(ids).sum(1) + 0 * images.mean()


VQA_ITOS = ["<pad>", "<unk>", "吗", "几", "边", "么"]


def test_vqa_is_judged_on_fresh_scenes_per_group_and_kind(sandbox, tmp_path):
    from west2ai.mentor import mmjudge

    model = QuestionOnly().eval()
    facts = multimodal_facts(tmp_path / "stage", "02-vqa", "vqa-scenes", "vqa.pt2", 0.3, 0.6)
    (tmp_path / "vqa").mkdir()
    grading.export_vqa(model, VQA_ITOS, tmp_path / "vqa" / "vqa.pt2")
    verdict = judge.judge_notebook(tmp_path / "vqa", facts, sandbox, seed=8)
    assert verdict.reason is None, verdict.reason
    own = grading.vqa_figures(model, VQA_ITOS, 8)
    assert verdict.score == pytest.approx(own["all"]) and verdict.details == mmjudge.vqa_details(own), verdict.line()
    assert 0.3 < own["all"] < 0.6 and own["seen_side"] == pytest.approx(0.5, abs=0.06), own
    assert verdict.line().endswith("→ 及格"), verdict.line()
    other = judge.judge_notebook(tmp_path / "vqa", facts, sandbox, seed=9)
    assert other.score != verdict.score and "评分种子 9" in other.line(), "另一个种子应画出另一套测试场景"


def test_grader_test_sets_are_built_once_per_kind_and_seed(monkeypatch):
    """A class is judged on one test set per (kind, seed): the second student reuses the first
    one's, and fixed test sets never draw a grading seed."""
    from west2ai.mentor import mmjudge

    built = []
    monkeypatch.setattr(mmjudge, "vqa_inputs", lambda seed: built.append(seed) or ({"seed": seed}, None))
    judge._drawn_inputs.cache_clear()
    first, again, other = (judge.evaluation_inputs("vqa-scenes", s)[0] for s in (3, 3, 4))
    assert first is again and other["seed"] == 4 and built == [3, 4], built
    judge._drawn_inputs.cache_clear()

    def no_seed():
        raise AssertionError("固定的测试集不应抽取评分种子")

    monkeypatch.setattr(judge, "grading_seed", no_seed)
    images, labels = judge.evaluation_inputs("fashion-mnist-test")
    assert images.shape == (10_000, 28, 28) and judge.evaluation_inputs("fashion-mnist-test")[0] is images
