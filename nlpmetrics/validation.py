"""Checks applied to predictions and references at the public boundary.

Each function takes the user's value and the argument's name, and either
returns a normalised value (a numpy array or a list) or raises
:class:`~nlpmetrics.errors.InputError` naming the argument, the index and the
fix.  Nothing is silently dropped or coerced.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError


def as_sequence(value: Any, arg: str) -> Sequence:
    """``value`` as a sized sequence, rejecting ``None``, bare strings and mappings."""
    if value is None:
        raise InputError(f"{arg} is None; pass a list with one entry per example")
    if isinstance(value, (str, bytes)):
        raise InputError(f"{arg} is a single string; pass a list of strings, one per example (e.g. [{value[:20]!r}])")
    if isinstance(value, dict):
        raise InputError(f"{arg} is a dict; pass a list with one entry per example")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            raise InputError(f"{arg} is a single value; pass a list with one entry per example")
        return value
    if hasattr(value, "to_numpy") and hasattr(value, "__len__"):  # pandas Series and friends
        return value.to_numpy()
    if isinstance(value, Sequence):
        return value
    if isinstance(value, Iterable):
        return list(value)
    raise InputError(f"{arg} must be a list with one entry per example, not {type(value).__name__}")


def check_same_length(predictions: Sequence, references: Sequence) -> None:
    """Raise unless both sides have one entry per example."""
    if len(predictions) != len(references):
        raise InputError(
            f"predictions has {len(predictions)} entries but references has {len(references)}; "
            "pass one reference (or one list of references) per prediction"
        )


def labels_array(values: Sequence, arg: str) -> np.ndarray:
    """Class labels as a numpy array of integers, booleans, whole floats or strings.

    Raises for ``None``, NaN, fractional numbers (continuous values are not
    class labels) and a mix of text and numbers (``"1"`` and ``1`` are
    different labels to scikit-learn too, and mixing them is almost always a
    loading bug).
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuU":
        return _flat(values, arg)
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return _check_whole_floats(_flat(values, arg), arg)
    fast = _labels_fast_path(values, arg)
    if fast is not None:
        return fast
    kinds = [_label_kind(v) for v in values]
    for index, kind in enumerate(kinds):
        if kind == "none":
            raise InputError(f"{arg}[{index}] is None; every example needs a label")
        if kind == "other":
            raise InputError(
                f"{arg}[{index}] is {a_type(values[index])}; labels must be strings or integers"
            )
    distinct = set(kinds)
    if "text" in distinct and distinct != {"text"}:
        first_text = kinds.index("text")
        first_number = next(i for i, k in enumerate(kinds) if k != "text")
        raise InputError(
            f"{arg} mixes text and number labels ({arg}[{first_text}]={values[first_text]!r}, "
            f"{arg}[{first_number}]={values[first_number]!r}); convert them to one type, e.g. str(label)"
        )
    if distinct == {"text"}:
        return np.asarray(values, dtype=str)
    if "float" in distinct:
        return _check_whole_floats(np.asarray(values, dtype=np.float64), arg)
    if distinct == {"bool"}:
        return np.asarray(values, dtype=bool)
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:
        index = next(i for i, v in enumerate(values) if not -(2**63) <= int(v) < 2**63)
        raise InputError(
            f"{arg}[{index}] = {values[index]!r} is too large for an integer label; use str(label) for such ids"
        ) from None


def _labels_fast_path(values: Sequence, arg: str) -> np.ndarray | None:
    """The label array when numpy's own conversion is unambiguous, else ``None`` (check each value).

    A list of Python ints (or of bools) converts without loss; a list that
    numpy turns into text is accepted only when every entry really is a string
    (``["1", 1]`` also becomes text, and must be refused).  Anything else takes
    the per-value path, which names the offending index.
    """
    if not isinstance(values, list) or not values:
        return None
    types = set(map(type, values))
    if types != {int} and types != {str}:
        return None
    try:
        array = np.asarray(values)
    except (OverflowError, ValueError):
        return None
    if array.ndim != 1 or array.dtype.kind not in "iU":
        return None
    return array


def _flat(values: np.ndarray, arg: str) -> np.ndarray:
    if values.ndim != 1:
        raise InputError(f"{arg} has shape {values.shape}; pass a flat list with one label per example")
    return values


def _label_kind(value: Any) -> str:
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


def _check_whole_floats(values: np.ndarray, arg: str) -> np.ndarray:
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        index = int(np.argmax(bad))
        raise InputError(
            f"{arg}[{index}] = {values[index]!r} is not a class label; classification metrics take "
            "discrete labels (use pearson/spearman for continuous scores, or round/threshold them first)"
        )
    return values


def numbers_array(values: Sequence, arg: str) -> np.ndarray:
    """Finite real numbers as a float64 array; ``None``, text, NaN and inf raise."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        array = _flat(values, arg).astype(np.float64, copy=False)
    else:
        for index, value in enumerate(values):
            if value is None:
                raise InputError(f"{arg}[{index}] is None; every example needs a number")
            if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
                raise InputError(f"{arg}[{index}] = {value!r} is not a number")
        array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.argmin(finite))
        raise InputError(f"{arg}[{index}] is {array[index]}; remove or fix non-finite values before scoring")
    return array


def texts(values: Sequence, arg: str) -> list[str]:
    """A list of strings; ``None`` or any other type raises, naming the index."""
    out = list(values)
    for index, value in enumerate(out):
        if not isinstance(value, str):
            if value is None:
                raise InputError(f"{arg}[{index}] is None; use \"\" for an empty text")
            raise InputError(f"{arg}[{index}] is {a_type(value)}, not a string")
    return out


def reference_texts(values: Sequence, arg: str = "references") -> list[list[str]]:
    """References as one list of strings per example.

    Accepts a list of strings (one reference each) or a list of lists (several
    references each; the number may vary).  An example with no reference raises.
    """
    out: list[list[str]] = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            out.append([value])
            continue
        if value is None:
            raise InputError(f"{arg}[{index}] is None; use \"\" for an empty reference")
        if isinstance(value, (list, tuple, np.ndarray)):
            group = list(value)
            if not group:
                raise InputError(f"{arg}[{index}] is an empty list; every example needs at least one reference")
            for j, text in enumerate(group):
                if not isinstance(text, str):
                    what = "None" if text is None else a_type(text)
                    raise InputError(f"{arg}[{index}][{j}] is {what}, not a string")
            out.append(group)
            continue
        raise InputError(f"{arg}[{index}] is {a_type(value)}; pass a string or a list of strings")
    return out


def a_type(value: Any) -> str:
    """``"an int"``, ``"a float"``, ``"a dict"``...: the type of ``value`` for an error message."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
