"""Accuracy and precision / recall / F1: scikit-learn's numbers from a bincount confusion matrix.

Rows hold the raw labels (``prediction``, ``reference``), so batches with
different label sets merge exactly; the label vocabulary is built once, at
aggregate time.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.base import Metric, weighted_mean
from nlpmetrics.errors import InputError
from nlpmetrics.options import Option
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import labels_array

#: Integer labels spanning at most this many values are coded by offset instead of by sorting.
_DENSE_RANGE = 1 << 20


def check_label_inputs(predictions: Sequence, references: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Both sides as label arrays of one kind (all text or all numbers)."""
    pred = labels_array(predictions, "predictions")
    ref = labels_array(references, "references")
    if (pred.dtype.kind == "U") != (ref.dtype.kind == "U"):
        text_side, number_side = ("predictions", "references") if pred.dtype.kind == "U" else ("references", "predictions")
        raise InputError(
            f"{text_side} are text labels but {number_side} are numbers ({pred[0]!r} vs {ref[0]!r}); "
            "convert both to the same type"
        )
    return pred, ref


def encode_labels(*arrays: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sorted distinct labels over ``arrays`` and each array's codes into them."""
    if all(a.dtype.kind in "biu" for a in arrays):
        low = min(int(a.min()) for a in arrays)
        high = max(int(a.max()) for a in arrays)
        if high - low < _DENSE_RANGE:
            shifted = [a.astype(np.int64, copy=False) - low for a in arrays]
            seen = np.zeros(high - low + 1, dtype=bool)
            for s in shifted:
                seen[s] = True
            present = np.flatnonzero(seen)
            lookup = np.full(high - low + 1, -1, dtype=np.int64)
            lookup[present] = np.arange(present.size)
            vocabulary = (present + low).astype(arrays[0].dtype if arrays[0].dtype.kind != "b" else np.int64)
            if all(a.dtype.kind == "b" for a in arrays):
                vocabulary = present.astype(bool)
            return vocabulary, [lookup[s] for s in shifted]
    joined = np.concatenate(arrays)
    vocabulary, inverse = np.unique(joined, return_inverse=True)
    splits = np.cumsum([a.size for a in arrays])[:-1]
    return vocabulary, np.split(inverse.reshape(-1), splits)


def confusion_counts(
    prediction: np.ndarray, reference: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Labels present and the confusion matrix (rows: reference, columns: prediction)."""
    vocabulary, (pred_code, ref_code) = encode_labels(prediction, reference)
    k = vocabulary.size
    matrix = np.bincount(ref_code * k + pred_code, weights=weights, minlength=k * k).reshape(k, k)
    return vocabulary, matrix


def _divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = numerator / denominator
    return np.where(denominator == 0, zero_division, result)


def _nanaverage(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Average ignoring NaN, falling back to the plain mean when every weight is 0 (as scikit-learn)."""
    keep = ~np.isnan(values)
    if values.size == 0 or not keep.any():
        return math.nan
    if weights is not None and weights[keep].sum() != 0:
        return float(np.average(values[keep], weights=weights[keep]))
    return float(np.mean(values[keep]))


def _check_zero_division(value: Any) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and (value in (0, 1) or math.isnan(value)):
        return float(value)
    raise ValueError("zero_division must be 0.0, 1.0 or float('nan')")


def _check_labels(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ValueError("labels must be a list of class labels, e.g. labels=['cat', 'dog']")
    values = list(value)
    if not values:
        raise ValueError("labels must name at least one class")
    if len(set(values)) != len(values):
        raise ValueError("labels lists a class twice")
    return tuple(v.item() if isinstance(v, np.generic) else v for v in values)


@register
class Accuracy(Metric):
    """Fraction of examples whose predicted label equals the reference (``sklearn.metrics.accuracy_score``)."""

    name = "accuracy"
    score_keys = ("accuracy",)
    reference_modules = ("numpy",)

    def check_inputs(self, predictions, references):
        return check_label_inputs(predictions, references)

    def statistics(self, predictions: np.ndarray, references: np.ndarray) -> Rows:
        return {"correct": predictions == references}

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        return {"accuracy": float(weighted_mean(rows["correct"].astype(np.float64), weights))}

    def describe(self, rows: Rows, scores: Mapping[str, float]) -> dict[str, Any]:
        correct = int(np.count_nonzero(rows["correct"]))
        return {"correct": correct, "incorrect": int(rows["correct"].size - correct)}

    def per_example(self, rows: Rows) -> dict[str, np.ndarray]:
        return {"correct": rows["correct"].astype(np.float64)}


class _PrecisionRecallF1(Metric):
    """Shared engine of ``precision``, ``recall`` and ``f1`` (``precision_recall_fscore_support``)."""

    options = {
        "average": Option("micro", choices=("micro", "macro", "weighted", "binary"),
                          doc="how per-class scores combine into one number"),
        "labels": Option(None, check=_check_labels, doc="the classes to score, in order (default: all seen)"),
        "pos_label": Option(1, doc="the positive class when average='binary'"),
        "zero_division": Option(0.0, check=_check_zero_division,
                                doc="value of a score whose denominator is 0: 0.0, 1.0 or nan"),
    }
    reference_modules = ("numpy",)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if self.config["average"] == "binary" and self.config["labels"] is None and self.config["pos_label"] is None:
            raise InputError(f"metric {self.name!r} with average='binary' needs pos_label (the positive class)")

    def check_inputs(self, predictions, references):
        pred, ref = check_label_inputs(predictions, references)
        wanted = self.config["labels"] or ()
        if self.config["average"] == "binary":
            wanted = (*wanted, self.config["pos_label"])
        for label in wanted:
            if isinstance(label, str) != (pred.dtype.kind == "U"):
                kind = "text" if pred.dtype.kind == "U" else "numbers"
                raise InputError(
                    f"option labels/pos_label names {label!r} but the labels in the data are {kind}; "
                    "use the same type for both"
                )
        return pred, ref

    def statistics(self, predictions: np.ndarray, references: np.ndarray) -> Rows:
        return {"prediction": predictions, "reference": references}

    def per_class(self, rows: Rows, weights: np.ndarray | None = None):
        """Per-class counts for the scored labels: labels, true positives, predicted, actual."""
        present, matrix = confusion_counts(rows["prediction"], rows["reference"], weights)
        labels = self._scored_labels(present)
        index = {label: i for i, label in enumerate(present.tolist())}
        tp_all, pred_all, true_all = np.diag(matrix), matrix.sum(axis=0), matrix.sum(axis=1)
        positions = np.array([index.get(label, -1) for label in labels], dtype=np.int64)
        found = positions >= 0
        take = np.where(found, positions, 0)
        tp = np.where(found, tp_all[take], 0)
        predicted = np.where(found, pred_all[take], 0)
        actual = np.where(found, true_all[take], 0)
        return labels, tp, predicted, actual, present, matrix

    def _scored_labels(self, present: np.ndarray) -> list:
        average, pos_label = self.config["average"], self.config["pos_label"]
        present_list = present.tolist()
        if average == "binary":
            if len(present_list) > 2:
                raise InputError(
                    f"average='binary' needs at most two classes but the data has {len(present_list)} "
                    f"({', '.join(map(repr, present_list[:5]))}{', ...' if len(present_list) > 5 else ''}); "
                    "choose average='micro', 'macro' or 'weighted'"
                )
            if pos_label not in present_list and len(present_list) >= 2:
                raise InputError(
                    f"pos_label={pos_label!r} is not one of the labels in the data ({present_list}); "
                    "set pos_label to the positive class"
                )
            return [pos_label]
        if self.config["labels"] is not None:
            return list(self.config["labels"])
        return present_list

    def scores_from_counts(self, tp, predicted, actual) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        zero = self.config["zero_division"]
        tp = tp.astype(np.float64)
        precision = _divide(tp, predicted, zero)
        recall = _divide(tp, actual, zero)
        f1 = _divide(2.0 * tp, actual + predicted, zero)
        return precision, recall, f1

    def _averaged(self, tp, predicted, actual) -> dict[str, float]:
        average = self.config["average"]
        if average == "micro":
            tp, predicted, actual = (np.array([x.sum()]) for x in (tp, predicted, actual))
        precision, recall, f1 = self.scores_from_counts(tp, predicted, actual)
        weights = actual.astype(np.float64) if average == "weighted" else None
        return {
            "precision": _nanaverage(precision, weights),
            "recall": _nanaverage(recall, weights),
            "f1": _nanaverage(f1, weights),
        }

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        _, tp, predicted, actual, _, _ = self.per_class(rows, weights)
        return {self.name: self._averaged(tp, predicted, actual)[self.name]}

    def describe(self, rows: Rows, scores: Mapping[str, float]) -> dict[str, Any]:
        labels, tp, predicted, actual, present, matrix = self.per_class(rows)
        precision, recall, f1 = self.scores_from_counts(tp, predicted, actual)
        averaged = self._averaged(tp, predicted, actual)
        correct = int(np.trace(matrix))
        return {
            "average": self.config["average"],
            "precision": averaged["precision"],
            "recall": averaged["recall"],
            "f1": averaged["f1"],
            "accuracy": correct / int(matrix.sum()),
            "correct": correct,
            "true_positives": int(tp.sum()),
            "predicted_positives": int(predicted.sum()),
            "actual_positives": int(actual.sum()),
            "n_labels": len(labels),
            "per_class": {
                "label": labels,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": actual.astype(np.int64),
            },
            "confusion_matrix": {"labels": present.tolist(), "counts": matrix.astype(np.int64)},
        }

    def per_example(self, rows: Rows) -> dict[str, np.ndarray]:
        return {"correct": (rows["prediction"] == rows["reference"]).astype(np.float64)}


@register
class Precision(_PrecisionRecallF1):
    """Of the examples predicted as a class, the fraction that truly are (per class, then averaged)."""

    name = "precision"
    score_keys = ("precision",)


@register
class Recall(_PrecisionRecallF1):
    """Of the examples truly in a class, the fraction predicted as it (per class, then averaged)."""

    name = "recall"
    score_keys = ("recall",)


@register
class F1(_PrecisionRecallF1):
    """Harmonic mean of precision and recall (per class, then averaged)."""

    name = "f1"
    score_keys = ("f1",)
