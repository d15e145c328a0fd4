"""nbgrader's Execute step, made to survive a submission that kills its kernel.

nbgrader gives up on a whole assignment when the kernel dies (a crash, ``os._exit``, the
out-of-memory killer) or ignores the interrupt sent after a cell's timeout (a loop that
catches ``KeyboardInterrupt``). A mentor needs the cells that ran before graded and the rest
scored 0, so this subclass records the failure as an error output on the cell that was
running and every cell after it, and hands the notebook on to nbgrader's grading steps.
"""
from __future__ import annotations

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute


def _error(message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename="KernelLost",
        evalue=message,
        traceback=[f"KernelLost: {message}"],
    )


class RobustExecute(Execute):
    """Execute that turns a lost kernel into errors on the cells that never completed."""

    _current = 0

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb, resources=None, km=None):
        self._current = 0
        try:
            return super().preprocess(nb, resources, km=km)
        except (DeadKernelError, CellTimeoutError) as exc:
            what = "崩溃" if isinstance(exc, DeadKernelError) else "超时且无法中断"
            message = f"内核在执行过程中{what}，此单元格及之后的单元格未能运行，计 0 分。"
            self.log.error("Kernel lost while grading (%s): %s", type(exc).__name__, exc)
            # The cell that was running when the kernel died, and every cell after it.
            for cell in nb.cells[self._current:]:
                if cell.cell_type == "code":
                    cell.outputs = [*cell.get("outputs", []), _error(message)]
            return nb, resources
