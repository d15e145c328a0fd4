"""A hostile class graded in one batch through the mentor CLI (COURSE.md §4, §7; issue 9).

Every student hands in the same tiny assignment (add: 2 points, mul: 3, a "tier": 1); each
hostile one breaks it in one way. An attack on the sandbox is written so that it *earns* the
mul points when it succeeds (it defines a correct ``mul`` only after the attack worked): a
sandbox that lets it through fails this test. The honest student in the same batch gets
full marks and nobody is missing from grades.csv.
"""
from __future__ import annotations

import csv
import hashlib
import shutil
import socket
import subprocess
import sys
import threading

import nbformat
import pytest

from conftest import ROOT
from west2ai.mentor.grade import cell_scores

pytestmark = pytest.mark.slow
STAGE = "stage9"
MUL = "def mul(a, b):\n    return a * b\n"


def _cell(kind: str, source: str, gid: str | None = None, points: float = 0):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    if gid:
        cell.metadata["nbgrader"] = {
            "grade": kind == "tests", "grade_id": gid, "locked": kind == "tests",
            "solution": kind == "solution", "schema_version": 3, "task": False,
            **({"points": points} if kind == "tests" else {}),
        }
    return cell


def tiny_assignment() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("md", "# 小测验"),
        _cell("solution", "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", "add"),
        _cell("tests", "assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nassert add(5, 7) == 12\n### END HIDDEN TESTS",
              "add-test", 2),
        _cell("solution", "def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION", "mul"),
        _cell("tests", "assert mul(2, 3) == 6", "mul-test", 3),
        _cell("tests", "assert mul(4, 5) == 20 and add(1, 1) == 2", "model-tier-pass", 1),
    ]
    return nb


def _with_mul(nb, source: str, drop_test: bool = False, edit_test: bool | str = False):
    """The quiz with ``source`` as the mul answer; ``drop_test`` deletes mul's test cell;
    ``edit_test`` changes it: True (its code), "duplicate" (a copy that asserts nothing),
    "retype" (a markdown cell now), "metadata" (not graded, worth 100 points, unlocked)."""
    nb = nbformat.from_dict(nb)
    for cell in list(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "mul":
            cell.source = source
        if gid == "mul-test" and drop_test:
            nb.cells.remove(cell)
        if gid == "mul-test" and edit_test is True:
            cell.source = "assert True"
        if gid == "mul-test" and edit_test == "duplicate":
            twin = nbformat.from_dict(cell)
            twin.source, twin["id"] = "assert True", "twin-of-mul-test"
            nb.cells.insert(nb.cells.index(cell), twin)
        if gid == "mul-test" and edit_test == "retype":
            nb.cells[nb.cells.index(cell)] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
        if gid == "mul-test" and edit_test == "metadata":
            cell.metadata["nbgrader"].update(grade=False, points=100, locked=False)
        if gid == "add-test" and edit_test == "metadata":
            cell.metadata["nbgrader"]["points"] = 100
    return nb


# student: (the mul cell, drop the test cell, edit the test cell, expected score); {course},
# {kit} and {port} are filled in per run.
HOSTILE = {
    "honest": (MUL, False, False, 6),
    "crash": ("import os\nos._exit(1)", False, False, 2),
    "loop": ("while True:\n    pass", False, False, 2),
    "stubborn": ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass",
                 False, False, 2),
    "deleter": ("def mul(a, b):\n    return 0", True, False, 2),
    "editor": ("def mul(a, b):\n    return 0", False, True, 2),
    "duplicator": ("def mul(a, b):\n    return 0", False, "duplicate", 2),
    "retyper": ("def mul(a, b):\n    return 0", False, "retype", 2),
    "metadata": ("def mul(a, b):\n    return 0", False, "metadata", 2),
    # the sandbox: what a grading kernel must not see, write or reach (written so that the
    # tamper scan does not see them: the sandbox must hold on its own)
    "reader": ('import pathlib\nANSWERS = pathlib.Path("{course}/sour" + "ce/stage9/01-quiz.ipy" + "nb").read_text()\n'
               + MUL,
               False, False, 2),
    "kitreader": ('import pathlib\nANSWERS = pathlib.Path("{kit}/sour" + "ce/stage1/01-python-basics.ipy" + "nb")'
                  '.read_text()\n' + MUL, False, False, 2),
    "peer": ('import pathlib\nCOPY = pathlib.Path("{course}/submi" + "tted/honest/stage9/01-quiz.ipy" + "nb").read_text()\n'
             + MUL, False, False, 2),
    "gradebook": ('open("{course}/grade" + "book.db", "ab").close()  # could it write the grades?\n' + MUL,
                  False, False, 2),
    "network": ('import socket\nsocket.create_connection(("127.0.0.1", {port}), timeout=3).close()\n' + MUL,
                False, False, 2),
    "memory": ("HOARD = bytearray(6 * 2**30)\n" + MUL, False, False, 2),
    "forker": ("import os, time\nfor _ in range(1500):\n    if getattr(os, 'fo' + 'rk')() == 0:\n        time.sleep(20)\n        os._exit(0)\n"
               + MUL, False, False, 2),
    "diskfill": ('with open("fill.bin", "wb") as f:\n    for _ in range(24):\n        f.write(bytes(64 * 2**20))\n'
                 + MUL, False, False, 2),
    "flood": ('for _ in range(300):\n    print("x" * 10**6)\n' + MUL, False, False, 2),
    # the tamper scan: held at 0 for review, whatever the kernel made of it
    "transformer": ("get_ipython().input_transformers_post.append(\n"
                    "    lambda l: ['pass\\n'] if any('assert' in x for x in l) else l)\n"
                    "def mul(a, b):\n    return 0\n", False, False, 0),
    "tracer": ("import sys\nsys.settrace(None)\n" + MUL, False, False, 0),
    "monkey": ("import numpy\nnumpy.isclose = lambda *a, **k: True\n" + MUL, False, False, 0),
    "alwayseq": ("class Yes:\n    def __eq__(self, other):\n        return True\n\n"
                 "def mul(a, b):\n    return Yes()\n", False, False, 0),
}
FLAGGED = ("transformer", "tracer", "monkey", "alwayseq")


@pytest.fixture
def listener():
    """A TCP server on the grader's loopback: a kernel outside the sandbox could reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_hostile_submissions_cost_only_their_authors(tmp_path, listener):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    source = tiny_assignment()
    (tmp_path / "source" / STAGE).mkdir(parents=True)
    nbformat.write(source, tmp_path / "source" / STAGE / "01-quiz.ipynb")
    for student, (code, drop, edit, _) in HOSTILE.items():
        folder = tmp_path / "submitted" / student / STAGE
        folder.mkdir(parents=True)
        code = code.replace("{course}", str(tmp_path)).replace("{kit}", str(ROOT)).replace("{port}", str(listener))
        nbformat.write(_with_mul(source, code, drop, edit), folder / "01-quiz.ipynb")
    garbage = tmp_path / "submitted" / "garbage" / STAGE
    garbage.mkdir(parents=True)
    (garbage / "01-quiz.ipynb").write_text("{this is not a notebook")
    (tmp_path / "submitted" / "absent" / STAGE).mkdir(parents=True)
    source_digest = hashlib.md5((tmp_path / "source" / STAGE / "01-quiz.ipynb").read_bytes()).hexdigest()

    proc = subprocess.run(
        [sys.executable, "-m", "west2ai", "--course", str(tmp_path), "grade", "--cell-timeout", "8",
         "--student-timeout", "240"],
        capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    got = {student: sum(cell_scores(tmp_path, STAGE, student).values()) for student in HOSTILE}
    wrong = {s: (got[s], HOSTILE[s][3]) for s in HOSTILE if got[s] != HOSTILE[s][3]}
    assert not wrong, f"得分与设计不符（实际, 应为）：{wrong}"
    assert not (tmp_path / "release").exists(), "grade 不应生成或改写 release/"
    assert hashlib.md5((tmp_path / "source" / STAGE / "01-quiz.ipynb").read_bytes()).hexdigest() == source_digest
    flood = (tmp_path / "autograded" / "flood" / STAGE / "01-quiz.ipynb").stat().st_size
    assert flood < 20 * 2**20, f"输出洪水应被截断，评分后的 notebook 有 {flood / 2**20:.0f} MB"
    table = proc.stdout
    for student in FLAGGED:
        assert f"{student}/{STAGE}: 需人工复核：01-quiz.ipynb" in table, f"{student} 应列为需人工复核"
    assert sum("需人工复核" in line for line in table.splitlines()) == len(FLAGGED)
    # After review the mentor releases the monkey's points: they were earned by a correct mul.
    review = subprocess.run([sys.executable, "-m", "west2ai", "review", STAGE, "monkey", "01-quiz.ipynb"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert review.returncode == 0, review.stdout + review.stderr
    assert sum(cell_scores(tmp_path, STAGE, "monkey").values()) == 6
    monkey = next(r for r in csv.DictReader((tmp_path / "grades.csv").open()) if r["student_id"] == "monkey")
    assert float(monkey["score"]) == 6, monkey
    assert "garbage" in table and "不是有效的 notebook" in table
    assert "缺交 01-quiz.ipynb" in table
    assert "honest" in table and "6/6" in table
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert {r["student_id"] for r in rows} >= set(HOSTILE) | {"garbage", "absent"}


def test_grade_refuses_without_a_sandbox_unless_told(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "source" / STAGE).mkdir(parents=True)
    nbformat.write(tiny_assignment(), tmp_path / "source" / STAGE / "01-quiz.ipynb")
    (tmp_path / "submitted" / "honest" / STAGE).mkdir(parents=True)
    nbformat.write(_with_mul(tiny_assignment(), MUL), tmp_path / "submitted" / "honest" / STAGE / "01-quiz.ipynb")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "west2ai", "--course", str(tmp_path), "grade"]
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert refused.returncode == 2 and "无法在沙箱中评分" in refused.stderr and "--no-sandbox" in refused.stderr
    assert "No permissions" in refused.stderr and not (tmp_path / "autograded").exists()
    allowed = subprocess.run([*cmd, "--no-sandbox"], capture_output=True, text=True, env=env, timeout=600)
    assert allowed.returncode == 0, allowed.stdout[-2000:] + allowed.stderr[-2000:]
    assert "--no-sandbox" in allowed.stderr and sum(cell_scores(tmp_path, STAGE, "honest").values()) == 6
