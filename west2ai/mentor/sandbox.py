"""Grading kernels in a bubblewrap sandbox.

``grade`` runs every student's ``nbgrader autograde`` with a sandbox description in the
environment variable ``WEST2AI_SANDBOX``; nbgrader's execute step starts each kernel through
:class:`SandboxedKernelManager` (set in ``nbgrader_config.py``), which wraps the kernel's
command in ``bwrap`` when that variable is present and is nbclient's usual ``AsyncKernelManager`` otherwise
(so ``nbgrader autograde`` typed by hand behaves as nbgrader always did).

Inside the sandbox (COURSE.md §4; checked with bubblewrap 0.8, jupyter_client 8, ipykernel 7):

- the whole system is read-only; the course directory and the kit's checkout are hidden
  (an empty tmpfs over each), so ``source/``, the gradebook, other students' folders and the
  kit's text sources cannot be seen; the ``west2ai`` package and a Python environment that
  lives inside a hidden folder are bound back read-only;
- only the notebook's own folder (the student's ``autograded/<学号>/<stageN>/``) and a short
  private scratch folder (``HOME``, ``TMPDIR``, IPython and matplotlib state, the kernel's
  ipc sockets: TCP cannot cross ``--unshare-net``) are writable;
- no network (a fresh network namespace with only loopback);
- caps: data segment (``RLIMIT_DATA``: a huge allocation becomes ``MemoryError``, torch still
  imports), the size of any file written, open files, and the number of processes (a pids
  cgroup where one can be made, else ``RLIMIT_NPROC``, which binds every user but root).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

ENV = "WEST2AI_SANDBOX"
PIDS_CGROUP = Path("/sys/fs/cgroup/pids")


@dataclass
class Limits:
    data_bytes: int = 4 << 30  # RLIMIT_DATA: heap and anonymous mappings
    file_bytes: int = 1 << 30  # RLIMIT_FSIZE: the largest file the kernel may write
    processes: int = 1024  # pids cgroup: tasks, threads included (Chromium needs a few hundred) (or RLIMIT_NPROC)
    open_files: int = 1024  # RLIMIT_NOFILE


@dataclass
class Sandbox:
    """What a grading kernel may see: ``hide`` folders (course root, kit checkout) become
    empty; ``show`` folders inside them are bound back read-only."""

    hide: list[str]
    show: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    env: dict[str, str] = field(default_factory=dict)  # extra variables for the kernel
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])  # names this grading run's leftovers

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, text: str) -> Sandbox:
        raw = json.loads(text)
        return cls(raw["hide"], raw.get("show", []), Limits(**raw.get("limits", {})), raw.get("env", {}),
                   raw.get("run", "x"))

    def fresh(self) -> Sandbox:
        """The same sandbox under a new run id: its ``sweep`` leaves other runs' kernels alone."""
        return replace(self, run=uuid.uuid4().hex[:8])

    def hiding(self, folders: list[str]) -> Sandbox:
        """The same sandbox with ``folders`` hidden too (the model judge hides the datasets)."""
        extra = [f for f in folders if not any(Path(f).is_relative_to(h) for h in self.hide)]
        return Sandbox(self.hide + extra, self.show, self.limits, {}, self.run)

    def command(self, work: Path, scratch: Path, argv: list[str]) -> list[str]:
        """``argv`` (the kernel's command) wrapped in bwrap and prlimit."""
        cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]
        for folder in self.hide:
            cmd += ["--tmpfs", folder]
        for folder in self.show:
            if Path(folder).exists():
                cmd += ["--ro-bind", folder, folder]
        cmd += ["--bind", str(work), str(work), "--bind", str(scratch), str(scratch)]
        for folder in self.hide:  # the empty stand-ins are read-only too (after their mount points were made)
            cmd += ["--remount-ro", folder]
        cmd += ["--chdir", str(work)]
        for name, value in (("HOME", scratch), ("TMPDIR", scratch / "tmp"), ("IPYTHONDIR", scratch / "ipython"),
                            ("MPLCONFIGDIR", scratch / "matplotlib"), ("XDG_CACHE_HOME", scratch / "cache"),
                            *self.env.items()):
            cmd += ["--setenv", name, str(value)]
        lim = self.limits
        cmd += ["--", "prlimit", f"--data={lim.data_bytes}", f"--fsize={lim.file_bytes}",
                f"--nofile={lim.open_files}", f"--nproc={lim.processes}", "--"]
        return cmd + argv


def grading_sandbox(course_root: Path, kit_root: Path, limits: Limits | None = None) -> Sandbox:
    """The sandbox for grading one course: hide the course and the kit's checkout, show back
    the ``west2ai`` package and the Python environment when they live inside them, and let
    kernels read the Fashion-MNIST copy prepared here (they cannot write a cache of their own
    outside their folder)."""
    from .. import data

    env = {}
    try:
        data.fashion_mnist_root()
        env["WEST2AI_CACHE"] = str(data.cache_dir())
    except data.DatasetNotFound:
        pass  # a notebook that needs it reports the loader's message
    hide = sorted({str(Path(course_root).resolve()), str(Path(kit_root).resolve())})
    show = []
    for path in (Path(__file__).resolve().parents[1], Path(sys.prefix).resolve()):
        if any(path.is_relative_to(h) for h in hide):
            show.append(str(path))
    # A folder inside a hidden one must come after it; a hidden folder inside another one
    # (a course kept inside the kit's checkout) is already covered.
    hide = [h for h in hide if not any(h != o and Path(h).is_relative_to(o) for o in hide)]
    return Sandbox(hide, show, limits or Limits(), env)


def sandbox_problem() -> str | None:
    """Why a sandboxed kernel cannot run on this machine, or None when it can."""
    if not shutil.which("bwrap"):
        return "找不到 bubblewrap（bwrap）：sudo apt-get install bubblewrap"
    if not shutil.which("prlimit"):
        return "找不到 prlimit（util-linux）"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                            "--unshare-net", "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap 无法在本机创建沙箱：{probe.stderr.strip()[:300]}"
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described in ``WEST2AI_SANDBOX``
    (or in ``sandbox_json``, for a kernel this process starts itself: the training audit)."""

    sandbox_json = Unicode("", help="A Sandbox.to_env() text; overrides the environment variable")
    _sandbox: Sandbox | None = None
    _scratch: Path | None = None
    _cgroup: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        text = self.sandbox_json or os.environ.get(ENV)
        if text:
            self._sandbox = Sandbox.from_env(text)
            self._work = Path(kw.get("cwd") or os.getcwd()).resolve()
            # Unix socket paths must stay short (108 bytes): a private folder under /tmp.
            self._scratch = Path(tempfile.mkdtemp(prefix=f"w2k-{self._sandbox.run}-"))
            for sub in ("tmp", "ipython", "matplotlib", "cache"):
                (self._scratch / sub).mkdir()
            self.transport = "ipc"
            self.ip = str(self._scratch / "kernel")
            self._cgroup = _pids_cgroup(self._scratch.name, self._sandbox.limits.processes)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self._sandbox is None:
            return cmd
        cmd = self._sandbox.command(self._work, self._scratch, cmd)
        if self._cgroup is not None:
            # join the cgroup before bwrap starts, so that every process of the kernel is in it
            cmd = ["sh", "-c", f'echo $$ > "{self._cgroup}/cgroup.procs" && exec "$@"', "sh", *cmd]
        return cmd

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if restart:
            return
        if self._cgroup is not None:
            _remove_cgroup(self._cgroup)
            self._cgroup = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def sweep(sandbox: Sandbox) -> None:
    """Remove what this grading run's kernels left behind (their processes, cgroups and
    scratch folders), whatever way their kernels ended."""
    for group in PIDS_CGROUP.glob(f"west2ai-w2k-{sandbox.run}-*"):
        _remove_cgroup(group)
    for folder in Path(tempfile.gettempdir()).glob(f"w2k-{sandbox.run}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _pids_cgroup(name: str, limit: int) -> Path | None:
    """A new pids cgroup capped at ``limit`` processes, or None where none can be made."""
    group = PIDS_CGROUP / f"west2ai-{name}"
    try:
        group.mkdir()
        (group / "pids.max").write_text(str(limit))
    except OSError:
        _remove_cgroup(group)
        return None
    return group


def _remove_cgroup(group: Path) -> None:
    """Kill what is left in the cgroup (a fork bomb's children) and remove it."""
    for _ in range(50):
        try:
            pids = (group / "cgroup.procs").read_text().split()
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError, PermissionError):
                pass
        time.sleep(0.1)
    try:
        group.rmdir()
    except OSError:
        pass
