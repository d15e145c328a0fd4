"""Graded cells put back as the assignment set them, before nbgrader reads a submission.

Jupyter makes some edits easy to make by accident: duplicating a cell copies its nbgrader
metadata (two cells with one grade id), the cell-type menu turns a test cell into markdown,
and the metadata editor changes points or flags. nbgrader restores the source and the
points of a locked cell but gives up on the whole notebook when the flags of a graded cell
changed ("Inconsistent checksums") or a grade id appears twice (its own de-duplication
leaves metadata it then rejects). So before nbgrader's checks, every cell whose grade id
belongs to the assignment gets the assignment's nbgrader metadata and cell type back; a
second cell with the same grade id, or a graded cell the assignment never had, becomes an
ordinary cell (its code still runs, it earns nothing). Nothing is gained by such an edit,
nothing else in the notebook is lost, and the grade report says what was put back.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")


def _assignment_cells(source_nb) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in source_nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def repair(nb, source_nb) -> list[str]:
    """Put the graded cells of ``nb`` back as in ``source_nb`` (in place); what was changed."""
    known = _assignment_cells(source_nb)
    seen: set[str] = set()
    notes = []
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid not in known:
            if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
                notes.append(f"第 {i + 1} 个单元格自称评分单元格 {gid!r}，原题中没有：按普通单元格运行，不计分")
            del cell.metadata["nbgrader"]
            continue
        if gid in seen:
            notes.append(f"{gid} 出现了不止一次：第一个按题目评分，之后的副本按普通单元格运行")
            del cell.metadata["nbgrader"]
            continue
        seen.add(gid)
        original = known[gid]
        want = {k: original.metadata["nbgrader"][k] for k in KEYS if k in original.metadata["nbgrader"]}
        if {k: meta.get(k) for k in want} != want or set(meta) - set(KEYS) - {"checksum", "cell_type"}:
            notes.append(f"{gid} 的评分元数据被改动：已按原题恢复")
            cell.metadata["nbgrader"] = {**want, **({"checksum": meta["checksum"]} if "checksum" in meta else {})}
        if cell.cell_type != original.cell_type:
            notes.append(f"{gid} 被改成了 {cell.cell_type} 单元格：已按原题恢复为 {original.cell_type}")
            make = nbformat.v4.new_code_cell if original.cell_type == "code" else nbformat.v4.new_markdown_cell
            restored = make(cell.source, metadata=cell.metadata)
            if "id" in cell:
                restored["id"] = cell["id"]
            nb.cells[i] = restored
    return notes


def repair_file(submission: Path, source: Path) -> list[str]:
    """What ``repair`` would put back in a submitted notebook (the file is not changed)."""
    try:
        nb = nbformat.read(submission, as_version=4)
        return repair(nb, nbformat.read(source, as_version=4))
    except Exception:  # a malformed notebook is reported by grading itself
        return []


class RepairCells(NbGraderPreprocessor):
    """nbgrader sanitize step (set in ``nbgrader_config.py``): ``repair`` against the source notebook."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        source = Path.cwd() / "source" / info.get("assignment", "") / f"{info.get('notebook', '')}.ipynb"
        if source.is_file():
            for note in repair(nb, nbformat.read(source, as_version=4)):
                self.log.warning("west2ai repair: %s", note)
        return nb, resources
