"""Exceptions and warnings raised by nlpmetrics.

Every error raised at the boundary (bad input, an unknown metric or option, a
missing optional dependency) is one of these, and its message names what is
wrong and how to fix it.  Errors about one example carry *where* as data
(:attr:`InputError.argument`, :attr:`InputError.index`), so a caller that read
the examples from a file can name ``file:line`` without parsing the message;
warnings carry a stable :attr:`NlpmetricsWarning.code` for the same reason.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence


def _index_tuple(index: int | numbers.Integral | Sequence[int] | None) -> tuple[int, ...]:
    if index is None:
        return ()
    if isinstance(index, (int, numbers.Integral)):  # np.int64 from an argwhere too, not only int
        return (int(index),)
    return tuple(int(i) for i in index)


class InputError(ValueError):
    """The predictions, references, options or input file are not usable.

    The message names the argument, file or line at fault and the fix.

    Parameters
    ----------
    message : str, optional
        The whole message.  Leave it out and give ``argument``, ``index`` and
        ``detail`` to have it built as ``"predictions[3] is None; ..."``.
    argument : str, optional
        The argument at fault (``"predictions"``, ``"references"``, an option name).
    index : int or tuple of int, optional
        Position of the bad entry in ``argument``: the example, then the item
        inside it (a reference of several, a tag of a sentence).
    detail : str, optional
        What is wrong with that entry and the fix, phrased to follow its name
        (``"is None; every example needs a label"``).  A caller that knows
        where the entry came from (a file line) puts its own name in front.

    Attributes
    ----------
    argument : str or None
    index : tuple of int
        Empty when the error is not about one entry.
    detail : str or None
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        argument: str | None = None,
        index: int | numbers.Integral | Sequence[int] | None = None,
        detail: str | None = None,
    ) -> None:
        self.argument = argument
        self.index = _index_tuple(index)
        self.detail = detail
        if message is None:
            if detail is None:
                raise TypeError("InputError needs a message or a detail")
            message = f"{self.location} {detail}" if self.location else detail
        super().__init__(message)

    @property
    def location(self) -> str:
        """``"predictions[3][1]"``: the argument with its index, or ``""`` when neither is known."""
        if self.argument is None:
            return ""
        return self.argument + "".join(f"[{i}]" for i in self.index)

    def __reduce__(self):
        """Pickle with the argument, index and detail (exceptions pickle only their message by default)."""
        return (_rebuild_input_error, (type(self), str(self), self.argument, self.index, self.detail))


def _rebuild_input_error(cls: type[InputError], message: str, argument: str | None, index: tuple[int, ...],
                         detail: str | None) -> InputError:
    error = cls.__new__(cls)
    InputError.__init__(error, message, argument=argument, index=index, detail=detail)
    return error


class UnknownMetricError(InputError, KeyError):
    """A metric name that is not registered; the message lists close names."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        """Return the message without the quotes KeyError would add."""
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the pip extra."""


def missing_dependency(module: str, extra: str) -> MissingDependencyError:
    """Build the error for a missing optional package, naming the extra to install."""
    return MissingDependencyError(
        f"{module} is not installed; install it with: pip install \"nlpmetrics[{extra}]\""
    )


class NlpmetricsWarning(UserWarning):
    """Base of the warnings nlpmetrics raises: the message for people, ``code`` for programs.

    Parameters
    ----------
    message : str
        What happened and what to do about it.
    code : str
        A stable identifier (``"lsum_without_newlines"``) that reports and
        callers match on instead of the wording.
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self):
        """Pickle with the warning code."""
        return (type(self), (str(self), self.code))


class InexactStreamingWarning(NlpmetricsWarning):
    """Batches or workers were combined for a configuration whose score needs all the data at once."""


__all__ = [
    "InexactStreamingWarning",
    "InputError",
    "MissingDependencyError",
    "NlpmetricsWarning",
    "UnknownMetricError",
    "missing_dependency",
]
