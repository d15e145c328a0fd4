"""Run a reference notebook from scratch and time it against its CPU budget.

A training notebook's budget is written once, in its stage file (``budget_seconds``); the
build copies it into the notebook's header. COURSE.md §5 asks the reference to finish within
it with at least 30% headroom, on CI's 2 cores, with no checkpoint present.
"""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .course import GENERATED
from .nbgrader import tool_env
from .sandbox import SandboxedKernelManager, sweep

HEADROOM = 1.3  # the measured time times this must stay within the budget
METRIC_LINE = re.compile(r"(训练用时|test acc|测试集|准确率|公开榜|private|public|accuracy)", re.I)  # printed lines worth reporting


@dataclass
class ReferenceRun:
    notebook: str
    seconds: float
    budget: float | None
    errors: list[str]
    outputs: list[Path]  # files the run wrote next to the notebook (checkpoints, CSVs)
    metrics: list[str] = field(default_factory=list)  # the run's printed time/accuracy lines
    cells_run: set[str] = field(default_factory=set)  # grade ids of the cells that ran without error
    regraded: ReferenceRun | None = None  # a later run in grading mode, with the checkpoint

    @property
    def within_budget(self) -> bool:
        return self.budget is not None and self.seconds * HEADROOM <= self.budget

    def summary(self) -> str:
        budget = f"，预算 {self.budget:g} s（需留 30% 余量：≤ {self.budget / HEADROOM:.0f} s）" if self.budget else ""
        return f"{self.notebook}: 从头运行 {self.seconds:.1f} s{budget}，错误 {len(self.errors)} 处"


def run_reference(source: Path, workdir: Path, budget: float | None, timeout: int = 900,
                  grading: bool = False, sandbox=None, env: dict | None = None) -> ReferenceRun:
    """Execute a copy of ``source`` (and the files beside it) in ``workdir``.

    The first run in an empty ``workdir`` is from scratch. With ``grading=True`` the kernel
    sees ``NBGRADER_EXECUTION`` as under nbgrader, so checkpoints left by an earlier run in
    the same ``workdir`` are loaded instead of training. With a ``sandbox`` (a student's
    notebook: the training audit) the kernel runs in it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for item in source.parent.iterdir():
        if item.is_file() and not any(item.match(p) for p in GENERATED):
            shutil.copy(item, workdir / item.name)
    before = set(workdir.iterdir())
    nb = nbformat.read(workdir / source.name, as_version=4)
    extra = {}
    if sandbox is not None:  # a student's notebook: a cell past its time is interrupted, the run goes on
        extra = {"km": SandboxedKernelManager(sandbox_json=sandbox.to_env(), kernel_name="python3"),
                 "interrupt_on_timeout": True}
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}}, **extra)
    env = tool_env({**({"NBGRADER_EXECUTION": "autograde"} if grading else {}), **(env or {})})
    start = time.perf_counter()
    try:
        client.execute(env=env)
    finally:
        if sandbox is not None:
            sweep(sandbox)
    seconds = time.perf_counter() - start
    nbformat.write(nb, workdir / source.name)
    errors, metrics, cells_run = [], [], set()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        failed = any(out.get("output_type") == "error" for out in cell.get("outputs", []))
        if gid and cell.cell_type == "code" and cell.get("execution_count") and not failed:
            cells_run.add(gid)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                metrics += [line.strip() for line in out.get("text", "").splitlines()
                            if METRIC_LINE.search(line)]
            if out.get("output_type") == "error":
                errors.append(f"{gid or '?'}: {out.get('ename')}: {out.get('evalue', '')[:300]}")
    outputs = sorted(p for p in set(workdir.iterdir()) - before if p.is_file())
    return ReferenceRun(source.name, seconds, budget, errors, outputs, metrics[-6:], cells_run)
