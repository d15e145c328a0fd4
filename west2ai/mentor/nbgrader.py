"""Running one nbgrader command as a child process.

Every nbgrader step runs as its own ``python -m nbgrader …`` process in the course root, so
nbgrader reads ``nbgrader_config.py`` exactly as when a mentor types the command, and a
submission that hangs or crashes cannot take the mentor's process down with it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class StepResult:
    ok: bool
    log: str
    timed_out: bool = False


def tool_env(extra: dict | None = None) -> dict:
    """The environment for child processes: this Python's ``bin`` first on ``PATH``.

    nbgrader starts tools of its own environment by name (``alembic`` for the gradebook,
    the kernel); when the mentor runs ``…/.venv/bin/python -m west2ai`` without activating
    the environment, those tools are found only this way.
    """
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env.update(extra or {})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_nbgrader(root: Path, *args: str, timeout: float | None = None,
                 env: dict | None = None) -> StepResult:
    """Run ``nbgrader ARGS`` in ``root``; never raises on its failure.

    The log goes to a file, not a pipe: a process a submission left behind (a forked child
    of its kernel) may hold a pipe open for ever, but it cannot stop us reading a file.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args]
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=tool_env(env), stdout=log, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            # Kill nbgrader and everything in its session; a kernel left behind notices
            # that its parent is gone and exits by itself.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            timed_out = True
        log.seek(0)
        out = log.read()
    return StepResult(proc.returncode == 0 and not timed_out, out, timed_out=timed_out)


def last_error(log: str) -> str:
    """The most telling line of an nbgrader log, for a one-line problem report."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line[-200:]
    return lines[-1][-200:] if lines else "未知错误"
