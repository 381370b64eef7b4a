"""Multi-label classification: several labels per example, scored exactly as scikit-learn does.

The classification metrics (``accuracy``, ``precision``, ``recall``, ``f1``,
``hamming_loss``) look at the shape of their input (:func:`label_inputs`):

* one label per example (a flat list or array): label codes, as before;
* several labels per example: a list of label sets or lists
  (``[{"sport"}, {"sport", "politics"}, set()]``), or a 0/1 indicator matrix
  (a 2-D array, one column per label, as scikit-learn takes it).  Lists hold
  labels and 2-D arrays hold indicators, so ``[[0, 1], [1]]`` is read as
  label lists and ``np.array([[0, 1], [1, 0]])`` as an indicator matrix.

Multi-label rows hold, per example, one ``pred:<label>`` and one
``true:<label>`` flag per label, plus whether the whole set is right
(``exact``) and how many labels differ (``differences``).  A label that a
batch never saw is a column missing there, which counts as zeros, so
batches with different label sets combine exactly; the label space is every
label seen (every column of an indicator matrix, even one that is all zero,
as scikit-learn counts it).  Summaries sum those flags, for bootstrap
resamples all at once.

The averages are scikit-learn's (``precision_recall_fscore_support``):
``micro`` pools every (example, label) decision, ``macro`` and ``weighted``
average the per-label scores, ``samples`` averages per-example scores over
the examples.  Subset accuracy (``accuracy_score``) is the share of examples
whose label set is exactly right, and ``hamming_loss`` the share of wrong
(example, label) decisions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from nlpmetrics.base import total_weight, weighted_sum
from nlpmetrics.errors import InputError
from nlpmetrics.labels import encode_label_pair, label_kind
from nlpmetrics.metrics._prf import masked_average, nanaverage, prf_details, prf_divide
from nlpmetrics.rows import Categories, Rows, categories_of
from nlpmetrics.validation import a_type, shown

__all__ = [
    "LabelSets",
    "drop_ignored",
    "encode_label_sets",
    "is_multilabel",
    "is_multilabel_rows",
    "label_inputs",
    "multilabel_details",
    "multilabel_rows",
    "multilabel_scores",
    "multilabel_summary",
]

#: What one example's labels may be given as in multi-label input.
LABEL_COLLECTIONS = (list, tuple, set, frozenset)
#: ``Categories.kind`` of multi-label rows ends so: ``"text sets"``, ``"number sets"``, or ``"sets"`` (no label yet).
SETS = "sets"


class LabelSets(NamedTuple):
    """One side's labels, several per example: ``matrix[i, j]`` says whether example ``i`` has ``labels[j]``.

    Both sides of a batch share ``labels`` (sorted, as scikit-learn orders
    classes); ``kind`` is ``"text"``, ``"number"`` or ``""`` (a batch of empty label sets).
    """

    matrix: np.ndarray
    labels: tuple
    kind: str


# ----------------------------------------------------------------------------- reading the input
def is_multilabel(values: Sequence) -> bool:
    """Whether one side of a batch gives several labels per example.

    True for a 2-D array of 0/1 values with at least two columns (an
    indicator matrix) and for a sequence whose first entry is a list, tuple
    or set of labels.  A 2-D array of other values (logits) is not: it is
    refused as one label per example, with the fix.
    """
    if isinstance(values, np.ndarray):
        if values.ndim == 2:
            return values.shape[1] != 1 and _is_indicator(values)
        if values.ndim != 1 or values.dtype != object:
            return False
    return len(values) > 0 and isinstance(values[0], LABEL_COLLECTIONS)


def _is_indicator(array: np.ndarray) -> bool:
    if array.dtype.kind == "b":
        return True
    if array.dtype.kind not in "iuf":
        return False
    return bool(((array == 0) | (array == 1)).all())


def _as_column(values: Sequence) -> Sequence:
    """Read an ``(n, 1)`` array as ``(n,)``: one label per example, as scikit-learn reads a column vector."""
    if isinstance(values, np.ndarray) and values.ndim == 2 and values.shape[1] == 1:
        return values[:, 0]
    return values


def label_inputs(predictions: Sequence, references: Sequence, ignore_index: Any = None) -> tuple[Any, Any]:
    """Both sides of a classification batch, converted by shape: :class:`LabelSets` or label codes.

    Parameters
    ----------
    predictions, references : sequence
        One entry per example (already checked for equal length).
    ignore_index : int or str, optional
        Examples whose reference is this label are dropped from both sides
        first (``-100``, the Transformers label of padding and sub-word
        positions).  Only for one label per example.

    Raises
    ------
    InputError
        When one side is multi-label and the other is not, or for any value
        that is not a label (naming the argument and index).
    """
    predictions, references = _as_column(predictions), _as_column(references)
    multi_p, multi_r = is_multilabel(predictions), is_multilabel(references)
    if multi_p or multi_r:
        if not (multi_p and multi_r):
            several, one = ("predictions", "references") if multi_p else ("references", "predictions")
            raise InputError(
                f"{several} give several labels per example (multi-label) but {one} one label per example; "
                f"give {one} in the same shape (a list of label sets, or a 0/1 indicator matrix)", argument=one)
        if ignore_index is not None:
            raise InputError(
                f"ignore_index={shown(ignore_index)} drops examples whose one reference label is that value; "
                "multi-label input has no such label: drop ignore_index (for token labels, flatten them with "
                ".reshape(-1) so each token is one example)", argument="ignore_index")
        return encode_label_sets(predictions, references)
    if ignore_index is not None:
        predictions, references = drop_ignored(predictions, references, ignore_index)
    return encode_label_pair(predictions, references)


def drop_ignored(predictions: Sequence, references: Sequence, ignore_index: Any) -> tuple[Sequence, Sequence]:
    """Both sides without the examples whose reference equals ``ignore_index`` (new arrays or lists)."""
    if isinstance(references, np.ndarray) and references.dtype.kind in "biuf" and not isinstance(ignore_index, str):
        keep = references != ignore_index
    elif isinstance(references, np.ndarray) and references.dtype.kind == "U":
        keep = references != str(ignore_index) if isinstance(ignore_index, str) else np.ones(len(references), bool)
    else:
        keep = np.fromiter((not _same_label(r, ignore_index) for r in references), dtype=bool, count=len(references))
    if keep.all():
        return predictions, references
    if isinstance(predictions, np.ndarray):
        kept_predictions: Sequence = predictions[keep]
    else:
        kept_predictions = [p for p, k in zip(predictions, keep.tolist(), strict=True) if k]
    if isinstance(references, np.ndarray):
        return kept_predictions, references[keep]
    return kept_predictions, [r for r, k in zip(references, keep.tolist(), strict=True) if k]


def _same_label(value: Any, ignore_index: Any) -> bool:
    """``value == ignore_index`` as labels compare (text never equals a number; no array comparisons)."""
    if isinstance(value, (str, np.str_)) != isinstance(ignore_index, str):
        return False
    try:
        return bool(value == ignore_index)
    except (TypeError, ValueError):
        return False


def encode_label_sets(predictions: Sequence, references: Sequence) -> tuple[LabelSets, LabelSets]:
    """Both sides as indicator matrices over one sorted label list (the union of both sides' labels).

    Raises
    ------
    InputError
        For an entry that is not a collection of labels, a value that is not
        a label, a label listed twice, text and numbers mixed, or indicator
        matrices of different widths.
    """
    pred_labels, pred_matrix, pred_kind = _side(predictions, "predictions")
    ref_labels, ref_matrix, ref_kind = _side(references, "references")
    if pred_kind is not None and ref_kind is not None and pred_kind != ref_kind:
        text, numbers = ("predictions", "references") if pred_kind == "text" else ("references", "predictions")
        raise InputError(f"{text} hold text labels but {numbers} numbers; convert both to the same type",
                         argument="references")
    if isinstance(predictions, np.ndarray) and isinstance(references, np.ndarray) and predictions.ndim == 2 \
            and references.ndim == 2 and predictions.shape[1] != references.shape[1]:
        raise InputError(
            f"predictions has {predictions.shape[1]} label columns but references has {references.shape[1]}; "
            "an indicator matrix has one column per label, the same on both sides", argument="references")
    kind = pred_kind or ref_kind or ""
    labels = tuple(sorted(set(pred_labels) | set(ref_labels)))
    return (LabelSets(_widen(pred_matrix, pred_labels, labels), labels, kind),
            LabelSets(_widen(ref_matrix, ref_labels, labels), labels, kind))


def _widen(matrix: np.ndarray, own: Sequence, labels: tuple) -> np.ndarray:
    """``matrix`` (columns ``own``) with one column per label of ``labels`` (zeros for the others)."""
    if tuple(own) == labels:
        return matrix
    position = {label: j for j, label in enumerate(labels)}
    out = np.zeros((matrix.shape[0], len(labels)), dtype=bool)
    out[:, [position[label] for label in own]] = matrix
    return out


def _side(values: Sequence, arg: str) -> tuple[Sequence, np.ndarray, str | None]:
    """One side as (its labels, a bool matrix with a column per label, ``"text"``/``"number"``/``None``)."""
    if isinstance(values, np.ndarray) and values.ndim == 2:
        if not _is_indicator(values):
            raise InputError(f"{arg} is a 2-D array whose values are not all 0 or 1; a 2-D array is an indicator "
                             "matrix (one column per label); threshold scores first (e.g. probs > 0.5)",
                             argument=arg)
        return range(values.shape[1]), values.astype(bool), "number"
    rows: list[list] = []
    kinds: set[str] = set()
    first_of: dict[str, int] = {}
    for index, entry in enumerate(values):
        if isinstance(entry, np.ndarray) and entry.ndim == 1:
            entry = entry.tolist()
        if not isinstance(entry, LABEL_COLLECTIONS):
            what = "None" if entry is None else a_type(entry)
            raise InputError(argument=arg, index=index, detail=(
                f"is {what}; multi-label input gives every example a list or set of its labels ([] for none)"))
        row = [_label(label, arg, index, position, entry) for position, label in enumerate(entry)]
        for label in row:
            kind = "text" if isinstance(label, str) else "number"
            if kind not in kinds:
                kinds.add(kind)
                first_of[kind] = index
        if len(set(row)) != len(row):
            _refuse_repeat(row, arg, index)
        rows.append(row)
    if len(kinds) > 1:
        later = max(first_of.values())
        earlier_kind, later_kind = ("text", "numbers") if first_of["text"] < later else ("numbers", "text")
        raise InputError(
            f"{arg} mixes text and number labels ({arg}[{first_of['text']}] holds text, {arg}"
            f"[{first_of['number']}] numbers); convert them to one type, e.g. str(label)", argument=arg,
            # the place, for a reader that names a file line instead of predictions[i] (io.feed.located)
            index=later, detail=(f"holds {later_kind} but an earlier example holds {earlier_kind}; convert "
                                 "them to one type, e.g. str(label)"))
    labels = sorted({label for row in rows for label in row})
    position = {label: j for j, label in enumerate(labels)}
    matrix = np.zeros((len(rows), len(labels)), dtype=bool)
    example = [i for i, row in enumerate(rows) for _ in row]
    column = [position[label] for row in rows for label in row]
    matrix[example, column] = True
    return labels, matrix, kinds.pop() if kinds else None


def _label(value: Any, arg: str, index: int, position: int, entry: Any) -> str | int:
    """One label of a multi-label entry as a plain Python value (bools and whole floats become ints)."""
    kind = label_kind(value)
    if kind == "text":
        return str(value)
    if kind in ("int", "bool"):
        return int(value)
    if kind == "float" and math.isfinite(value) and float(value).is_integer():
        return int(value)
    where = (index,) if isinstance(entry, (set, frozenset)) else (index, position)  # a set has no positions
    what = "None" if value is None else f"{a_type(value)} ({shown(value)})" if kind == "float" else a_type(value)
    raise InputError(argument=arg, index=where, detail=f"is {what}; labels must be strings or whole numbers")


def _refuse_repeat(row: list, arg: str, index: int) -> None:
    seen: set[Any] = set()
    for repeated in row:  # called for a row that repeats a label: stops at its first repeat
        if repeated in seen:
            break
        seen.add(repeated)
    hint = ""
    if set(row) <= {0, 1}:
        hint = ("; a row of 0/1 values looks like a row of an indicator matrix: pass the matrix as a 2-D array "
                "(np.asarray(...)), since lists hold labels")
    raise InputError(argument=arg, index=index, detail=f"lists the label {shown(repeated)} twice{hint}")


# ----------------------------------------------------------------------------- rows
def multilabel_rows(predictions: LabelSets, references: LabelSets) -> Rows:
    """Per example: a ``pred:<label>`` and a ``true:<label>`` flag per label, ``exact`` and ``differences``."""
    pred, ref = predictions.matrix, references.matrix
    columns: dict[str, np.ndarray] = {
        "exact": (pred == ref).all(axis=1),
        "differences": (pred != ref).sum(axis=1, dtype=np.int32),
    }
    pred_t, ref_t = np.ascontiguousarray(pred.T), np.ascontiguousarray(ref.T)
    for j, label in enumerate(predictions.labels):
        columns[f"pred:{label}"] = pred_t[j]
        columns[f"true:{label}"] = ref_t[j]
    return Rows(columns, categories=Categories(kind=_kind(predictions)))


def _kind(labels: LabelSets) -> str:
    return f"{labels.kind} {SETS}" if labels.kind else SETS


def subset_rows(predictions: LabelSets, references: LabelSets) -> Rows:
    """Accuracy's rows for multi-label input: whether each example's whole label set is right."""
    return Rows({"correct": (predictions.matrix == references.matrix).all(axis=1)},
                categories=Categories(kind=_kind(predictions)))


def is_multilabel_rows(rows: Mapping[str, np.ndarray]) -> bool:
    """Whether ``rows`` were made from multi-label input."""
    categories = getattr(rows, "categories", None)
    return categories is not None and categories.kind is not None and categories.kind.endswith(SETS)


def row_labels(rows: Mapping[str, np.ndarray]) -> list:
    """Return the labels that have columns in multi-label ``rows``, sorted (numbers as ints)."""
    number = (categories_of(rows).kind or "").startswith("number")
    names = [key[5:] for key in rows if key.startswith("true:")]
    return sorted(int(name) for name in names) if number else sorted(names)


# ----------------------------------------------------------------------------- summaries and scores
def multilabel_summary(rows: Mapping[str, np.ndarray], weights: np.ndarray | None, labels: Sequence | None,
                       zero_division: float) -> dict[str, Any]:
    """Return counts for precision/recall/F1 over the scored labels (``labels``, or every label seen).

    ``tp``, ``predicted`` and ``actual`` are per scored label; ``samples_*``
    are the sums over examples of per-example precision, recall and F1
    (restricted to the scored labels; an undefined value counts in
    ``samples_*_defined`` only when it is not NaN).  With 2-D ``weights``
    everything has a leading resample axis.
    """
    every = row_labels(rows)
    number = (categories_of(rows).kind or "").startswith("number")
    scored = list(every) if labels is None else [int(label) if number else label for label in labels]
    n = len(rows["exact"])
    absent = np.zeros(n, dtype=bool)
    pred = np.stack([rows.get(f"pred:{label}", absent) for label in scored], axis=1) if scored \
        else np.zeros((n, 0), dtype=bool)
    true = np.stack([rows.get(f"true:{label}", absent) for label in scored], axis=1) if scored \
        else np.zeros((n, 0), dtype=bool)
    hit = pred & true
    summary: dict[str, Any] = {
        "multilabel": True,
        "labels": scored,
        "n_all_labels": len(every),
        "n": total_weight(rows, weights),
        "tp": weighted_sum(hit, weights),
        "predicted": weighted_sum(pred, weights),
        "actual": weighted_sum(true, weights),
        "exact": weighted_sum(rows["exact"], weights),
        "differences": weighted_sum(rows["differences"], weights),
    }
    tp_i, pred_i, true_i = hit.sum(axis=1), pred.sum(axis=1), true.sum(axis=1)
    per_example = {
        "precision": prf_divide(tp_i, pred_i, zero_division),
        "recall": prf_divide(tp_i, true_i, zero_division),
        "f1": prf_divide(2.0 * tp_i, (true_i + pred_i).astype(np.float64), zero_division),
    }
    for key, values in per_example.items():
        defined = ~np.isnan(values)
        summary[f"samples_{key}"] = weighted_sum(np.where(defined, values, 0.0), weights)
        summary[f"samples_{key}_defined"] = weighted_sum(defined, weights)
    return summary


def multilabel_scores(summary: Mapping[str, Any], average: str, zero_division: float) -> dict[str, Any]:
    """Precision, recall and F1 under ``average`` (floats, or one value per resample for a batched summary)."""
    batched = np.ndim(summary["n"]) > 0
    if average == "samples":
        out = {}
        for key in ("precision", "recall", "f1"):
            total = np.asarray(summary[f"samples_{key}"], dtype=np.float64)
            count = np.asarray(summary[f"samples_{key}_defined"], dtype=np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(count > 0, total / np.where(count > 0, count, 1.0), math.nan)
            out[key] = value if batched else float(value)
        return out
    tp, predicted, actual = (np.asarray(summary[k]) for k in ("tp", "predicted", "actual"))
    if average == "micro":
        tp, predicted, actual = (x.sum(axis=-1, keepdims=True) for x in (tp, predicted, actual))
    precision = prf_divide(tp, predicted, zero_division)
    recall = prf_divide(tp, actual, zero_division)
    f1 = prf_divide(2.0 * tp, (actual + predicted).astype(np.float64), zero_division)
    weights = np.asarray(actual, dtype=np.float64) if average == "weighted" else None
    values = {"precision": precision, "recall": recall, "f1": f1}
    if batched:
        scored = np.ones(np.shape(tp), dtype=bool)
        return {key: masked_average(value, scored, weights) for key, value in values.items()}
    return {key: _average(value, weights) for key, value in values.items()}


def _average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """scikit-learn's ``_nanaverage``: ``numpy.nanmean`` without weights, else a weighted mean of the defined values."""
    if values.size == 0 or np.isnan(values).all():
        return math.nan
    if weights is None:
        return float(np.nanmean(values))
    return nanaverage(values, weights)


def hamming(summary: Mapping[str, Any]) -> Any:
    """Return the share of wrong (example, label) decisions: differences over examples times labels."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return summary["differences"] / (summary["n"] * summary["n_all_labels"])


def multilabel_details(summary: Mapping[str, Any], average: str, zero_division: float) -> dict[str, Any]:
    """Return the per-label table, the averages and the counts an explanation quotes."""
    labels = list(summary["labels"])
    tp, predicted, actual = (np.asarray(summary[k]) for k in ("tp", "predicted", "actual"))
    precision = prf_divide(tp, predicted, zero_division)
    recall = prf_divide(tp, actual, zero_division)
    f1 = prf_divide(2.0 * tp, (actual + predicted).astype(np.float64), zero_division)
    averaged = multilabel_scores(summary, average, zero_division)
    exact = round(float(summary["exact"]))
    extra = {"multilabel": True, "subset_accuracy": exact / int(summary["n"]),
             "hamming_loss": float(hamming(summary)), "correct": exact}
    return prf_details(average, averaged, labels, (tp, predicted, actual), (precision, recall, f1), extra)
