"""Accuracy and precision / recall / F1: scikit-learn's numbers from per-class counts of label codes.

Rows hold each example's predicted and reference label as codes into one
category list (:mod:`nlpmetrics.labels`), so batches with different label sets
merge exactly, a long label is stored once, and ``keep_examples=False`` keeps
only the table of distinct (prediction, reference) pairs with counts: memory
constant in the number of examples, intervals still exact.  The summary is
the per-class true positives, predicted and actual counts (and the confusion
matrix for the details); for a bootstrap it has one row per resample and the
averages are computed for all resamples at once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric, total_weight, weighted_sum
from nlpmetrics.errors import InputError
from nlpmetrics.labels import LabelCodes, integer_pair, sorted_order
from nlpmetrics.metrics import multilabel as ml
from nlpmetrics.metrics._prf import masked_average, nanaverage, prf_details, prf_divide
from nlpmetrics.options import Option, check_ignore_index, check_zero_division
from nlpmetrics.registry import register
from nlpmetrics.rows import Categories, Rows, categories_of
from nlpmetrics.validation import a_type, shown

#: Up to this many classes the details carry the full confusion matrix.
MAX_CONFUSION_CLASSES = 2048


def read_only(array: np.ndarray) -> np.ndarray:
    """Mark a freshly made array read-only, so a ``Result`` keeps it without copying."""
    array.setflags(write=False)
    return array


def label_rows(predictions: LabelCodes, references: LabelCodes) -> Rows:
    """Rows of codes ``prediction`` and ``reference`` into their shared category list."""
    return Rows({"prediction": predictions.codes, "reference": references.codes}, categories=predictions.categories,
                coded=("prediction", "reference"))


def sum_by_code(codes: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """``out[..., k]``: the total weight of the rows whose code is ``k`` (per resample for 2-D weights)."""
    if weights is None or weights.ndim == 1:
        return np.bincount(codes, weights=weights, minlength=size)
    order = np.argsort(codes, kind="stable")
    present, starts = np.unique(codes[order], return_index=True)
    out = np.zeros((*weights.shape[:-1], size), dtype=np.float64)
    if present.size:
        out[..., present] = np.add.reduceat(weights[..., order], starts, axis=-1)
    return out


def class_counts(rows: Mapping[str, np.ndarray], weights: np.ndarray | None) -> dict[str, Any]:
    """Per-class true positives, predicted and actual counts of coded label rows (and the confusion matrix).

    Up to :data:`MAX_CONFUSION_CLASSES` classes everything comes from one
    ``bincount`` of ``reference * k + prediction`` (the confusion matrix);
    more classes, or 2-D ``weights`` (one row per resample, giving counts
    with a leading resample axis), count each column by code instead.
    """
    categories = categories_of(rows)
    size = len(categories)
    pred, ref = rows["prediction"], rows["reference"]
    counts: dict[str, Any] = {"n": total_weight(rows, weights), "categories": categories, "confusion": None}
    if (weights is None or weights.ndim == 1) and size <= MAX_CONFUSION_CLASSES:
        cells = ref * size
        cells += pred
        matrix = np.bincount(cells, weights=weights, minlength=size * size).reshape(size, size)
        counts.update(tp=np.diagonal(matrix).copy(), predicted=matrix.sum(axis=0), actual=matrix.sum(axis=1),
                      confusion=matrix)
        return counts
    hit = pred == ref
    hit_weights = (hit if weights is None else weights * hit).astype(np.float64, copy=False)
    counts.update(tp=sum_by_code(ref, hit_weights, size), predicted=sum_by_code(pred, weights, size),
                  actual=sum_by_code(ref, weights, size))
    return counts


def _class_label(value: Any) -> str | int | bool | float | None:
    """``value`` as a class label (a string, an integer, a bool or a whole float; numpy scalars become Python ones).

    Anything else gives None.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return value  # a whole float is a label, as in the data (1.0 == 1)
    return None


def _check_labels(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ValueError("labels must be a list of class labels, e.g. labels=['cat', 'dog']")
    values = list(np.asarray(value).reshape(-1).tolist() if isinstance(value, np.ndarray) else value)
    if not values:
        raise ValueError("labels must name at least one class")
    labels = [_class_label(v) for v in values]
    if None in labels:
        bad = values[labels.index(None)]
        raise ValueError(f"labels holds {shown(bad)} ({a_type(bad)}); each label must be a string or a whole number")
    if len(set(labels)) != len(labels):
        raise ValueError("labels lists a class twice")
    return tuple(labels)


def _check_pos_label(value: Any) -> str | int | bool | float | None:
    if value is None:
        return None
    label = _class_label(value)
    if label is None:
        raise ValueError(f"pos_label must be one class label (a string or a whole number), not {a_type(value)}")
    return label


#: The ``ignore_index`` option every classification metric shares.
IGNORE_INDEX = Option(None, check=check_ignore_index,
                      doc="drop the examples whose reference is this label first (-100: the Transformers padding)")


class _LabelMetric(Metric):
    """Shared input handling of the classification metrics: labels become codes (or label sets), rows hold them.

    Every classification metric converts a batch the same way (its shape
    decides: one label per example or several, see :mod:`nlpmetrics.metrics.multilabel`),
    so a collection converts it once for all of them.
    """

    options: ClassVar[Mapping[str, Option]] = {"ignore_index": IGNORE_INDEX}
    input_kind = "labels"
    reduction = "sum"
    distinct_rows = True
    reference_modules = ("numpy",)

    def conversion_key(self) -> tuple:
        return ("labels", self.config["ignore_index"])

    def convert_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        return ml.label_inputs(predictions, references, self.config["ignore_index"])

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        return self.check_converted(*self.convert_inputs(predictions, references))

    def statistics(self, predictions: Any, references: Any) -> Rows:
        if isinstance(predictions, ml.LabelSets):
            return ml.multilabel_rows(predictions, references)
        return label_rows(predictions, references)


@register
class Accuracy(_LabelMetric):
    """Fraction of examples whose predicted label equals the reference (``sklearn.metrics.accuracy_score``).

    Its rows are one right/wrong flag per example; their categories record
    only whether the labels were text or numbers, so batches of text labels
    and of numbers refuse to merge (``"1"`` is not ``1``) instead of being
    compared silently.
    """

    name = "accuracy"
    score_keys = ("accuracy",)
    auto_select = ("accuracy",)

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        """Check the labels; plain integer labels are used as they are, other labels become codes."""
        pair = integer_pair(predictions, references) if self.config["ignore_index"] is None else None
        return pair if pair is not None else super().check_inputs(predictions, references)  # plain ints need no codes

    def statistics(self, predictions: Any, references: Any) -> Rows:
        """Return whether each example is right (for multi-label data: its whole set of labels)."""
        if isinstance(predictions, ml.LabelSets):  # subset accuracy: the whole set of labels must be right
            return ml.subset_rows(predictions, references)
        if isinstance(predictions, LabelCodes):
            correct, kind = predictions.codes == references.codes, predictions.categories.kind
        else:
            correct, kind = predictions == references, "number"
        return Rows({"correct": correct}, categories=Categories(kind=kind))

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        """Count the right examples and all examples, each row counted ``weights[i]`` times."""
        correct = rows["correct"]
        return {"correct": np.count_nonzero(correct) if weights is None else weighted_sum(correct, weights),
                "n": total_weight(rows, weights)}

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the accuracy: right examples over all examples."""
        # An exact count over n when unweighted: the same float as accuracy_score's mean of booleans.
        return {"accuracy": summary["correct"] / summary["n"]}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the numbers of right and wrong examples."""
        correct = int(summary["correct"])
        return {"correct": correct, "incorrect": int(summary["n"]) - correct}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return 1.0 for each right example and 0.0 for each wrong one."""
        return {"correct": read_only(rows["correct"].astype(np.float64))}


class _PrecisionRecallF1(_LabelMetric):
    """Shared engine of ``precision``, ``recall`` and ``f1`` (``precision_recall_fscore_support``)."""

    options: ClassVar[Mapping[str, Option]] = {
        "average": Option("binary", choices=("micro", "macro", "weighted", "binary", "samples"),
                          doc="how per-class scores combine into one number: 'binary' (scikit-learn's default) "
                              "scores pos_label only and needs at most two classes; 'samples' averages over the "
                              "examples of multi-label data"),
        "labels": Option(None, check=_check_labels, doc="the classes to score, in order (default: all seen)"),
        "pos_label": Option(1, check=_check_pos_label, doc="the positive class when average='binary'"),
        "zero_division": Option(0.0, check=check_zero_division,
                                doc="value of a score whose denominator is 0: 0.0, 1.0 or nan"),
        "ignore_index": IGNORE_INDEX,
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if self.config["average"] == "binary" and self.config["labels"] is None and self.config["pos_label"] is None:
            raise InputError(f"metric {self.name!r} with average='binary' needs pos_label (the positive class)",
                             argument="pos_label")

    def check_converted(self, pred: Any, ref: Any) -> tuple[Any, Any]:
        if isinstance(pred, ml.LabelSets) or self.config["average"] == "samples":
            self._check_multilabel_options(pred)
            return pred, ref
        wanted = self.config["labels"] or ()
        if self.config["average"] == "binary":
            wanted = (*wanted, self.config["pos_label"])
        kind = pred.categories.kind
        for label in wanted:
            if kind is not None and isinstance(label, str) != (kind == "text"):
                self._refuse_label_type(label, pred.categories)
        return pred, ref

    def _check_multilabel_options(self, pred: Any) -> None:
        """Check averages that need multi-label data (samples) or one label per example (binary), and labels' type."""
        average = self.config["average"]
        if not isinstance(pred, ml.LabelSets):
            raise InputError(
                "average='samples' averages per-example scores of multi-label data (several labels per example), "
                "but these labels are one per example; choose average='micro', 'macro', 'weighted' or 'binary'",
                argument="average")
        if average == "binary":
            raise InputError(
                "these labels are multi-label (several per example), but average='binary' (the default, as in "
                "scikit-learn) scores one positive class of single-label data; choose average='micro', 'macro', "
                f"'weighted' or 'samples' (on the command line: -m {self.name}_micro ...)", argument="average")
        for label in self.config["labels"] or ():
            if pred.kind and isinstance(label, str) != (pred.kind == "text"):  # no kind: every set was empty
                data = "text" if pred.kind == "text" else "numbers"
                raise InputError(f"option labels names {shown(label)} but the labels in the data are {data}; use "
                                 "the same type for both", argument="labels")

    def _refuse_label_type(self, label: Any, categories: Categories) -> None:
        """Raise the error for a ``labels``/``pos_label`` value of the other type than the labels in the data."""
        data = "text" if categories.kind == "text" else "numbers"
        example = categories.values[0] if len(categories) else None
        if label in (self.config["labels"] or ()):
            raise InputError(f"option labels names {shown(label)} but the labels in the data are {data} (e.g. "
                             f"{shown(example)}); use the same type for both", argument="labels")
        raise InputError(
            f"pos_label={shown(label)} but the labels in the data are {data} (e.g. {shown(example)}); average="
            f"'binary' (the default, as in scikit-learn) scores one positive class: set pos_label to it, e.g. "
            f"pos_label={shown(example)}, or choose average='micro', 'macro' or 'weighted'",
            argument="pos_label",
        )

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        if ml.is_multilabel_rows(rows):
            return ml.multilabel_summary(rows, weights, self.config["labels"], self.config["zero_division"])
        return class_counts(rows, weights)

    # ------------------------------------------------------------------ one score
    def per_class(self, summary: Mapping[str, Any]):
        """Return the scored labels with their true positives, predicted and actual counts, and the present labels.

        Returns ``(labels, tp, predicted, actual, present_labels, present_codes)``
        with labels as scikit-learn lists them: the classes that occur, sorted
        (or the ``labels`` option; or ``[pos_label]`` for ``average='binary'``).
        """
        categories: Categories = summary["categories"]
        order = sorted_order(categories)
        occurs = (summary["predicted"] + summary["actual"]) > 0
        present_codes = order[occurs[order]]
        present = [categories.values[c] for c in present_codes]
        labels = self._scored_labels(present)
        codes = np.array([categories.index.get(label, -1) for label in labels], dtype=np.int64)
        found = codes >= 0
        take = np.where(found, codes, 0)
        tp = np.where(found, summary["tp"][take], 0)
        predicted = np.where(found, summary["predicted"][take], 0)
        actual = np.where(found, summary["actual"][take], 0)
        return labels, tp, predicted, actual, present, present_codes

    def _scored_labels(self, present: list) -> list:
        average, pos_label = self.config["average"], self.config["pos_label"]
        if average == "binary":
            if len(present) > 2:
                raise InputError(
                    f"average='binary' needs at most two classes (it scores pos_label only; it is the default, as "
                    f"in scikit-learn) but the data has {len(present)} ({', '.join(map(shown, present[:5]))}"
                    f"{', ...' if len(present) > 5 else ''}); choose average='micro', 'macro' or 'weighted' "
                    f"(on the command line: -m {self.name}_micro, {self.name}_macro or {self.name}_weighted)",
                    argument="average",
                )
            if pos_label not in present and len(present) >= 2:
                raise InputError(
                    f"pos_label={shown(pos_label)} is not one of the labels in the data "
                    f"({', '.join(map(shown, present))}); set pos_label to the positive class",
                    argument="pos_label",
                )
            return [pos_label]
        if self.config["labels"] is not None:
            return list(self.config["labels"])
        return present

    def scores_from_counts(self, tp, predicted, actual) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-class precision, recall and F1 as scikit-learn divides (``zero_division`` where 0/0)."""
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
            "precision": nanaverage(precision, weights),
            "recall": nanaverage(recall, weights),
            "f1": nanaverage(f1, weights),
        }

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        if summary.get("multilabel"):
            average, zero = self.config["average"], self.config["zero_division"]
            return {self.name: ml.multilabel_scores(summary, average, zero)[self.name]}
        if np.ndim(summary["n"]) > 0:
            return {self.name: self._batched_scores(summary)[self.name]}
        _, tp, predicted, actual, _, _ = self.per_class(summary)
        return {self.name: self._averaged(tp, predicted, actual)[self.name]}

    # ------------------------------------------------------------------ many resamples at once
    def _batched_scores(self, summary: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Precision, recall and F1 of every resample at once (summary arrays of shape (resamples, classes)).

        The classes scored in a resample are those that occur in it (or the
        ``labels`` option, or ``pos_label``), exactly as scikit-learn would
        see the resampled data; averages skip undefined (NaN) values.
        """
        categories: Categories = summary["categories"]
        tp, predicted, actual = (np.asarray(summary[k], dtype=np.float64) for k in ("tp", "predicted", "actual"))
        average = self.config["average"]
        if average == "binary" or self.config["labels"] is not None:
            labels = [self.config["pos_label"]] if average == "binary" else list(self.config["labels"])
            codes = np.array([categories.index.get(label, -1) for label in labels], dtype=np.int64)
            found = codes >= 0
            take = np.where(found, codes, 0)
            tp, predicted, actual = (np.where(found, x[:, take], 0.0) for x in (tp, predicted, actual))
            scored = np.ones(tp.shape, dtype=bool)
        else:  # classes in the order of their labels, as one-shot scoring sums them: the same floats however batched
            order = sorted_order(categories)
            tp, predicted, actual = (x[:, order] for x in (tp, predicted, actual))
            scored = (predicted + actual) > 0
        if average == "micro":
            tp, predicted, actual = (np.where(scored, x, 0.0).sum(axis=1, keepdims=True)
                                     for x in (tp, predicted, actual))
            scored = np.ones(tp.shape, dtype=bool)
        values = dict(zip(("precision", "recall", "f1"), self.scores_from_counts(tp, predicted, actual), strict=True))
        weights = actual if average == "weighted" else None
        return {key: masked_average(value, scored, weights) for key, value in values.items()}

    # ------------------------------------------------------------------ details
    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        if summary.get("multilabel"):
            return ml.multilabel_details(summary, self.config["average"], self.config["zero_division"])
        labels, tp, predicted, actual, present, present_codes = self.per_class(summary)
        precision, recall, f1 = self.scores_from_counts(tp, predicted, actual)
        averaged = self._averaged(tp, predicted, actual)
        correct = round(float(np.sum(summary["tp"])))
        extra = {"accuracy": correct / int(summary["n"]), "correct": correct}
        details = prf_details(self.config["average"], averaged, labels, (tp, predicted, actual),
                              (precision, recall, f1), extra)
        if summary["confusion"] is not None:
            matrix = summary["confusion"][np.ix_(present_codes, present_codes)]
            details["confusion_matrix"] = {"labels": present, "counts": matrix.astype(np.int64)}
        return details

    def per_example(self, rows: Mapping[str, np.ndarray]) -> None:
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
    auto_select = ("f1_micro", "f1_macro", "f1_weighted")
