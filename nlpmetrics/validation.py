"""Checks applied to predictions and references at the public boundary.

Each function takes the user's value and the argument's name, and either
returns a normalised value (a numpy array or a list) or raises
:class:`~nlpmetrics.errors.InputError` naming the argument, the index and the
fix.  Nothing is silently dropped or coerced.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, MappingView, Sequence, Sized
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from nlpmetrics.arrays import scalar_items, to_numpy
from nlpmetrics.errors import InputError


def as_sequence(value: Any, arg: str) -> Sequence | np.ndarray:
    """``value`` as a sized sequence, rejecting ``None``, bare strings and mappings."""
    if value is None:
        raise InputError(f"{arg} is None; pass a list with one entry per example", argument=arg)
    if isinstance(value, (str, bytes)):
        raise InputError(f"{arg} is a single string; pass a list of strings, one per example (e.g. [{value[:20]!r}])",
                         argument=arg)
    if isinstance(value, (Mapping, MappingView, AbstractSet)):
        kind = "a dict" if isinstance(value, Mapping) else f"{a_type(value)} (unordered)"
        raise InputError(
            f"{arg} is {kind}; pass a list with one entry per example, in the order of the other side "
            "(an unordered collection pairs examples by chance)", argument=arg)
    array = to_numpy(value)  # numpy, torch (any device), pandas, __array__, __dlpack__: no framework imported
    if array is not None:
        if array.ndim == 0:
            raise InputError(f"{arg} is a single value; pass a list with one entry per example", argument=arg)
        return array
    if isinstance(value, list):
        return scalar_items(value)
    if isinstance(value, Sequence):
        return value
    if isinstance(value, Iterable):
        return list(value)
    raise InputError(f"{arg} must be a list with one entry per example, not {type(value).__name__}", argument=arg)


def check_same_length(predictions: Sized, references: Sized) -> None:
    """Raise unless both sides have one entry per example."""
    if len(predictions) != len(references):
        raise InputError(
            f"predictions has {len(predictions)} entries but references has {len(references)}; "
            "pass one reference (or one list of references) per prediction",
            argument="references",
        )


def _flat(values: np.ndarray, arg: str) -> np.ndarray:
    if values.ndim != 1:
        raise InputError(f"{arg} has shape {values.shape}; pass a flat list with one value per example",
                         argument=arg)
    return values


def numbers_array(values: Sequence, arg: str) -> np.ndarray:
    """Finite real numbers as a new float64 array (never the caller's); ``None``, text, NaN and inf raise."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        array = np.array(_flat(values, arg), dtype=np.float64)
    else:
        for index, value in enumerate(values):
            if value is None:
                raise InputError(argument=arg, index=index, detail="is None; every example needs a number")
            if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
                raise InputError(argument=arg, index=index, detail=f"= {shown(value)} is not a number")
        try:
            array = np.array(values, dtype=np.float64)
        except OverflowError:
            index = next(i for i, v in enumerate(values) if not math.isfinite(float_or_inf(v)))
            raise InputError(argument=arg, index=index, detail=(
                f"= {shown(values[index])} is too large for a 64-bit float")) from None
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.argmin(finite))
        raise InputError(argument=arg, index=index, detail=(
            f"is {shown(array[index])}; remove or fix non-finite values before scoring"))
    return array


def float_or_inf(value: Any) -> float:
    """``float(value)``, or infinity where the value is too large for a float."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def texts(values: Sequence, arg: str, *, empty: str = "an empty text") -> list[str]:
    """Return a list of strings; ``None``, any other type or a lone surrogate raises, naming the index.

    ``empty`` names what ``""`` means to the caller, for the hint given with
    ``None`` (``'use "" for no answer'``).  Lists of plain strings are checked
    in one C-level pass.
    """
    out = list(values)
    if set(map(type, out)) <= {str}:
        return check_unicode(out, arg)
    for index, value in enumerate(out):
        if not isinstance(value, str):
            if value is None:
                raise InputError(argument=arg, index=index, detail=f"is None; use \"\" for {empty}")
            raise InputError(argument=arg, index=index, detail=f"is {a_type(value)}, not a string")
    return check_unicode(out, arg)


def check_unicode(values: list[str], arg: str, index: tuple[int, ...] = ()) -> list[str]:
    r"""``values`` (strings), or an InputError naming the first one that holds a lone surrogate.

    A lone surrogate (``"\ud800"``, left by a broken ``\u`` escape or a cut
    emoji) is not Unicode text: tokenizers and models treat it differently and
    it cannot be written to a UTF-8 file.  One encode of all the texts finds it.
    """
    try:
        "".join(values).encode("utf-8")
    except UnicodeEncodeError:
        for position, text in enumerate(values):
            _check_text_unicode(text, arg, (*index, position))
    return values


def _check_text_unicode(text: str, arg: str, index: tuple[int, ...]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        char = text[error.start]
        raise InputError(argument=arg, index=index, detail=(
            f"holds a lone surrogate {char!r} at character {error.start + 1}, which is not valid Unicode "
            "(a broken \\u escape or a cut emoji); fix or remove it")) from None


def reference_texts(values: Sequence, arg: str = "references") -> list[list[str]]:
    """Return references as one list of strings per example.

    Accepts a list of strings (one reference each) or a list of lists (several
    references each; the number may vary).  An example with no reference raises.
    A list of plain strings is checked in one C-level pass.
    """
    if set(map(type, values)) <= {str}:
        return [[text] for text in check_unicode(list(values), arg)]
    out: list[list[str]] = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            out.append([value])
            continue
        if value is None:
            raise InputError(argument=arg, index=index, detail="is None; use \"\" for an empty reference")
        if isinstance(value, (list, tuple, np.ndarray)):
            group = list(value)
            if not group:
                raise InputError(argument=arg, index=index,
                                 detail="is an empty list; every example needs at least one reference")
            for j, text in enumerate(group):
                if not isinstance(text, str):
                    what = "None" if text is None else a_type(text)
                    raise InputError(argument=arg, index=(index, j), detail=f"is {what}, not a string")
            out.append(group)
            continue
        raise InputError(argument=arg, index=index, detail=f"is {a_type(value)}; pass a string or a list of strings")
    try:
        "".join(text for group in out for text in group).encode("utf-8")
    except UnicodeEncodeError:
        for index, group in enumerate(out):
            if isinstance(values[index], str):  # a single reference is references[index] itself
                _check_text_unicode(group[0], arg, (index,))
            else:
                check_unicode(group, arg, (index,))
    return out


def shown(value: Any, limit: int = 60) -> str:
    """Return a value as a message shows it: ``1.5``, ``'1'`` (no numpy repr like ``np.float64(1.5)``), cut if long."""
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray):  # array(['macro'], dtype='<U5') reads as ['macro']
        value = value.ravel()[:limit].tolist()
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 5] + "...'" if isinstance(value, str) else text[:limit] + "..."


def a_type(value: Any) -> str:
    """Name the type of ``value`` for an error message: ``"an int"``, ``"a float"``, ``"a dict"``..."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
