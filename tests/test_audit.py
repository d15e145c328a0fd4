"""Checkpoints at grading time, with stage 2's numpy net (it trains in seconds, so all of this
runs for real):

- ``grade --audit-training``: a checkpoint the submitted notebook cannot reproduce is held
  for review; one it reproduces passes. The honest student hands in the checkpoint the
  reference trained; "elsewhere" hands in the same checkpoint with a notebook whose settings
  (1 epoch, a tiny learning rate) could never have produced it.
- a corrupt checkpoint earns no tier, and both the notebook and the grade report say why;
- a missing checkpoint means the notebook trains within its budget while it is graded.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, replace_cell
from west2ai.mentor.budget import run_reference
from west2ai.mentor.course import Course
from west2ai.mentor.grade import cell_scores
from west2ai.mentor.release import generate_release

STAGE = "stage2"
NET = "04-numpy-and-backprop"
TIERS = ("tier-pass", "tier-good", "tier-excellent")
WEAK_SETTINGS = "HIDDEN_DIM = 384\nEPOCHS = 1\nBATCH_SIZE = 128\nLR = 0.0005\nLR_DECAY = 0.8\nMOMENTUM = 0.9\n"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fashion_mnist")]


@pytest.fixture(scope="module")
def audited(tmp_path_factory, measurements):
    course_dir = tmp_path_factory.mktemp("audit")
    shutil.copy(ROOT / "nbgrader_config.py", course_dir)
    (course_dir / "source" / STAGE).mkdir(parents=True)
    source = ROOT / "source" / STAGE / f"{NET}.ipynb"
    shutil.copy(source, course_dir / "source" / STAGE)
    course = Course(course_dir)
    generate_release(course, STAGE)
    trained = run_reference(source, tmp_path_factory.mktemp("train"), None)
    checkpoint = next(p for p in trained.outputs if p.suffix == ".npz")
    for student, settings in (("honest", None), ("elsewhere", WEAK_SETTINGS), ("corrupt", None), ("missing", None)):
        folder = course.submitted / student / STAGE
        folder.mkdir(parents=True)
        nb = nbformat.read(source, as_version=4)
        if settings:
            replace_cell(nb, "hparams", settings)
        nbformat.write(nb, folder / f"{NET}.ipynb")
        if student == "corrupt":
            (folder / checkpoint.name).write_bytes(checkpoint.read_bytes()[:2000])  # cut short in transit
        elif student != "missing":
            shutil.copy(checkpoint, folder / checkpoint.name)
    proc = subprocess.run([sys.executable, "-m", "west2ai", "--course", str(course_dir), "grade", STAGE,
                           "--audit-training", "honest", "elsewhere"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    measurements.extend(line.strip() for line in proc.stdout.splitlines()
                        if line.strip().startswith(("训练复现审计 ", "需人工复核：训练复现审计 ")))
    return course_dir, proc.stdout


def test_reproduced_checkpoint_passes_the_audit(audited):
    course_dir, out = audited
    assert f"训练复现审计 honest/{STAGE}/{NET}.ipynb：" in out and "：通过" in out, out[-3000:]
    grades = cell_scores(course_dir, STAGE, "honest")
    assert all(grades[f"{NET}/{t}"] > 0 for t in TIERS), grades


def test_unreproducible_checkpoint_is_held_for_review(audited):
    course_dir, out = audited
    assert f"需人工复核：训练复现审计 elsewhere/{STAGE}/{NET}.ipynb" in out, out[-3000:]
    grades = cell_scores(course_dir, STAGE, "elsewhere")
    assert all(grades[f"{NET}/{t}"] == 0 for t in TIERS), grades
    # The mentor looks, is satisfied (say the student explains), and releases the points.
    proc = subprocess.run([sys.executable, "-m", "west2ai", "--course", str(course_dir), "review", STAGE,
                           "elsewhere", f"{NET}.ipynb"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grades = cell_scores(course_dir, STAGE, "elsewhere")
    assert all(grades[f"{NET}/{t}"] > 0 for t in TIERS), grades


def test_corrupt_checkpoint_earns_no_tier_and_says_why(audited):
    course_dir, out = audited
    grades = cell_scores(course_dir, STAGE, "corrupt")
    assert all(grades[f"{NET}/{t}"] == 0 for t in TIERS), grades
    assert f"corrupt/{STAGE}: {NET}.ipynb 导师端模型评测：twolayer.npz 无法加载或运行" in out, out[-3000:]
    nb = nbformat.read(course_dir / "autograded" / "corrupt" / STAGE / f"{NET}.ipynb", as_version=4)
    errors = [o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert any("无法读取" in e and "删除" in e for e in errors), errors
    assert sum(grades.values()) > 0  # the exercises before the training still count


def test_missing_checkpoint_trains_within_the_budget_while_graded(audited):
    course_dir, out = audited
    grades = cell_scores(course_dir, STAGE, "missing")
    assert all(grades[f"{NET}/{t}"] > 0 for t in TIERS), (grades, out[-3000:])
    assert f"missing/{STAGE}: {NET}.ipynb 导师端模型评测" in out and "→ 优秀" in out
