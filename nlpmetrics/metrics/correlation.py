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
from nlpmetrics.errors import NlpmetricsWarning
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import numbers_array


class ConstantInputWarning(NlpmetricsWarning, RuntimeWarning):
    """A correlation is undefined because one side does not vary (``code="constant_input"``)."""


def _constant_warning(x: np.ndarray, y: np.ndarray) -> bool:
    """Warn and return True when a correlation of ``x`` and ``y`` is undefined."""
    if x.size < 2:
        warnings.warn(ConstantInputWarning("a correlation needs at least two examples; the result is nan",
                                           code="too_few_examples"), stacklevel=4)
        return True
    for side, values in (("predictions", x), ("references", y)):
        if np.all(values == values[0]):
            warnings.warn(
                ConstantInputWarning(
                    f"the {side} are all equal ({float(values[0])!r}), so the correlation is not defined "
                    "(it divides by their spread, which is 0); the result is nan, not 0",
                    code="constant_input",
                ),
                stacklevel=4,
            )
            return True
    return False


def pearson_r(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Pearson's r, bit-for-bit ``scipy.stats.pearsonr`` when unweighted, else each row counted ``weights[i]`` times.

    The unweighted path repeats scipy's operations on the same 2-D shapes
    (centre, scale by the largest deviation, normalise, dot), so the result is
    identical, and exact for values with a large common offset.  Returns NaN
    with a :class:`ConstantInputWarning` when either side is constant (among
    the rows that count) or there are fewer than two examples.
    """
    if weights is not None:
        counted = weights > 0
        if not counted.all():
            x, y, weights = x[counted], y[counted], weights[counted]
    if _constant_warning(x, y) or (weights is not None and weights.sum() < 2):
        return math.nan
    if weights is None:
        x2, y2 = x[np.newaxis, :], y[np.newaxis, :]
        xm = x2 - np.mean(x2, axis=-1, keepdims=True)
        ym = y2 - np.mean(y2, axis=-1, keepdims=True)
        xmax = np.max(np.abs(xm), axis=-1, keepdims=True)
        ymax = np.max(np.abs(ym), axis=-1, keepdims=True)
        normxm = xmax * np.linalg.norm(xm / xmax, axis=-1, keepdims=True)
        normym = ymax * np.linalg.norm(ym / ymax, axis=-1, keepdims=True)
        # numpy's stubs give np.vecdot (a gufunc) no ``axis`` keyword; numpy accepts it
        r = float(np.clip(np.vecdot(xm / normxm, ym / normym, axis=-1), -1.0, 1.0)[0])  # type: ignore[call-overload]
        return float(round(r)) if x.size == 2 else r
    total = weights.sum()
    xm = x - np.dot(weights, x) / total
    ym = y - np.dot(weights, y) / total
    xmax, ymax = np.max(np.abs(xm)), np.max(np.abs(ym))
    if xmax == 0 or ymax == 0:
        return math.nan
    xs, ys = xm / xmax, ym / ymax
    denominator = math.sqrt(np.dot(weights, xs * xs) * np.dot(weights, ys * ys))
    if denominator == 0:
        return math.nan
    return max(min(float(np.dot(weights, xs * ys) / denominator), 1.0), -1.0)


def spearman_rho(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Spearman's rho: bit-for-bit ``scipy.stats.spearmanr`` when unweighted (``corrcoef`` of average ranks)."""
    if weights is not None:
        counted = weights > 0
        if not counted.all():
            x, y, weights = x[counted], y[counted], weights[counted]
    if _constant_warning(x, y):
        return math.nan
    if weights is None:
        ranked = np.column_stack((average_ranks(x), average_ranks(y)))
        return float(np.corrcoef(ranked, rowvar=False)[1, 0])
    return pearson_r(average_ranks(x, weights), average_ranks(y, weights), weights)


def average_ranks(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Return ranks from 1, ties given their average rank (``scipy.stats.rankdata``).

    Row i counts ``weights[i]`` times.
    """
    distinct, inverse = np.unique(values, return_inverse=True)
    counts = np.bincount(inverse, weights=weights, minlength=distinct.size).astype(np.float64)
    before = np.cumsum(counts) - counts
    return (before + (counts + 1.0) / 2.0)[inverse]


class _Correlation(Metric):
    input_kind = "numbers"
    reduction = "rows"
    bounds = (-1.0, 1.0)
    reference_modules = ("numpy",)

    def check_inputs(self, predictions, references):
        return numbers_array(predictions, "predictions"), numbers_array(references, "references")

    def statistics(self, predictions: np.ndarray, references: np.ndarray) -> Rows:
        return Rows({"prediction": predictions, "reference": references})

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        rows = summary["rows"]
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
    auto_select = ("pearson",)

    def score(self, summary: Mapping[str, Any]) -> dict[str, float]:
        """Return Pearson's r of the pairs, each row counted by its weight."""
        rows = summary["rows"]
        return {"pearson": pearson_r(rows["prediction"], rows["reference"], summary["weights"])}


@register
class Spearman(_Correlation):
    """Rank correlation between predicted and reference scores (``scipy.stats.spearmanr``)."""

    name = "spearman"
    score_keys = ("spearman",)
    auto_select = ("spearman",)

    def score(self, summary: Mapping[str, Any]) -> dict[str, float]:
        """Return Spearman's rho of the pairs, each row counted by its weight."""
        rows = summary["rows"]
        return {"spearman": spearman_rho(rows["prediction"], rows["reference"], summary["weights"])}
