"""Class labels as codes: each distinct label stored once, every example as an integer code.

A column of labels becomes an integer array of codes into a
:class:`~nlpmetrics.rows.Categories` list, so a 200,000-character label among a
million short ones costs its own bytes once (a numpy ``<U200000`` array would
cost that for every example).  The checks that make a value a label live here
too: integers, booleans, whole floats or strings, never ``None``, NaN,
fractions or a mix of text and numbers.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.rows import Categories
from nlpmetrics.validation import a_type, shown

#: Integer labels spanning at most this many values are coded by offset instead of by sorting.
_DENSE_RANGE = 1 << 20
#: The fix for scores (logits, probabilities) given where labels are expected: one wording in every message.
LOGITS_FIX = "for logits or probabilities take argmax(-1) first"


def label_kind(value: Any) -> str:
    """``"text"``, ``"bool"``, ``"int"``, ``"float"``, ``"none"`` or ``"other"``: what kind of label ``value`` is."""
    if value is None:
        return "none"
    if isinstance(value, (str, np.str_)):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    return "other"


class LabelCodes(NamedTuple):
    """One side's labels: ``codes[i]`` is the position of example ``i``'s label in ``categories``."""

    codes: np.ndarray
    categories: Categories


def encode_label_pair(predictions: Sequence, references: Sequence) -> tuple[LabelCodes, LabelCodes]:
    """Both sides' labels as codes into one shared category list.

    Raises
    ------
    InputError
        For a value that is not a label (naming the argument and index), a
        mix of text and number labels on one side, or text on one side and
        numbers on the other.
    """
    dense = _dense_pair(predictions, references)
    if dense is not None:
        return dense
    categories = Categories()
    pred = encode_labels(predictions, "predictions", categories)
    ref = encode_labels(references, "references", categories)
    return LabelCodes(pred, categories), LabelCodes(ref, categories)


#: Integer labels of both sides spanning at most this many values take the offset fast path.
_DENSE_SPAN = 1024


def integer_pair(predictions: Sequence, references: Sequence) -> tuple[np.ndarray, np.ndarray] | None:
    """Both sides as integer arrays when they plainly are (numpy integer arrays or lists of ints), else ``None``.

    Such labels need no checks beyond their type; the caller must not keep
    the arrays themselves (they may be the caller's).
    """
    arrays = []
    for values in (predictions, references):
        if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.ndim == 1:
            arrays.append(values)
        elif isinstance(values, list) and values and type(values[0]) is int and set(map(type, values)) == {int}:
            try:
                arrays.append(np.asarray(values, dtype=np.int64))
            except OverflowError:
                return None
        else:
            return None
    return arrays[0], arrays[1]


def _dense_pair(predictions: Sequence, references: Sequence) -> tuple[LabelCodes, LabelCodes] | None:
    """Integer labels in a small range: codes are ``label - lowest`` and the categories the whole range.

    Values of the range that never occur are categories nobody uses; scores
    only look at classes that occur, so this costs one subtraction per label
    instead of a look-up.  ``None`` when the fast path does not apply.
    """
    pair = integer_pair(predictions, references)
    if pair is None:
        return None
    pred, ref = pair
    if not pred.size:
        return None
    low = min(int(pred.min()), int(ref.min()))
    high = max(int(pred.max()), int(ref.max()))
    if high - low >= _DENSE_SPAN or high >= 2**63:
        return None
    categories = Categories(range(low, high + 1), kind="number")
    if low == 0:
        return LabelCodes(pred.astype(np.intp), categories), LabelCodes(ref.astype(np.intp), categories)
    offset = np.intp(low)
    return (LabelCodes(pred.astype(np.intp) - offset, categories), LabelCodes(ref.astype(np.intp) - offset, categories))


def encode_labels(values: Sequence, arg: str, categories: Categories) -> np.ndarray:
    """Codes of ``values`` in ``categories`` (extended with new labels); checks every value is a label."""
    if isinstance(values, np.ndarray):
        array = _flat(values, arg)
        if array.dtype.kind in "biuf":
            if array.dtype.kind == "f":
                _check_whole_floats(array, arg)
            return _encode_numbers(array, arg, categories)
        if array.dtype.kind == "U":
            _check_kind(categories, "text", arg, values, 0)
            return _encode_python(array.tolist(), categories)
        values = array.tolist()
    if isinstance(values, list) and values:
        types = set(map(type, values))
        if types == {str}:
            _check_kind(categories, "text", arg, values, 0)
            return _encode_python(values, categories)
        if types == {int}:
            try:
                array = np.asarray(values, dtype=np.int64)
            except OverflowError:
                array = None
            if array is not None:
                return _encode_numbers(array, arg, categories)
    return _encode_checked(list(values), arg, categories)


def _encode_checked(values: list, arg: str, categories: Categories) -> np.ndarray:
    """Encode on the slow path: every value's kind checked, naming the first bad index."""
    kinds = [label_kind(v) for v in values]
    for index, kind in enumerate(kinds):
        if kind == "none":
            raise InputError(argument=arg, index=index, detail="is None; every example needs a label")
        if kind == "other":
            raise InputError(argument=arg, index=index, detail=(
                f"is {a_type(values[index])}; labels must be strings or integers"
                + _array_hint(values[index])))
    distinct = set(kinds)
    if "text" in distinct and distinct != {"text"}:
        first_text = kinds.index("text")
        first_number = next(i for i, k in enumerate(kinds) if k != "text")
        earlier, later = sorted((first_text, first_number))
        words = {first_text: "text", first_number: "a number"}
        raise InputError(
            f"{arg} mixes text and number labels ({arg}[{first_text}]={shown(values[first_text])}, "
            f"{arg}[{first_number}]={shown(values[first_number])}); convert them to one type, e.g. str(label)",
            # the place, for a reader that names a file line instead of predictions[i] (io.feed.located)
            argument=arg, index=later,
            detail=(f"= {shown(values[later])} is {words[later]} but an earlier label is {words[earlier]} "
                    f"({shown(values[earlier])}); convert them to one type, e.g. str(label)"),
        )
    if not values:
        return np.zeros(0, dtype=np.intp)
    if distinct == {"text"}:
        _check_kind(categories, "text", arg, values, 0)
        return _encode_python([str(v) for v in values], categories)
    if "float" in distinct:
        array = np.asarray(values, dtype=np.float64)
        _check_whole_floats(array, arg)
        return _encode_numbers(array, arg, categories)
    if distinct == {"bool"}:
        return _encode_numbers(np.asarray(values, dtype=bool), arg, categories)
    for index, value in enumerate(values):
        if not -(2**63) <= int(value) < 2**63:
            raise InputError(argument=arg, index=index, detail=(
                f"= {shown(value)} is too large for an integer label; use str(label) for such ids"))
    return _encode_numbers(np.asarray(values, dtype=np.int64), arg, categories)


def _array_hint(value: Any) -> str:
    """Return the fix for an array-like passed where one label per example was expected."""
    if hasattr(value, "__len__") and not isinstance(value, (str, bytes)):
        return (" (one label per example: concatenate a list of batches first, with torch.cat or np.concatenate; "
                f"{LOGITS_FIX})")
    return ""


def _check_kind(categories: Categories, kind: str, arg: str, values: Sequence, index: int) -> None:
    """Record the kind of labels in ``categories``, or raise when ``values`` are of the other kind."""
    if categories.kind is None:
        categories.kind = kind
        return
    if categories.kind == kind:
        return
    if arg == "references":  # the predictions set the kind; name both sides in their order
        pred_example, ref_example, pred_kind = categories.values[0], values[index], categories.kind
    else:
        pred_example, ref_example, pred_kind = values[index], categories.values[0], kind
    text_side, number_side = ("predictions", "references") if pred_kind == "text" else ("references", "predictions")
    raise InputError(
        f"{text_side} are text labels but {number_side} are numbers ({shown(pred_example)} vs "
        f"{shown(ref_example)}); convert both to the same type",
        argument=arg,
    )


def _encode_python(values: list, categories: Categories) -> np.ndarray:
    """Codes of hashable Python values, adding new ones to ``categories`` in order of appearance."""
    add = categories.add
    return np.fromiter(map(add, values), dtype=np.intp, count=len(values))


def _encode_numbers(array: np.ndarray, arg: str, categories: Categories) -> np.ndarray:
    """Codes of a numeric label array: distinct values found by offset (small integer ranges) or by sorting."""
    if array.size == 0:
        return np.zeros(0, dtype=np.intp)
    _check_kind(categories, "number", arg, array[:1].tolist(), 0)
    if array.dtype.kind == "b":
        lookup = np.zeros(2, dtype=np.intp)
        for value in np.unique(array).tolist():
            lookup[int(value)] = categories.add(bool(value))
        return lookup[array.view(np.uint8)]
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        if high - low < _DENSE_RANGE and high < 2**63:
            shifted = array.astype(np.int64, copy=False) - low
            seen = np.zeros(high - low + 1, dtype=bool)
            seen[shifted] = True
            present = np.flatnonzero(seen)
            lookup = np.zeros(high - low + 1, dtype=np.intp)
            lookup[present] = [categories.add(int(v) + low) for v in present]
            return lookup[shifted]
    present, inverse = np.unique(array, return_inverse=True)
    lookup = np.array([categories.add(v) for v in present.tolist()], dtype=np.intp)
    return lookup[inverse.reshape(-1)]


def _flat(values: np.ndarray, arg: str) -> np.ndarray:
    if values.ndim != 1:
        hint = (f" ({LOGITS_FIX}; for token labels flatten both sides with .reshape(-1) and set ignore_index=-100; "
                "for several labels per example pass a 0/1 indicator matrix)") if values.ndim == 2 else ""
        raise InputError(f"{arg} has shape {values.shape}; pass a flat list with one label per example{hint}",
                         argument=arg)
    return values


def _check_whole_floats(values: np.ndarray, arg: str) -> None:
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        index = int(np.argmax(bad))
        raise InputError(argument=arg, index=index, detail=(
            f"= {shown(values[index])} is not a class label; classification metrics take discrete labels "
            f"(use pearson/spearman for continuous scores, or round/threshold them first; {LOGITS_FIX})"))


def sorted_order(categories: Categories) -> np.ndarray:
    """Codes in the order of their labels' values (scikit-learn lists classes sorted)."""
    values: Sequence[Any] = categories.values  # labels of one kind: they compare with each other
    return np.array(sorted(range(len(values)), key=lambda code: values[code]), dtype=np.int64)
