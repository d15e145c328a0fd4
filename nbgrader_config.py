"""nbgrader settings for the West2 AI course (read by nbgrader and by `python -m west2ai`)."""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "west2ai"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Checkpoints (*.pt) and data files written next to a notebook travel with it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Per-cell time limit in seconds. Training cells of later stages need minutes when no
# checkpoint is present; WEST2AI_CELL_TIMEOUT lowers it (tests of looping submissions).
timeout = int(os.environ.get("WEST2AI_CELL_TIMEOUT", "900"))
c.Execute.timeout = timeout
c.ExecutePreprocessor.timeout = timeout
c.Execute.interrupt_on_timeout = True

# Student-facing stubs in Chinese.
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在这里写下你的回答。"

# A test cell that writes to stderr gets 0 points unless the text matches this pattern:
# known library noise (tqdm bars, torch/numpy/matplotlib warnings) is not a failure.
c.IgnorePattern.pattern = (
    r"(?s).*(?:\d+%\|.*\||it/s\]|s/it\]|UserWarning|DeprecationWarning|FutureWarning|"
    r"RuntimeWarning: overflow|Matplotlib is building the font cache).*"
)
c.IgnorePattern.enabled = True
# `python -m west2ai grade` puts every grading kernel in a bubblewrap sandbox (no network,
# the course hidden, caps on memory, processes and file size); without its environment
# variable this kernel manager is jupyter's plain one, so nbgrader's own commands are unchanged.
c.Execute.kernel_manager_class = "west2ai.mentor.sandbox.SandboxedKernelManager"
# Graded cells duplicated, retyped or with edited metadata are put back as the assignment set
# them before nbgrader checks them (nbgrader alone would give up on the whole notebook).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "west2ai.mentor.repair.RepairCells",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A kernel that dies (crash, os._exit, out of memory) costs the cells from there on, not
# the whole assignment.
c.Autograde.autograde_preprocessors = [
    "west2ai.mentor.executor.RobustExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
