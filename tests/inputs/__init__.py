"""Example inputs for the properties every registered metric must have.

Each module in this package defines ``INPUTS: dict[str, MetricInputs]`` for the
metrics of one family.  ``tests/test_properties.py`` runs the shared
properties (batching = one shot, merge of any split = whole, empty shard =
identity, order invariance, compute leaves the state alone, pickling, perfect
prediction = best) over every metric in ``nlpmetrics.list_metrics()`` and fails
for a registered metric that has no entry here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class MetricInputs:
    """How to make test inputs for one metric.

    Attributes
    ----------
    examples : callable
        ``examples(min_size, max_size)`` -> hypothesis strategy of
        ``(predictions, references)`` lists of equal length.
    options : list of dict
        Option sets to test with (each property runs over each).
    perfect_is_best : bool
        Whether ``predictions = references`` must give ``info.bounds[1]`` on
        every score (false for metrics where it is not defined, e.g. a
        correlation on constant input).
    make_perfect : callable, optional
        ``make_perfect(references) -> predictions`` that are perfect (default:
        the references themselves; a multi-reference metric takes the first).
    examples_by_options : tuple of (dict, callable)
        Option sets (also listed in ``options``) that need other inputs than
        ``examples``, with the ``examples``-like callable that makes them
        (multi-label data for ``average="samples"``).  Tests draw through
        :meth:`examples_for`.
    """

    examples: Callable[[int, int], st.SearchStrategy]
    options: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    perfect_is_best: bool = True
    make_perfect: Callable[[list], list] | None = None
    examples_by_options: tuple[tuple[dict[str, Any], Callable[[int, int], st.SearchStrategy]], ...] = ()

    def examples_for(self, options: dict[str, Any]) -> Callable[[int, int], st.SearchStrategy]:
        """Return the ``examples`` callable for one of ``options`` (its own when it needs other inputs)."""
        for wanted, examples in self.examples_by_options:
            if wanted == options:
                return examples
        return self.examples


def all_inputs() -> dict[str, MetricInputs]:
    """Every ``INPUTS`` entry of every module in this package."""
    found: dict[str, MetricInputs] = {}
    for module in pkgutil.iter_modules(__path__):
        found.update(importlib.import_module(f"{__name__}.{module.name}").INPUTS)
    return found
