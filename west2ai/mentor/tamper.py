"""Tamper scan: what has no place in an answer, found by reading the code (AST), not running it.

nbgrader scores a test cell only by whether it raised, so code that changes how the kernel
runs later cells (an IPython input transformer that rewrites every ``assert``, a trace hook,
a patched ``west2ai`` or numpy) can fake a grade from inside the student's kernel. Before
grading, every code cell a student could have written is parsed (IPython syntax first turned
into Python, as the kernel does) and checked against the rules below. A flagged notebook's
autograded points are held at 0 and reported as 需人工复核 with the cell and the reason; the
mentor releases them after review (``python -m west2ai review``).

Cells restored by nbgrader before it runs anything (locked cells of the source notebook,
unchanged) are not the student's and are not scanned.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

# IPython shell internals that change how later cells are read, run or reported.
SHELL_INTERNALS = {
    "input_transformers_post", "input_transformers_cleanup", "ast_transformers", "events", "set_custom_exc",
    "custom_exceptions", "set_hook", "register_magic_function", "register_magics", "displayhook", "display_pub",
    "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback", "_showtraceback", "CustomTB",
    "kernel", "user_ns_hidden", "execution_count", "extension_manager", "magics_manager",
}
SAFE_MAGICS = {"time", "timeit", "matplotlib", "pip", "capture", "config"}
# module -> attributes whose use installs a hook or reaches into the interpreter
HOOKS = {
    "sys": {"settrace", "setprofile", "excepthook", "displayhook", "addaudithook", "meta_path", "path_hooks",
            "modules", "_getframe", "breakpointhook", "unraisablehook"},
    "threading": {"settrace", "setprofile", "settrace_all_threads", "setprofile_all_threads"},
    "inspect": {"currentframe", "stack", "getouterframes"},
    "gc": {"get_objects", "get_referrers", "get_referents"},
    "os": {"system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execlp", "execvp", "execvpe",
           "spawnl", "spawnv", "spawnlp", "spawnvp", "posix_spawn", "posix_spawnp", "kill", "killpg", "putenv",
           "unsetenv"},
    "atexit": {"register"},
}
FORBIDDEN_IMPORTS = {
    "subprocess": "启动子进程", "multiprocessing": "启动子进程", "pty": "启动子进程", "ctypes": "直接操作内存",
    "builtins": "修改内置函数", "IPython": "操作 IPython 内核", "ipykernel": "操作 IPython 内核",
    "nbgrader": "操作评分工具", "sqlite3": "读写数据库文件", "signal": "改写信号处理（例如忽略中断）",
}
# Settings that are meant to be changed (plot fonts, display options, cuDNN flags).
SETTINGS = ("plt.rcParams", "mpl.rcParams", "matplotlib.rcParams", "pd.options", "pandas.options",
            "torch.backends", "np.random", "numpy.random")
# Comparison methods that answer the same whatever they are compared with: such an object
# passes ``assert answer() == expected`` without being the answer.
CONSTANT_COMPARISONS = {"__eq__": True, "__ne__": False, "__contains__": True}
# The grader's ground truth: the mentor's code, the fixture sites' truth tables and scorers.
# ``crawl_tables`` is handed out where a notebook's own cells use it (stage 2's pandas notebook).
TRUTH = {"qa_truth", "expected_qa", "score_qa", "notice_tables", "site_truth", "answer_key", "private_score",
         "_generate", "_tables", "_public_key", "_layout", "crawl_tables"}
COURSE_FILES = ("gradebook.db", "nbgrader_config", "/source/", "source/stage", "submitted/", "autograded/",
                ".ipynb")


@dataclass(frozen=True)
class Finding:
    notebook: str
    cell: str  # grade_id, or "第 N 个单元" for a cell without one
    reason: str

    def line(self) -> str:
        return f"需人工复核：{self.notebook} {self.cell}：{self.reason}"


def python_of(source: str) -> str:
    """A cell's source as the kernel runs it: IPython magics and ``!`` lines become calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression node
        return "?"


class _Scanner(ast.NodeVisitor):
    def __init__(self, modules: set[str], handed_out: frozenset[str] = frozenset()):
        self.modules = modules  # names bound by imports anywhere in the student's cells
        self.truth = TRUTH - handed_out
        self.reasons: list[str] = []

    def _truth(self, node: ast.AST, name: str) -> None:
        if name in self.truth:
            self.flag(node, f"使用评分用的标准答案 {name}（只有隐藏测试和导师端评分器可以用）")

    def flag(self, node: ast.AST, reason: str) -> None:
        self.reasons.append(f"第 {getattr(node, 'lineno', '?')} 行 {reason}")

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.startswith("west2ai.mentor"):
                self.flag(node, f"导入 {alias.name}（导师端的评分代码）")
            top = alias.name.split(".")[0]
            if top in FORBIDDEN_IMPORTS:
                self.flag(node, f"导入 {alias.name}（{FORBIDDEN_IMPORTS[top]}）")
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if (node.module or "").startswith("west2ai.mentor") or \
                (node.module == "west2ai" and any(a.name == "mentor" for a in node.names)):
            self.flag(node, f"导入 {node.module}（导师端的评分代码）")
        if (node.module or "").startswith("west2ai"):
            for alias in node.names:
                self._truth(node, alias.name)
        top = (node.module or "").split(".")[0]
        if top in FORBIDDEN_IMPORTS:
            self.flag(node, f"导入 {node.module}（{FORBIDDEN_IMPORTS[top]}）")
        for alias in node.names:
            if top in HOOKS and alias.name in HOOKS[top]:
                self.flag(node, f"导入 {top}.{alias.name}（安装钩子或启动进程）")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if _dotted(node).startswith("west2ai."):
            self._truth(node, node.attr)
        if node.attr in SHELL_INTERNALS:
            self.flag(node, f"使用 IPython 内部接口 .{node.attr}（会改变之后单元格的执行方式）")
        base = node.value
        if isinstance(base, ast.Name) and base.id in HOOKS and node.attr in HOOKS[base.id]:
            self.flag(node, f"使用 {base.id}.{node.attr}（安装钩子、检查调用栈或启动进程）")
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._constant_comparison(node, node.name, [n.value for n in ast.walk(node) if isinstance(n, ast.Return)])
        self.generic_visit(node)

    def _constant_comparison(self, node: ast.AST, name: str | None, results: list) -> None:
        """Flag a comparison method ``name`` whose every result (AST nodes) is its constant answer."""
        answer = CONSTANT_COMPARISONS.get(name, ...)
        if results and all(isinstance(r, ast.Constant) and r.value is answer for r in results):
            self.flag(node, f"定义总返回 {answer} 的 {name}（与任何值比较都“相等”，骗过 == 检查）")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node):
        if node.id in ("__builtins__", "__import__"):
            self.flag(node, f"使用 {node.id}")
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "run_cell_magic"):
            name = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
            if name not in SAFE_MAGICS:
                self.flag(node, f"使用魔法命令 %{name}")
        if isinstance(func, ast.Attribute) and func.attr in ("system", "getoutput") and \
                isinstance(func.value, ast.Call) and _dotted(func.value.func) == "get_ipython":
            self.flag(node, "用 ! 执行 shell 命令（启动子进程）")
        if isinstance(func, ast.Attribute) and _dotted(func.value) == "os.environ" and \
                func.attr in ("update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"):
            self.flag(node, f"修改环境变量（os.environ.{func.attr}）")
        if isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and node.args:
            target = _root(node.args[0])
            if isinstance(target, ast.Name) and target.id in self.modules:
                self.flag(node, f"用 {func.id} 修改导入的模块 {_dotted(node.args[0])}")
        if isinstance(func, ast.Name) and func.id in ("exec", "eval", "compile") and node.args and \
                not isinstance(node.args[0], ast.Constant):
            self.flag(node, f"用 {func.id} 执行拼出来的代码")
        self.generic_visit(node)

    def _check_target(self, target: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._check_target(t)
            return
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            root = _root(target)
            if _dotted(target).startswith(SETTINGS):
                return
            if isinstance(root, ast.Name) and root.id in self.modules:
                self.flag(target, f"修改导入的模块 {_dotted(target)}（猴子补丁）")
            if isinstance(target, ast.Subscript) and _dotted(target.value).endswith("__dict__"):
                self.flag(target, f"改写 {_dotted(target.value)}")

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target)
            if isinstance(node.value, ast.Lambda):
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
                self._constant_comparison(node, name, [node.value.body])
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and any(marker in node.value for marker in COURSE_FILES):
            self.flag(node, f"访问课程或评分文件 {node.value[:80]!r}")


def _imported_modules(trees: list[ast.AST]) -> set[str]:
    """Names that ``import x`` / ``import x as y`` bind (modules, not ``from x import f``)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                # ``from torch import nn``: nn is a module; ``from x import f``: patching f.attr is odd too
                names |= {a.asname or a.name for a in node.names}
    return names


def _trusted(source_nb) -> dict[str, str]:
    """grade_id -> source of the locked cells that nbgrader restores before running."""
    out = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked") and not meta.get("solution"):
            out[meta.get("grade_id")] = cell.source
    return out


def scan(submission: Path, source: Path) -> list[Finding]:
    """The findings in one submitted notebook (``source``: the stage's source notebook)."""
    try:
        nb = nbformat.read(submission, as_version=4)
    except Exception:  # a malformed notebook is reported by grading itself
        return []
    source_nb = nbformat.read(source, as_version=4)
    trusted = _trusted(source_nb)
    handed_out = frozenset(name for name in TRUTH if any(
        name in cell.source for cell in source_nb.cells
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")))
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in trusted and trusted[gid] == cell.source:
            continue
        try:
            tree = ast.parse(python_of(cell.source))
        except (SyntaxError, ValueError):
            continue  # it cannot run, so it cannot tamper
        cells.append((gid or f"第 {i + 1} 个单元", tree))
    modules = _imported_modules([tree for _, tree in cells])
    findings = []
    for where, tree in cells:
        scanner = _Scanner(modules, handed_out)
        scanner.visit(tree)
        findings += [Finding(submission.name, where, reason) for reason in dict.fromkeys(scanner.reasons)]
    return findings
