"""Shared fixtures; measured figures (training times, accuracies, grading times) are printed
in the closing summary of every run, passed or failed."""
import pytest

_MEASURED: list[str] = []


@pytest.fixture(scope="session")
def measurements() -> list[str]:
    """Append human-readable measured figures here; they are printed at the end of the run."""
    return _MEASURED


def pytest_terminal_summary(terminalreporter):
    if _MEASURED:
        terminalreporter.section("实测数据 / measured figures")
        for line in _MEASURED:
            terminalreporter.write_line(line)
