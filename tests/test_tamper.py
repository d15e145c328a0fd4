"""The tamper scan (west2ai.mentor.tamper): what it flags, what it leaves alone, and no false
positive on any reference solution."""
from __future__ import annotations

import nbformat
import pytest

from conftest import kit
from west2ai.mentor.tamper import scan

COURSE = kit()
SOURCES = [p for stage in COURSE.stages() for p in COURSE.notebooks(stage)]


@pytest.mark.parametrize("path", SOURCES, ids=[f"{p.parent.name}/{p.stem}" for p in SOURCES])
def test_reference_solutions_are_not_flagged(path):
    assert scan(path, path) == []


def _findings(tmp_path, code: str, locked_source: str | None = None):
    source = nbformat.v4.new_notebook()
    locked = nbformat.v4.new_code_cell("assert answer() == 42")
    locked.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "locked": True, "points": 1,
                                   "solution": False, "schema_version": 3, "task": False}
    source.cells = [locked]
    nbformat.write(source, tmp_path / "source.ipynb")
    sub = nbformat.from_dict(source)
    sub.cells = [nbformat.v4.new_code_cell(code), nbformat.from_dict(locked)]
    if locked_source is not None:
        sub.cells[1].source = locked_source
    nbformat.write(sub, tmp_path / "sub.ipynb")
    return [f.reason for f in scan(tmp_path / "sub.ipynb", tmp_path / "source.ipynb")]


FLAGGED = {
    "input transformer": "get_ipython().input_transformers_post.append(lambda l: ['pass\\n'])",
    "ast transformer": "ip = get_ipython()\nip.ast_transformers.append(object())",
    "event hook": "get_ipython().events.register('pre_run_cell', print)",
    "exception handler": "get_ipython().set_custom_exc((AssertionError,), lambda *a: None)",
    "trace hook": "import sys\nsys.settrace(lambda *a: None)",
    "profile hook": "import threading\nthreading.setprofile(print)",
    "patched numpy": "import numpy as np\nnp.isclose = lambda *a, **k: True",
    "patched west2ai": "import west2ai.grading\nwest2ai.grading.fashion_mnist_tier = lambda *a, **k: 1.0",
    "setattr on a module": "import torch\nsetattr(torch, 'equal', lambda *a: True)",
    "patched class of a module": "import torch\ntorch.Tensor.__eq__ = lambda *a: True",
    "builtins": "import builtins\nbuiltins.len = lambda x: 3",
    "__builtins__": "__builtins__.print = None",
    "sys.modules": "import sys\nsys.modules['west2ai.grading'] = None",
    "subprocess": "import subprocess\nsubprocess.run(['ls'])",
    "os.system": "import os\nos.system('ls')",
    "shell escape": "!cat /etc/passwd",
    "other magic": "%load_ext autoreload",
    "environment": "import os\nos.environ['NBGRADER_EXECUTION'] = ''",
    "environment update": "import os\nos.environ.update(NBGRADER_EXECUTION='')",
    "frame hacking": "import inspect\ninspect.currentframe().f_back.f_locals['x'] = 1",
    "built code": "exec(''.join(['pr', 'int(1)']))",
    "gradebook": "open('../../gradebook.db', 'rb').read()",
    "source": "open('/course/source/stage1/01-python-basics.ipynb').read()",
    "signal": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)",
    "mentor code": "from west2ai.mentor import contest\nlabels = contest.answer_key()",
    "mentor module": "import west2ai.mentor.truth",
    "site truth table": "from west2ai.mentor.truth import qa_truth",
    "site internals": "import west2ai.sites.notice\nrows = west2ai.sites.notice.crawl_tables(seed=2024)",
    "contest layout": "from west2ai.kaggle import _layout",
    "always equal": "class Yes:\n    def __eq__(self, other):\n        return True\ndef mul(a, b):\n    return Yes()",
    "always equal lambda": "class Yes:\n    __eq__ = lambda self, other: True",
    "never unequal": "class Yes(int):\n    def __ne__(self, other):\n        return False",
}
HARMLESS = {
    "plain answer": "def answer():\n    return 42",
    "timing magic": "%time x = sum(range(10))",
    "matplotlib magic": "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.rcParams['font.size'] = 12",
    "reading the environment": "import os\nprint(os.environ.get('HOME'))",
    "cudnn flag": "import torch\ntorch.backends.cudnn.benchmark = True",
    "own object attribute": "class A:\n    pass\na = A()\na.x = 1",
    "constant exec": "exec('x = 1')",
    "public score": "from west2ai import kaggle\nprint(kaggle.public_score('submission.csv'))",
    "a real __eq__": ("class Card:\n    def __init__(self, rank):\n        self.rank = rank\n"
                      "    def __eq__(self, other):\n        if not isinstance(other, Card):\n            return False\n"
                      "        return self.rank == other.rank"),
}


@pytest.mark.parametrize("name", FLAGGED)
def test_flags(tmp_path, name):
    assert _findings(tmp_path, FLAGGED[name]), f"{name} 应被标记"


@pytest.mark.parametrize("name", HARMLESS)
def test_leaves_alone(tmp_path, name):
    assert _findings(tmp_path, HARMLESS[name]) == []


def test_a_locked_cell_counts_only_while_unchanged(tmp_path):
    assert _findings(tmp_path, "x = 1", locked_source="import os\nos.system('ls')")
    assert _findings(tmp_path, "x = 1") == []


def test_truth_handed_out_by_the_notebook_is_allowed(tmp_path):
    """crawl_tables is stage 2's pandas data: allowed where the notebook's own cells use it."""
    code = "from west2ai.sites.notice import crawl_tables\nnotices, _ = crawl_tables(seed=2024, limit=500)"
    assert _findings(tmp_path, code)
    source = nbformat.v4.new_notebook()
    source.cells = [nbformat.v4.new_code_cell("from west2ai.sites.notice import crawl_tables")]
    nbformat.write(source, tmp_path / "source.ipynb")
    sub = nbformat.from_dict(source)
    sub.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(sub, tmp_path / "sub.ipynb")
    assert scan(tmp_path / "sub.ipynb", tmp_path / "source.ipynb") == []
