"""Place a batch of hand-ins (a zip or a folder) into ``submitted/<student>/<stage>/``.

Two layouts are understood, and one wrapper folder around either is tolerated:

- nbgrader's ``zip_collect`` style: one folder per student, files anywhere below it
  (``102301234/01-python-basics.ipynb``, ``102301234/stage1/cnn.pt``);
- a flat batch of ``<student>_<notebook>.ipynb`` files, plus companion files
  ``<student>_<name>`` (``102301234_cnn.pt`` is placed as ``cnn.pt``).

Files that map to no student or to no notebook of the stage are refused with a reason; system
and hidden files (``__MACOSX/``, ``.DS_Store``, ``.ipynb_checkpoints/``) are ignored and listed.
Nothing in submitted/ is overwritten unless asked, and zip members that would land outside
the target (absolute paths, ``..``) are refused.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from .course import Course, CourseError

Opener = Callable[[], IO[bytes]]
Entry = tuple[tuple[str, ...], str, Opener]  # path parts, the name shown to the mentor, opener

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
SYSTEM_FILES = {"__MACOSX", "Thumbs.db", "desktop.ini"}
FLAT_HINT = "文件名应为 <学号>_<notebook>.ipynb，或放在以学号命名的文件夹中"


def is_student_id(name: str) -> bool:
    """Letters, digits and hyphens with at least one digit; a stage name is not an id."""
    return (bool(STUDENT_ID.fullmatch(name)) and any(c.isdigit() for c in name)
            and not re.fullmatch(r"stage\d+", name))


@dataclass
class CollectReport:
    stage: str
    submitted: Path
    notebooks: list[str]
    placed: list[tuple[str, Path]] = field(default_factory=list)  # (student, destination)
    refused: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # system and hidden files, not placed
    unchanged: list[Path] = field(default_factory=list)  # placed, but already there as is

    @property
    def students(self) -> list[str]:
        return sorted({student for student, _ in self.placed})

    def missing(self, student: str) -> list[str]:
        folder = self.submitted / student / self.stage
        return [name for name in self.notebooks if not (folder / name).is_file()]

    def summary(self) -> str:
        where = f"{self.submitted}/<学号>/{self.stage}/"
        if not self.placed:
            lines = [f"没有整理任何文件到 {where}"]
        else:
            same = f"（其中 {len(self.unchanged)} 个已存在且内容相同）" if self.unchanged else ""
            lines = [f"已整理 {len(self.placed)} 个文件（{len(self.students)} 名学生）到 {where}{same}："]
            for student in self.students:
                names = sorted(dest.name for who, dest in self.placed if who == student)
                missing = self.missing(student)
                lines.append(f"  {student}：{', '.join(names)}" + (f"；缺交 {', '.join(missing)}" if missing else ""))
            short = [s for s in self.students if self.missing(s)]
            lines.append(f"缺交：{len(short)} 名学生未交齐 {self.stage} 的 notebook（见上）" if short
                         else f"每名学生都交齐了 {self.stage} 的 {len(self.notebooks)} 个 notebook。")
        if self.refused:
            lines.append(f"未整理 {len(self.refused)} 个文件：")
            lines += [f"  - {message}" for message in self.refused]
        if self.ignored:
            lines.append(f"已忽略系统或隐藏文件：{', '.join(self.ignored)}")
        return "\n".join(lines)


def collect(course: Course, stage: str, path: Path, overwrite: bool = False) -> CollectReport:
    """Place the hand-ins in ``path`` (zip or folder) into ``submitted/<student>/<stage>/``."""
    notebooks = [p.name for p in course.notebooks(stage)]
    if not notebooks:
        raise CourseError(f"source/{stage} 中没有 notebook：无法判断该收哪些文件")
    report = CollectReport(stage, course.submitted, notebooks)
    written: dict[Path, str] = {}
    with _entries(Path(path), report) as entries:
        for parts, shown, opener in _unwrap(entries):
            target = _target(parts, shown, report)
            if target:
                _place(course, report, written, *target, shown, opener, overwrite)
    return report


@contextmanager
def _entries(path: Path, report: CollectReport) -> Iterator[list[Entry]]:
    """The files in a folder or zip, less unsafe, system and hidden ones (noted in the report)."""
    if not path.exists():
        raise CourseError(f"{path} 不存在")
    if path.is_dir():
        found = []
        for dirpath, dirnames, filenames in os.walk(path):
            here = Path(dirpath)
            for name in sorted(dirnames + filenames):
                full = here / name
                shown = full.relative_to(path).as_posix()
                if full.is_symlink():
                    report.refused.append(f"{shown}：是符号链接，未复制")
                elif name in filenames:
                    found.append((PurePosixPath(shown).parts, shown, partial(full.open, "rb")))
            dirnames.sort()
        yield _visible(found, report)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            found = []
            for info in zf.infolist():
                shown = _member_name(info)
                parts = PurePosixPath(shown).parts
                if shown.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", shown):
                    report.refused.append(f"不安全的路径 {shown}：zip 中的路径不得为绝对路径或含 ..，未解压")
                elif not info.is_dir():
                    found.append((parts, shown, partial(zf.open, info)))
            yield _visible(found, report)
    else:
        raise CourseError(f"{path} 既不是 zip 文件也不是文件夹")


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name with / separators; zip tools on Chinese Windows write GBK names
    without the UTF-8 flag, which zipfile then reads as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def _visible(entries: list[Entry], report: CollectReport) -> list[Entry]:
    kept = []
    for parts, shown, opener in entries:
        junk = next((i for i, part in enumerate(parts) if part.startswith(".") or part in SYSTEM_FILES), None)
        if junk is None:
            kept.append((parts, shown, opener))
        else:  # name the outermost system or hidden folder once, not every file in it
            name = "/".join(parts[:junk + 1]) + ("/" if junk < len(parts) - 1 else "")
            if name not in report.ignored:
                report.ignored.append(name)
    return kept


def _unwrap(entries: list[Entry]) -> list[Entry]:
    """Descend into a single top folder that is not a student id (``stage1/``, ``submissions/``)."""
    while entries and all(len(parts) > 1 for parts, _, _ in entries):
        tops = {parts[0] for parts, _, _ in entries}
        if len(tops) > 1 or is_student_id(tops.pop()):
            break
        entries = [(parts[1:], shown, opener) for parts, shown, opener in entries]
    return entries


def _target(parts: tuple[str, ...], shown: str, report: CollectReport) -> tuple[str, str] | None:
    """(student, file name) for one entry, or None with the reason in the report."""
    if len(parts) == 1:
        student, sep, name = parts[0].partition("_")
        if not (sep and name and is_student_id(student)):
            report.refused.append(f"无法识别的文件 {shown}：{FLAT_HINT}")
            return None
    else:
        student, name = parts[0], parts[-1].removeprefix(f"{parts[0]}_")
        if not is_student_id(student):
            report.refused.append(f"无法识别的文件 {shown}：文件夹名 {student} 不是学号（学号由字母、数字、连字符组成，"
                                  f"且含数字）；{FLAT_HINT}")
            return None
    if name.lower().endswith(".ipynb") and name not in report.notebooks:
        report.refused.append(f"无法识别的文件 {shown}：{name} 不是 {report.stage} 的 notebook"
                              f"（应为 {'、'.join(report.notebooks)} 之一）")
        return None
    return student, name


def _place(course: Course, report: CollectReport, written: dict[Path, str], student: str, name: str,
           shown: str, opener: Opener, overwrite: bool) -> None:
    dest = course.submitted / student / report.stage / name
    rel = dest.relative_to(course.root).as_posix()
    if dest in written:  # two files of this batch land on the same destination
        if not _same(dest, opener):
            report.refused.append(f"{shown}：与 {written[dest]} 都应放到 {rel}，只处理了前者")
        return
    written[dest] = shown
    if dest.exists():
        if _same(dest, opener):
            report.placed.append((student, dest))
            report.unchanged.append(dest)
            return
        if not overwrite:
            report.refused.append(f"{shown}：{rel} 已存在且内容不同，未覆盖（确认要替换请加 --force）")
            return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with opener() as src, dest.open("wb") as out:
        shutil.copyfileobj(src, out)
    report.placed.append((student, dest))


def _same(dest: Path, opener: Opener) -> bool:
    if not dest.is_file():
        return False
    with opener() as a, dest.open("rb") as b:
        return _digest(a) == _digest(b)


def _digest(stream: IO[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()
