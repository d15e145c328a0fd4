"""nbgrader's Execute step, made to survive a submission that kills its kernel or floods it.

nbgrader gives up on a whole assignment when the kernel dies (a crash, ``os._exit``, the
out-of-memory killer) or ignores the interrupt sent after a cell's timeout (a loop that
catches ``KeyboardInterrupt``). A mentor needs the cells that ran before graded and the rest
scored 0, so this subclass records the failure as an error output on the cell that was
running and every cell after it, and hands the notebook on to nbgrader's grading steps.

A cell that prints without end would fill the grader's memory (every output is kept until
the notebook is written): past ``max_output_bytes`` a cell's further output is dropped, a note
says so, and the kernel is interrupted, so that cell fails like a timed-out one.
"""
from __future__ import annotations

import asyncio
import json

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

FLOOD = "输出过多：本单元格超过 {mb:g} MB 的输出已被丢弃，单元格被中断，计 0 分。"


def _error(message: str, ename: str = "KernelLost") -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class RobustExecute(Execute):
    """Execute that turns a lost kernel into errors on the cells that never completed and
    caps each cell's output."""

    max_output_bytes = Integer(8 * 1024 * 1024, help="Output kept per cell; more interrupts the cell").tag(config=True)

    _current = 0
    _output_bytes = 0
    _flooded = False

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        self._output_bytes = 0
        self._flooded = False
        return super().preprocess_cell(cell, resources, index)

    def output(self, outs, msg, display_id, cell_index):
        if self._flooded:
            return None
        self._output_bytes += len(json.dumps(msg.get("content", {})))
        if self._output_bytes > self.max_output_bytes:
            self._flooded = True
            # an error output, so that a flooding test cell scores 0 like any failing one
            outs.append(_error(FLOOD.format(mb=self.max_output_bytes / 2**20), "OutputFlood"))
            self.log.warning("Output of cell %d over %d bytes: interrupting", cell_index, self.max_output_bytes)
            asyncio.ensure_future(self._interrupt())
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def _interrupt(self):
        result = self.km.interrupt_kernel()
        if asyncio.iscoroutine(result):
            await result

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
