"""Declaring and checking metric options.

Each metric declares its options as a mapping of name to :class:`Option`.
Options are checked once, when the metric is made, so a typo fails at once
with the valid choices named instead of deep inside a long run.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.validation import shown


@dataclass(frozen=True)
class Option:
    """One option of a metric.

    Parameters
    ----------
    default : object
        Value used when the caller does not give one.
    choices : tuple, optional
        The only allowed values.
    check : callable, optional
        ``check(value) -> value`` that normalises a value or raises
        ``ValueError``/``TypeError`` with a message describing what is allowed.
    doc : str
        One line shown in error messages and the CLI reference.
    affects_numbers : bool
        ``False`` for an option that cannot change any number (a progress
        bar): it is left out of signatures, so metrics that differ only there
        merge and their results carry the same signature.
    """

    default: Any = None
    choices: tuple | None = None
    check: Callable[[Any], Any] | None = None
    doc: str = ""
    affects_numbers: bool = True


def closest(name: str, candidates) -> str:
    """Return a ``"; did you mean 'x'?"`` hint, or an empty string."""
    match = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def resolve_options(metric: str, declared: Mapping[str, Option], given: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``given`` against ``declared`` and fill in defaults.

    Raises
    ------
    InputError
        For an unknown option (listing the valid ones) or a value that is not
        allowed (listing the valid values).
    """
    unknown = [k for k in given if k not in declared]
    if unknown:
        valid = ", ".join(sorted(declared)) or "none"
        raise InputError(
            f"unknown option {unknown[0]!r} for metric {metric!r}{closest(unknown[0], declared)} "
            f"(valid options: {valid})", argument=str(unknown[0]),
        )
    resolved: dict[str, Any] = {}
    for name, option in declared.items():
        value = given.get(name, option.default)
        if isinstance(value, np.generic):  # np.str_("macro") is "macro"; the signature shows plain values
            value = value.item()
        if option.choices is not None and not is_choice(value, option.choices):
            choices = ", ".join(repr(c) for c in option.choices)
            raise InputError(f"option {name}={shown(value)} is not valid for metric {metric!r}; choose one of "
                             f"{choices}", argument=name)
        if option.check is not None and name in given:
            try:
                value = option.check(value)
            except (TypeError, ValueError, ArithmeticError, RecursionError) as error:
                raise InputError(f"option {name}={shown(value)} is not valid for metric {metric!r}: {error}",
                                 argument=name) from None
        resolved[name] = value
    return resolved


def is_choice(value: Any, choices: tuple) -> bool:
    """Whether ``value`` is one of ``choices`` *and of its type*.

    ``value in choices`` would let ``np.array(["macro"])`` (whose ``==`` is an
    array) or ``True`` (equal to ``1``) through.
    """
    return any(type(value) is type(choice) and value == choice for choice in choices)


# --------------------------------------------------------------- shared value checks (for Option.check)
def check_bool(value: Any) -> bool:
    """``value`` if it is a bool, else a ``TypeError`` (``"yes"`` or ``1`` are refused, not guessed)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError("must be True or False")
    return bool(value)


def check_optional_bool(value: Any) -> bool | None:
    """``None`` (left to another option, e.g. ``lang``) or a bool."""
    return None if value is None else check_bool(value)


def check_positive_int(value: Any) -> int:
    """Check a whole number >= 1 (``True`` is refused, not read as 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError("must be a whole number >= 1")
    return int(value)


def check_non_negative_int(value: Any) -> int:
    """Check a whole number >= 0 (``False`` is refused, not read as 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError("must be a whole number >= 0")
    return int(value)


def check_order(value: Any) -> int:
    """Check an n-gram order: a whole number from 1 to :data:`MAX_ORDER` (a huge order would exhaust memory)."""
    value = check_positive_int(value)
    if value > MAX_ORDER:
        raise ValueError(f"must be a whole number from 1 to {MAX_ORDER}")
    return value


def check_optional_order(value: Any) -> int:
    """Check an n-gram order that may be 0 (none of this kind), up to :data:`MAX_ORDER`."""
    return 0 if check_non_negative_int(value) == 0 else check_order(value)


#: The longest n-gram order an option may ask for.
MAX_ORDER = 100


def check_optional_non_negative_int(value: Any) -> int | None:
    """``None`` (the metric's default) or a whole number >= 0."""
    return None if value is None else check_non_negative_int(value)


def check_zero_division(value: Any) -> float:
    """Check the value of a score whose denominator is 0, as scikit-learn and seqeval allow: 0.0, 1.0 or NaN."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and (
        value in (0, 1) or (isinstance(value, (float, np.floating)) and math.isnan(value))
    ):
        return float(value)
    raise ValueError("zero_division must be 0.0, 1.0 or float('nan')")


def check_ignore_index(value: Any) -> int | str | None:
    """``None`` or the label that marks positions to leave out (``-100``, the Transformers padding label)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    raise ValueError("ignore_index must be None or one label (a whole number such as -100, or a string)")
