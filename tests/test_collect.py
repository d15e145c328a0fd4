"""``collect``: hand-ins (zip or folder) placed into submitted/<student>/<stage>/."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from west2ai.mentor.collect import collect, is_student_id
from west2ai.mentor.course import Course, CourseError, repo_root

A, B = "01-a.ipynb", "02-b.ipynb"


def notebook(text: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nbformat.writes(nb).encode()


@pytest.fixture
def course(tmp_path) -> Course:
    root = tmp_path / "course"
    (root / "source" / "stage1").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    for name in (A, B):
        nbformat.write(nbformat.v4.new_notebook(), root / "source" / "stage1" / name)
    return Course(root)


def make_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def make_folder(path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


def tree(course: Course) -> dict[str, bytes]:
    """Every file under submitted/, by its path relative to it."""
    return {p.relative_to(course.submitted).as_posix(): p.read_bytes()
            for p in sorted(course.submitted.rglob("*")) if p.is_file()}


def test_student_ids():
    assert is_student_id("102301234") and is_student_id("B2023-0101")
    for name in ("stage1", "submissions", "10230 1234", "102301234_x", "-1", "学号1", ""):
        assert not is_student_id(name), name


def test_zip_collect_layout(course, tmp_path):
    files = {
        f"102301234/{A}": notebook("s1 a"),
        f"102301234/{B}": notebook("s1 b"),
        f"102301235/stage1/{A}": notebook("s2 a"),
        "102301235/stage1/cnn.pt": b"weights",
    }
    report = collect(course, "stage1", make_zip(tmp_path / "in.zip", files))
    assert report.refused == [] and report.ignored == [] and report.unchanged == []
    assert report.students == ["102301234", "102301235"]
    sub = course.submitted
    assert sorted(report.placed) == sorted([
        ("102301234", sub / "102301234/stage1" / A), ("102301234", sub / "102301234/stage1" / B),
        ("102301235", sub / "102301235/stage1" / A), ("102301235", sub / "102301235/stage1/cnn.pt")])
    assert tree(course) == {
        f"102301234/stage1/{A}": files[f"102301234/{A}"],
        f"102301234/stage1/{B}": files[f"102301234/{B}"],
        f"102301235/stage1/{A}": files[f"102301235/stage1/{A}"],
        "102301235/stage1/cnn.pt": b"weights",
    }
    assert report.missing("102301234") == [] and report.missing("102301235") == [B]


def test_flat_folder_with_companion_file(course, tmp_path):
    files = {
        f"102301234_{A}": notebook("s1 a"),
        f"102301234_{B}": b"{ not json",  # placed anyway: grading reports a broken notebook
        "102301234_cnn.pt": b"weights",
        "102301235_my_model.pt": b"other weights",
        f"102301235_{A}": notebook("s2 a"),
    }
    report = collect(course, "stage1", make_folder(tmp_path / "in", files))
    assert report.refused == []
    assert report.students == ["102301234", "102301235"]
    assert len(report.placed) == 5
    assert tree(course) == {
        f"102301234/stage1/{A}": files[f"102301234_{A}"],
        f"102301234/stage1/{B}": b"{ not json",
        "102301234/stage1/cnn.pt": b"weights",
        "102301235/stage1/my_model.pt": b"other weights",
        f"102301235/stage1/{A}": files[f"102301235_{A}"],
    }
    assert (tmp_path / "in" / "102301234_cnn.pt").read_bytes() == b"weights"  # the input is left alone


@pytest.mark.parametrize("files, expected", [
    ({f"submissions/102301234/{A}": b"1", f"submissions/102301235/sub/{B}": b"2"},
     {f"102301234/stage1/{A}": b"1", f"102301235/stage1/{B}": b"2"}),
    ({f"stage1/102301234_{A}": b"1", f"stage1/102301235_{B}": b"2"},
     {f"102301234/stage1/{A}": b"1", f"102301235/stage1/{B}": b"2"}),
    ({f"hw/stage1/102301234/{A}": b"1", f"hw/stage1/102301234/{B}": b"2"},
     {f"102301234/stage1/{A}": b"1", f"102301234/stage1/{B}": b"2"}),
    # a single student's folder is not a wrapper, even with a stage folder inside
    ({f"102301234/stage1/{A}": b"1", "102301234/stage1/cnn.pt": b"2"},
     {f"102301234/stage1/{A}": b"1", "102301234/stage1/cnn.pt": b"2"}),
    # the file name may repeat the student id inside the student's folder
    ({f"102301234/102301234_{A}": b"1"}, {f"102301234/stage1/{A}": b"1"}),
])
def test_wrapper_folder(course, tmp_path, files, expected):
    report = collect(course, "stage1", make_zip(tmp_path / "in.zip", files))
    assert report.refused == []
    assert tree(course) == expected


def test_gbk_names_from_windows_zip_tools(course, tmp_path):
    path = make_zip(tmp_path / "in.zip", {f"ZZZZ/102301234_{A}": b"1", f"ZZZZ/102301235_{A}": b"2",
                                          "ZZZZ/YYYY.txt": b"3"})
    raw = path.read_bytes()
    assert raw.count(b"ZZZZ/") == 6  # local and central headers, no UTF-8 flag: zipfile reads cp437
    path.write_bytes(raw.replace(b"ZZZZ/", "作业/".encode("gbk")).replace(b"YYYY", "说明".encode("gbk")))
    report = collect(course, "stage1", path)
    assert report.refused == ["无法识别的文件 作业/说明.txt：文件名应为 <学号>_<notebook>.ipynb，或放在以学号命名的文件夹中"]
    assert tree(course) == {f"102301234/stage1/{A}": b"1", f"102301235/stage1/{A}": b"2"}


def test_junk_is_refused_with_reasons_and_the_rest_placed(course, tmp_path):
    good = notebook("good")
    files = {
        f"102301234_{A}": good,
        f"102301235/{B}": notebook("good too"),
        "foo.txt": b"?",
        A: b"no id",
        "102301234_03-c.ipynb": b"unknown notebook",
        f"102301235/{A[:-6]}-Copy1.ipynb": b"a copy",
        f"homework/{A}": b"folder is no id",
        f"102301235/stage1/{B}": b"same destination, other content",
        f"102301234/{A}": good,  # same destination, same content: no harm
        f"__MACOSX/._102301234_{A}": b"mac",
        ".DS_Store": b"mac",
        f"102301235/.ipynb_checkpoints/{A[:-6]}-checkpoint.ipynb": b"c",
        f"102301235/.ipynb_checkpoints/{B[:-6]}-checkpoint.ipynb": b"c",
    }
    report = collect(course, "stage1", make_folder(tmp_path / "in", files))
    assert tree(course) == {f"102301234/stage1/{A}": files[f"102301234_{A}"],
                            f"102301235/stage1/{B}": files[f"102301235/{B}"]}
    assert len(report.placed) == 2 and report.students == ["102301234", "102301235"]
    assert sorted(report.ignored) == [".DS_Store", "102301235/.ipynb_checkpoints/", "__MACOSX/"]
    hint = "文件名应为 <学号>_<notebook>.ipynb，或放在以学号命名的文件夹中"
    not_nb = f"不是 stage1 的 notebook（应为 {A}、{B} 之一）"
    assert sorted(report.refused) == sorted([
        f"无法识别的文件 foo.txt：{hint}",
        f"无法识别的文件 {A}：{hint}",
        f"无法识别的文件 102301234_03-c.ipynb：03-c.ipynb {not_nb}",
        f"无法识别的文件 102301235/01-a-Copy1.ipynb：01-a-Copy1.ipynb {not_nb}",
        f"无法识别的文件 homework/{A}：文件夹名 homework 不是学号（学号由字母、数字、连字符组成，且含数字）；{hint}",
        f"102301235/stage1/{B}：与 102301235/{B} 都应放到 submitted/102301235/stage1/{B}，只处理了前者",
    ])
    summary = report.summary()
    for message in report.refused:
        assert f"  - {message}\n" in summary + "\n"
    assert "未整理 6 个文件：" in summary
    assert "已忽略系统或隐藏文件：" in summary and "__MACOSX/" in summary


def test_existing_files_are_not_overwritten_without_force(course, tmp_path):
    first = make_folder(tmp_path / "first", {f"102301234_{A}": b"old", "102301234_cnn.pt": b"w"})
    assert collect(course, "stage1", first).refused == []
    dest = course.submitted / "102301234" / "stage1" / A

    again = collect(course, "stage1", first)  # same content: already present, nothing refused
    assert again.refused == [] and again.unchanged == [dest, dest.with_name("cnn.pt")]
    assert "（其中 2 个已存在且内容相同）" in again.summary()

    second = make_folder(tmp_path / "second", {f"102301234_{A}": b"new", "102301234_cnn.pt": b"w"})
    refused = collect(course, "stage1", second)
    assert refused.refused == [f"102301234_{A}：submitted/102301234/stage1/{A} 已存在且内容不同，"
                               "未覆盖（确认要替换请加 --force）"]
    assert refused.placed == [("102301234", dest.with_name("cnn.pt"))]
    assert dest.read_bytes() == b"old"

    forced = collect(course, "stage1", second, overwrite=True)
    assert forced.refused == [] and forced.unchanged == [dest.with_name("cnn.pt")]
    assert dest.read_bytes() == b"new"


def test_zip_slip_is_refused(course, tmp_path):
    path = make_zip(tmp_path / "in.zip", {
        "../evil.ipynb": b"x",
        f"/abs/102301234_{A}": b"x",
        f"102301234/../../evil_{A}": b"x",
        "..\\..\\evil.pt": b"x",
        f"102301234_{A}": b"fine",
    })
    report = collect(course, "stage1", path)
    assert tree(course) == {f"102301234/stage1/{A}": b"fine"}
    assert not list(tmp_path.glob("evil*")) and not list(course.root.glob("evil*"))
    why = "zip 中的路径不得为绝对路径或含 ..，未解压"
    assert report.refused == [f"不安全的路径 ../evil.ipynb：{why}", f"不安全的路径 /abs/102301234_{A}：{why}",
                              f"不安全的路径 102301234/../../evil_{A}：{why}", f"不安全的路径 ../../evil.pt：{why}"]


def test_summary_lists_missing_notebooks(course, tmp_path):
    report = collect(course, "stage1", make_folder(tmp_path / "in", {
        f"102301234_{A}": b"1", f"102301234_{B}": b"2", f"102301235_{B}": b"3", "102301236_cnn.pt": b"4"}))
    lines = report.summary().splitlines()
    assert lines[0] == f"已整理 4 个文件（3 名学生）到 {course.submitted}/<学号>/stage1/："
    assert lines[1:5] == [
        f"  102301234：{A}, {B}",
        f"  102301235：{B}；缺交 {A}",
        f"  102301236：cnn.pt；缺交 {A}, {B}",
        "缺交：2 名学生未交齐 stage1 的 notebook（见上）",
    ]
    assert len(lines) == 5


def test_bad_paths_raise_course_error(course, tmp_path):
    with pytest.raises(CourseError, match="不存在"):
        collect(course, "stage1", tmp_path / "nowhere.zip")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(CourseError, match="既不是 zip 文件也不是文件夹"):
        collect(course, "stage1", tmp_path / "notes.txt")
    assert not course.submitted.exists()


def run_cli(course: Course, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "west2ai", "--course", str(course.root), "collect", *args],
                          capture_output=True, text=True, cwd=repo_root(), timeout=120)


def test_cli_end_to_end(course, tmp_path):
    good = make_zip(tmp_path / "good.zip", {f"102301234/{A}": b"1", f"102301234/{B}": b"2"})
    res = run_cli(course, "stage1", str(good))
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"已整理 2 个文件（1 名学生）到 {course.submitted}/<学号>/stage1/：" in res.stdout
    assert f"  102301234：{A}, {B}\n" in res.stdout
    assert tree(course) == {f"102301234/stage1/{A}": b"1", f"102301234/stage1/{B}": b"2"}

    bad = make_zip(tmp_path / "bad.zip", {f"102301235/{A}": b"3", "foo.txt": b"?"})
    res = run_cli(course, "1", str(bad))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "无法识别的文件 foo.txt：" in res.stdout
    assert (course.submitted / "102301235" / "stage1" / A).read_bytes() == b"3"

    res = run_cli(course, "stage1", str(tmp_path / "missing.zip"))
    assert res.returncode == 2 and "不存在" in res.stderr
