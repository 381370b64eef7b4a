"""Precision, recall and F1 from counts: scikit-learn's and seqeval's division and averaging rules.

Shared by the classification metrics and ``seqeval``: a ratio whose
denominator is 0 takes ``zero_division``; averages skip undefined (NaN)
values and fall back to the plain mean when every weight is 0.  The
``masked_average`` form does the same for many bootstrap resamples at once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.errors import NlpmetricsWarning
from nlpmetrics.validation import shown


class LabelWarning(NlpmetricsWarning):
    """A label counts in an average although no example has it.

    Code ``"labels_without_examples"``: a label of ``labels=`` (or an
    all-zero column of an indicator matrix) appears in no prediction and no
    reference, so its precision, recall and F1 are ``zero_division`` and the
    macro average is pulled toward that value (scikit-learn counts it the
    same way and warns too).
    """


def prf_divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """``numerator / denominator``, and ``zero_division`` where the denominator is 0 (``_prf_divide``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        result = numerator / denominator
    return np.where(denominator == 0, zero_division, result)


def nanaverage(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Average ignoring NaN, falling back to the plain mean when every weight is 0 (as scikit-learn)."""
    keep = ~np.isnan(values)
    if values.size == 0 or not keep.any():
        return math.nan
    if weights is not None and weights[keep].sum() != 0:
        return float(np.average(values[keep], weights=weights[keep]))
    return float(np.mean(values[keep]))


def masked_average(values: np.ndarray, scored: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Per row, :func:`nanaverage` of ``values`` over the ``scored`` columns (one row per resample)."""
    keep = scored & ~np.isnan(values)
    filled = np.where(keep, values, 0.0)
    count = keep.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plain = filled.sum(axis=1) / count
        if weights is None:
            return np.where(count > 0, plain, math.nan)
        kept_weights = np.where(keep, weights, 0.0)
        total = kept_weights.sum(axis=1)
        weighted = (filled * kept_weights).sum(axis=1) / total
    return np.where(count > 0, np.where(total != 0, weighted, plain), math.nan)


def prf_details(average: str, averaged: Mapping[str, float], labels: Sequence[Any], counts: Sequence[np.ndarray],
                per_label: Sequence[np.ndarray], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Return the details every precision/recall/F1 result carries: the averages, ``extra``, counts and per-label table.

    ``counts`` are the true positives, predicted and actual counts per label
    and ``per_label`` the precision, recall and F1 of each; ``extra`` (the
    accuracy of single-label data, the subset accuracy of multi-label data...)
    comes right after the averages.
    """
    tp, predicted, actual = counts
    precision, recall, f1 = per_label
    if average == "macro":
        _warn_of_labels_without_examples(labels, predicted, actual, f1)
    return {
        "average": average,
        "precision": averaged["precision"],
        "recall": averaged["recall"],
        "f1": averaged["f1"],
        **extra,
        "true_positives": int(tp.sum()),
        "predicted_positives": int(predicted.sum()),
        "actual_positives": int(actual.sum()),
        "n_labels": len(labels),
        "per_class": {"label": list(labels), "precision": precision, "recall": recall, "f1": f1,
                      "support": actual.astype(np.int64)},
    }


def _warn_of_labels_without_examples(labels: Sequence[Any], predicted: np.ndarray, actual: np.ndarray,
                                     f1: np.ndarray) -> None:
    """Warn when labels that no prediction and no reference has still count in a macro average."""
    empty = [int(i) for i in np.flatnonzero((predicted == 0) & (actual == 0)) if not math.isnan(float(f1[i]))]
    if not empty:
        return
    named = ", ".join(shown(labels[i]) for i in empty[:3]) + (", ..." if len(empty) > 3 else "")
    warnings.warn(LabelWarning(
        f"{len(empty)} of {len(labels)} labels ({named}) {'appears' if len(empty) == 1 else 'appear'} in no "
        "prediction and no reference, yet each counts "
        f"in the macro average with F1 = {float(f1[empty[0]]):g} (zero_division); check labels=, or pass "
        "zero_division=float('nan') to leave them out of the average", code="labels_without_examples"),
        stacklevel=4)
