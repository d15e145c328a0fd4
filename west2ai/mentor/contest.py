"""The contest's private side, kept with the mentor: the answer key and the private score.

The student package (``west2ai.kaggle``) writes the contest files and scores the public
30%; only the mentor-side grader (``judge.py``) scores the private 70%, from the model the
notebook exported and the ``submission.csv`` that model must have written.
"""
from __future__ import annotations

import numpy as np

from .. import kaggle
from ..data import fashion_mnist_arrays


def answer_key() -> np.ndarray:
    """Labels of every test row, in ``test.csv`` order (never written to disk)."""
    _, y = fashion_mnist_arrays("test")
    return y[kaggle._layout()["test_rows"]]


def test_images() -> np.ndarray:
    """The test images (uint8, 10000×28×28) in ``test.csv`` order."""
    return kaggle.test_images()


def private_score(labels) -> float:
    """Accuracy of ``labels`` (one per test row, in ``test.csv`` order, or a submission file
    or DataFrame) on the private 70% of the rows: the final ranking."""
    if not isinstance(labels, np.ndarray):
        labels = kaggle.read_submission(labels)["label"].to_numpy()
    private = ~kaggle.public_mask()
    return float((labels[private] == answer_key()[private]).mean())
