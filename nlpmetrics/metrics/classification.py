"""Accuracy and precision / recall / F1: scikit-learn's numbers from a bincount confusion matrix.

Rows hold the raw labels (``prediction``, ``reference``), so batches with
different label sets merge exactly; the label vocabulary is built once, at
aggregate time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.base import Metric, weighted_mean
from nlpmetrics.errors import InputError
from nlpmetrics.options import Option, check_zero_division
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import labels_array

#: Integer labels spanning at most this many values are coded by offset instead of by sorting.
_DENSE_RANGE = 1 << 20


def read_only(array: np.ndarray) -> np.ndarray:
    """Mark a freshly made array read-only, so a ``Result`` keeps it without copying."""
    array.setflags(write=False)
    return array


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
        if high - low < _DENSE_RANGE and high < 2**63:
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


#: Integer labels spanning at most this many values are counted in one dense bincount, with no re-coding.
_DENSE_SPAN = 1024


def confusion_counts(
    prediction: np.ndarray, reference: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Labels that occur and the confusion matrix over them (rows: reference, columns: prediction).

    A label occurs when some row with non-zero weight holds it on either side,
    so a bootstrap resample sees exactly the labels scikit-learn would see on
    the resampled data.
    """
    dense = _dense_confusion(prediction, reference, weights)
    if dense is not None:
        vocabulary, matrix = dense
    else:
        vocabulary, (pred_code, ref_code) = encode_labels(prediction, reference)
        k = vocabulary.size
        matrix = np.bincount(ref_code * k + pred_code, weights=weights, minlength=k * k).reshape(k, k)
    occurs = matrix.any(axis=0) | matrix.any(axis=1)
    if not occurs.all():
        keep = np.flatnonzero(occurs)
        vocabulary, matrix = vocabulary[keep], matrix[np.ix_(keep, keep)]
    return vocabulary, matrix


def _dense_confusion(
    prediction: np.ndarray, reference: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The confusion matrix over every integer from the smallest label to the largest, when that range is small.

    This is the bare ``bincount(reference * k + prediction)`` with no sorting or
    look-up table, which is what makes a 10^6-label F1 cost about one pass.
    """
    if prediction.dtype.kind not in "biu" or reference.dtype.kind not in "biu":
        return None
    both_bool = prediction.dtype.kind == "b" and reference.dtype.kind == "b"
    pred = prediction.view(np.uint8) if prediction.dtype.kind == "b" else prediction
    ref = reference.view(np.uint8) if reference.dtype.kind == "b" else reference
    low = min(int(pred.min()), int(ref.min()))
    high = max(int(pred.max()), int(ref.max()))
    span = high - low + 1
    if span > _DENSE_SPAN or high >= 2**63:  # a wide range, or unsigned values int64 cannot hold
        return None
    pred = pred.astype(np.int64, copy=False)
    ref = ref.astype(np.int64, copy=False)
    if low == 0:
        code = np.multiply(ref, span)
        code += pred
    else:
        code = (ref - low) * span + (pred - low)
    matrix = np.bincount(code, weights=weights, minlength=span * span).reshape(span, span)
    values = np.arange(low, high + 1)
    if both_bool:
        vocabulary = values.astype(bool)
    elif prediction.dtype == reference.dtype and prediction.dtype.kind != "b":
        vocabulary = values.astype(prediction.dtype)
    else:
        vocabulary = values
    return vocabulary, matrix


def prf_divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """``numerator / denominator``, and ``zero_division`` where the denominator is 0 (scikit-learn's and
    seqeval's ``_prf_divide``)."""
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
        # The labels themselves, not just right/wrong: batches of text labels and of numbers then
        # refuse to merge (``"1"`` is not ``1``) instead of being compared silently.
        return {"prediction": predictions, "reference": references}

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        correct = rows["prediction"] == rows["reference"]
        if weights is None:  # an exact count over n: the same float as accuracy_score's mean of booleans
            return {"accuracy": np.count_nonzero(correct) / correct.size}
        return {"accuracy": float(weighted_mean(correct.astype(np.float64), weights))}

    def describe(self, rows: Rows, scores: Mapping[str, float]) -> dict[str, Any]:
        correct = int(np.count_nonzero(rows["prediction"] == rows["reference"]))
        return {"correct": correct, "incorrect": int(rows["prediction"].size - correct)}

    def per_example(self, rows: Rows) -> dict[str, np.ndarray]:
        return {"correct": read_only((rows["prediction"] == rows["reference"]).astype(np.float64))}


class _PrecisionRecallF1(Metric):
    """Shared engine of ``precision``, ``recall`` and ``f1`` (``precision_recall_fscore_support``)."""

    options = {
        "average": Option("micro", choices=("micro", "macro", "weighted", "binary"),
                          doc="how per-class scores combine into one number"),
        "labels": Option(None, check=_check_labels, doc="the classes to score, in order (default: all seen)"),
        "pos_label": Option(1, doc="the positive class when average='binary'"),
        "zero_division": Option(0.0, check=check_zero_division,
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

    def _confusion(self, rows: Rows, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """``confusion_counts`` of the rows, reused when the same unweighted rows are asked for again.

        ``Result.from_rows`` calls ``aggregate`` then ``describe`` on the same
        rows; counting once halves the cost of a one-shot score.
        """
        prediction, reference = rows["prediction"], rows["reference"]
        if weights is not None:
            return confusion_counts(prediction, reference, weights)
        cached = self.__dict__.get("_confusion_cache")
        if cached is not None and cached[0] is prediction and cached[1] is reference:
            return cached[2]
        counted = confusion_counts(prediction, reference, None)
        self._confusion_cache = (prediction, reference, counted)
        return counted

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_confusion_cache", None)
        return state

    def reset(self) -> Metric:
        self.__dict__.pop("_confusion_cache", None)
        return super().reset()

    def per_class(self, rows: Rows, weights: np.ndarray | None = None):
        """Per-class counts for the scored labels: labels, true positives, predicted, actual."""
        present, matrix = self._confusion(rows, weights)
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
        precision = prf_divide(tp, predicted, zero)
        recall = prf_divide(tp, actual, zero)
        f1 = prf_divide(2.0 * tp, actual + predicted, zero)
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

    def per_example(self, rows: Rows) -> None:
        """None: precision, recall and F1 are properties of a whole set, not of one example.

        (Use ``accuracy`` for a per-example right/wrong column; leaving it out
        here keeps a 10^6-label F1 at about one bincount's cost.)
        """
        return None


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
