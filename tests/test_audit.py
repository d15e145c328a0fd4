"""``grade --audit-training``: a checkpoint the submitted notebook cannot reproduce is held
for review; one it reproduces passes. Stage 2's numpy net trains in seconds, so the audit
runs for real: the honest student hands in the checkpoint the reference trained; the other
hands in the same checkpoint with a notebook whose settings (1 epoch, a tiny learning rate)
could never have produced it."""
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
    for student, settings in (("honest", None), ("elsewhere", WEAK_SETTINGS)):
        folder = course.submitted / student / STAGE
        folder.mkdir(parents=True)
        nb = nbformat.read(source, as_version=4)
        if settings:
            replace_cell(nb, "hparams", settings)
        nbformat.write(nb, folder / f"{NET}.ipynb")
        shutil.copy(checkpoint, folder / checkpoint.name)
    proc = subprocess.run([sys.executable, "-m", "west2ai", "--course", str(course_dir), "grade", STAGE,
                           "--audit-training", "honest", "elsewhere"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    measurements.extend(line.strip() for line in proc.stdout.splitlines() if "训练复现审计 " in line)
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
