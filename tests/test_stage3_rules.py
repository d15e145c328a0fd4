"""Issue 4's rules, graded for real through the mentor CLI: a model over the parameter limit,
a network taken from ``torchvision.models`` and a malformed ``submission.csv`` get no points
for their items, and the feedback says why.

The submitted models come with checkpoints (random weights saved here), so nothing trains:
the hidden tests must refuse them before they ever look at accuracy.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, errors_by_cell, replace_cell, solution_ids
from west2ai.mentor import demo
from west2ai.mentor.course import Course
from west2ai.mentor.grade import cell_scores
from west2ai.mentor.release import generate_release
STAGE = "stage3"
CNN = "02-cnn-fashion-mnist"
CONTEST = "03-kaggle-contest"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (ROOT / "source" / STAGE).is_dir(), reason="stage3 not present")]

OVERSIZED_CNN = """\
class MyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Flatten(), nn.Linear(32 * 14 * 14, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)
"""

# Small enough for the limit, but its block is torchvision's ResNet block.
BANNED_CNN = """\
from torchvision.models.resnet import BasicBlock


class MyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(), nn.MaxPool2d(2))
        self.block = BasicBlock(16, 16)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))

    def forward(self, x):
        return self.head(self.block(self.stem(x)))
"""

ROW_NUMBER_IDS = """\
def write_submission(ids, preds, path):
    labels = torch.as_tensor(preds).cpu().numpy().astype(np.int64)
    df = pd.DataFrame({"id": np.arange(len(labels)), "label": labels})
    df.to_csv(path, index=False)
    return df
"""

HALF_THE_ROWS = """\
def write_submission(ids, preds, path):
    labels = torch.as_tensor(preds).cpu().numpy().astype(np.int64)
    df = pd.DataFrame({"id": np.asarray(ids), "label": labels}).iloc[: len(labels) // 2]
    df.to_csv(path, index=False)
    return df
"""

# Looks every test image up in a copy of the test set it keeps as plain attributes: one
# parameter as far as the kernel can count, 100% in the kernel's tier cells.
LOOKUP_CNN = """\
class MyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        images, labels = west2ai.grading.fashion_mnist_test_tensors()
        self.bank = ((images - 0.2860) / 0.3530).flatten(1)
        self.answers = F.one_hot(labels.long(), 10).float()

    def forward(self, x):
        return self.answers[torch.cdist(x.flatten(1), self.bank).argmin(1)] * self.scale
"""

TIERS = ("tier-pass", "tier-good", "tier-excellent")

STUDENTS = {
    # student: (MyCNN of notebook 02, write_submission of notebook 03,
    #           the message every refused cell of 02 / of 03 must show)
    "oversized": (OVERSIZED_CNN, ROW_NUMBER_IDS, "超过上限 100,000", "不在 test.csv 中"),
    "borrowed": (BANNED_CNN, HALF_THE_ROWS, "torchvision.models", "应有 10,000 行"),
}
LOOKUP = "lookup"  # graded in the same batch: fools its kernel, not the mentor-side judge


def _solution(nb, grade_id: str) -> str:
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _save_random_weights(code: str, class_name: str, path: Path) -> None:
    """Define the student's model class here and save an untrained state_dict beside the notebook."""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    import west2ai.grading

    namespace = {"torch": torch, "nn": nn, "F": F, "np": np, "device": "cpu", "west2ai": west2ai,
                 "PARAM_LIMIT": 100_000}
    exec(code, namespace)
    torch.manual_seed(0)
    torch.save(namespace[class_name]().state_dict(), path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("rules")
    shutil.copy(ROOT / "nbgrader_config.py", course_dir)
    (course_dir / "source" / STAGE).mkdir(parents=True)
    for name in (CNN, CONTEST):
        shutil.copy(ROOT / "source" / STAGE / f"{name}.ipynb", course_dir / "source" / STAGE)
    course = Course(course_dir)
    generate_release(course, STAGE)
    release, source = course.release / STAGE, course.source / STAGE
    students = {**{s: codes[:2] for s, codes in STUDENTS.items()}, LOOKUP: (LOOKUP_CNN, None)}
    for student, (cnn_code, writer_code) in students.items():
        folder = course.submitted / student / STAGE
        folder.mkdir(parents=True)
        # Everything else solved as in the reference, so only the broken item can cost points.
        contest_changes = {"ex-write-submission": writer_code} if writer_code else {}
        for name, replacements in ((CNN, {"ex-mycnn": cnn_code}), (CONTEST, contest_changes)):
            src = nbformat.read(source / f"{name}.ipynb", as_version=4)
            nb = demo.make_partial(release / f"{name}.ipynb", source / f"{name}.ipynb", solution_ids(src))
            for gid, code in replacements.items():
                replace_cell(nb, gid, code)
            nbformat.write(nb, folder / f"{name}.ipynb")
        _save_random_weights(cnn_code, "MyCNN", folder / "cnn.pt")
        contest_src = nbformat.read(source / f"{CONTEST}.ipynb", as_version=4)
        model_def = _solution(contest_src, "model-def").replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
        _save_random_weights(model_def, "ContestNet", folder / "contest.pt")
    proc = subprocess.run([sys.executable, "-m", "west2ai", "--course", str(course_dir), "grade", STAGE],
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return course_dir, proc.stdout, {s: cell_scores(course_dir, STAGE, s) for s in students}


def test_lookup_model_fools_its_kernel_but_not_the_judge(graded):
    course_dir, out, grades = graded
    errors = errors_by_cell(course_dir / "autograded" / LOOKUP / STAGE / f"{CNN}.ipynb")
    assert not any(gid in errors for gid in TIERS), f"the kernel's tier cells should have passed: {errors}"
    for gid in TIERS:
        assert grades[LOOKUP][f"{CNN}/{gid}"] == 0, f"{gid}: the judge's verdict must replace the kernel's"
    assert f"{LOOKUP}/{STAGE}: {CNN}.ipynb 导师端模型评测：模型大小" in out and "张量常量 7,940,000" in out, out[-3000:]
    page = (course_dir / "feedback" / LOOKUP / STAGE / f"{CNN}.html").read_text(encoding="utf-8")
    assert "档位由导师端评测给出" in page and "超过上限 100,000" in page


@pytest.mark.parametrize("student", list(STUDENTS))
def test_refused_model_gets_no_tier_points_and_says_why(graded, student):
    course_dir, _, grades = graded
    message = STUDENTS[student][2]
    errors = errors_by_cell(course_dir / "autograded" / student / STAGE / f"{CNN}.ipynb")
    for gid in ("ex-mycnn-test", *TIERS):
        assert grades[student][f"{CNN}/{gid}"] == 0, f"{student}: {gid} 不应得分"
        assert message in errors.get(gid, ""), f"{student}: {gid} 的反馈应说明原因（{message}），实际：{errors.get(gid)}"
    # The exercises that do not involve the model still earn their points.
    for gid in ("ex-lenet-test", "ex-vgg-block-test", "ex-residual-shape-test", "ex-residual-params-test",
                "ex-residual-forward-test"):
        assert grades[student][f"{CNN}/{gid}"] > 0, f"{student}: {gid} 应得分"


@pytest.mark.parametrize("student", list(STUDENTS))
def test_malformed_submission_gets_no_tier_points_and_says_why(graded, student):
    course_dir, _, grades = graded
    message = STUDENTS[student][3]
    errors = errors_by_cell(course_dir / "autograded" / student / STAGE / f"{CONTEST}.ipynb")
    for gid in TIERS:
        assert grades[student][f"{CONTEST}/{gid}"] == 0, f"{student}: {gid} 不应得分"
        assert "SubmissionError" in errors.get(gid, "") and message in errors[gid], \
            f"{student}: {gid} 的反馈应说明提交文件错在哪里（{message}），实际：{errors.get(gid)}"
    for gid in ("ex-split-test", "ex-augment-test"):
        assert grades[student][f"{CONTEST}/{gid}"] > 0, f"{student}: {gid} 应得分"
