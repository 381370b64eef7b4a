"""Exceptions raised by nlpmetrics.

Every error raised at the boundary (bad input, an unknown metric or option, a
missing optional dependency) is one of these, and its message names what is
wrong and how to fix it.
"""

from __future__ import annotations


class InputError(ValueError):
    """The predictions, references, options or input file are not usable.

    The message names the argument, file or line at fault and the fix.
    """


class UnknownMetricError(InputError, KeyError):
    """A metric name that is not registered; the message lists close names."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the pip extra."""


def missing_dependency(module: str, extra: str) -> MissingDependencyError:
    """Build the error for a missing optional package, naming the extra to install."""
    return MissingDependencyError(
        f"{module} is not installed; install it with: pip install \"nlpmetrics[{extra}]\""
    )
