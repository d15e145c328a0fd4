"""``grade --jobs 2``: the same grades as ``--jobs 1``, and faster (the benchmark of
west2ai/mentor/bench.py, 8 stage-1 submissions on this machine's cores)."""
from __future__ import annotations

import os

import pytest

from west2ai.mentor.bench import run_bench

pytestmark = pytest.mark.slow
MIN_SPEEDUP = 1.5  # measured 1.89× on 2 cores; the issue aims at 1.6×, this leaves room for noise


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 cores")
def test_two_jobs_grade_the_same_and_faster(tmp_path, measurements):
    result = run_bench(students=8, jobs=2, workdir=tmp_path)
    measurements.append(result.summary())
    assert result.same_grades, result.summary()
    assert result.speedup >= MIN_SPEEDUP, result.summary()
