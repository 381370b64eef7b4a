"""Pearson and Spearman correlation, identical to ``scipy.stats``.

Rows hold the raw pairs, so the aggregate is exact whatever the offset of the
values (no running sums of squares) and Spearman's tie-averaged ranks are
computed over all examples at once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import numbers_array


class ConstantInputWarning(RuntimeWarning):
    """A correlation is undefined because one side does not vary."""


def pearson_r(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Pearson's r with scipy's operation order (centre, scale by max, normalise), optionally weighted.

    Returns NaN with a :class:`ConstantInputWarning` when either side is
    constant or there are fewer than two examples.
    """
    if x.size < 2 or (weights is not None and weights.sum() < 2):
        warnings.warn(ConstantInputWarning("a correlation needs at least two examples; the result is nan"),
                      stacklevel=3)
        return math.nan
    if np.all(x == x[0]) or np.all(y == y[0]):
        side = "predictions" if np.all(x == x[0]) else "references"
        warnings.warn(
            ConstantInputWarning(
                f"the {side} are all equal ({(x if side == 'predictions' else y)[0]!r}), so the correlation "
                "is not defined; the result is nan, not 0"
            ),
            stacklevel=3,
        )
        return math.nan
    if weights is None:
        xm = x - x.mean()
        ym = y - y.mean()
        xmax = np.max(np.abs(xm))
        ymax = np.max(np.abs(ym))
        normxm = xmax * np.linalg.norm(xm / xmax)
        normym = ymax * np.linalg.norm(ym / ymax)
        r = float(np.dot(xm / normxm, ym / normym))
        r = max(min(r, 1.0), -1.0)
        return float(round(r)) if x.size == 2 else r
    total = weights.sum()
    xm = x - np.dot(weights, x) / total
    ym = y - np.dot(weights, y) / total
    denominator = math.sqrt(np.dot(weights, xm * xm) * np.dot(weights, ym * ym))
    if denominator == 0:
        return math.nan
    return max(min(float(np.dot(weights, xm * ym) / denominator), 1.0), -1.0)


def average_ranks(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Ranks from 1 with ties given their average rank (``scipy.stats.rankdata``), a row counting ``weights[i]`` times."""
    distinct, inverse = np.unique(values, return_inverse=True)
    counts = np.bincount(inverse, weights=weights, minlength=distinct.size).astype(np.float64)
    before = np.cumsum(counts) - counts
    return (before + (counts + 1.0) / 2.0)[inverse]


class _Correlation(Metric):
    bounds = (-1.0, 1.0)
    reference_modules = ("numpy",)

    def check_inputs(self, predictions, references):
        return numbers_array(predictions, "predictions"), numbers_array(references, "references")

    def statistics(self, predictions: np.ndarray, references: np.ndarray) -> Rows:
        return {"prediction": predictions, "reference": references}

    def describe(self, rows: Rows, scores: Mapping[str, float]) -> dict[str, Any]:
        x, y = rows["prediction"], rows["reference"]
        return {
            "prediction_mean": float(x.mean()),
            "reference_mean": float(y.mean()),
            "prediction_std": float(x.std()),
            "reference_std": float(y.std()),
        }


@register
class Pearson(_Correlation):
    """Linear correlation between predicted and reference scores (``scipy.stats.pearsonr``)."""

    name = "pearson"
    score_keys = ("pearson",)

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        return {"pearson": pearson_r(rows["prediction"], rows["reference"], weights)}


@register
class Spearman(_Correlation):
    """Rank correlation between predicted and reference scores (``scipy.stats.spearmanr``)."""

    name = "spearman"
    score_keys = ("spearman",)

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        x, y = rows["prediction"], rows["reference"]
        if x.size >= 2 and not (np.all(x == x[0]) or np.all(y == y[0])):
            x, y = average_ranks(x, weights), average_ranks(y, weights)
        return {"spearman": pearson_r(x, y, weights)}
