"""Metric names -> metric classes.

Built-in metrics are found by importing the modules of :mod:`nlpmetrics.metrics`
(light modules: heavy libraries load inside them on first use), so a new metric
is one module plus its explanation cards.  Other packages add metrics through
the entry-point group ``nlpmetrics.metrics`` (``name = "package.module:Class"``).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any, TypeVar

from nlpmetrics.errors import UnknownMetricError
from nlpmetrics.options import closest

if TYPE_CHECKING:
    from nlpmetrics.base import Metric

ENTRY_POINT_GROUP = "nlpmetrics.metrics"
_REGISTRY: dict[str, type[Metric]] = {}
_DISCOVERED = False
_MetricClass = TypeVar("_MetricClass", bound="type[Metric]")


def register(cls: _MetricClass) -> _MetricClass:
    """Class decorator: make a :class:`~nlpmetrics.base.Metric` subclass loadable by its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    from nlpmetrics import metrics

    for module in pkgutil.iter_modules(metrics.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"nlpmetrics.metrics.{module.name}")
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name not in _REGISTRY:
            cls = entry.load()
            _REGISTRY[entry.name] = cls
    _DISCOVERED = True


def metric_class(name: str) -> type[Metric]:
    """Return the class registered as ``name``; an unknown name lists close and valid names."""
    _discover()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownMetricError(
            f"unknown metric {name!r}{closest(name, _REGISTRY)} (available: {', '.join(sorted(_REGISTRY))})"
        ) from None


def registered_classes() -> list[type[Metric]]:
    """Every registered metric class, in the order of their names."""
    _discover()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def list_metrics() -> list[str]:
    """Sorted names of every registered metric."""
    _discover()
    return sorted(_REGISTRY)


def resolve_name(key: str) -> tuple[str, dict[str, Any]]:
    """Resolve a metric name to (registry name, options it implies): ``f1_macro`` is ``f1`` with ``average="macro"``.

    A metric with an ``average`` option may be named with one of its choices
    as a suffix, in Python (:func:`nlpmetrics.load_many`) as on the command
    line (``-m f1_macro``).  An unknown name raises
    :class:`~nlpmetrics.errors.UnknownMetricError` naming the closest ones.
    """
    _discover()
    if isinstance(key, str) and key in _REGISTRY:
        return key, {}
    base, _, suffix = key.rpartition("_") if isinstance(key, str) else ("", "", "")
    if base in _REGISTRY:
        average = getattr(_REGISTRY[base], "options", {}).get("average")
        if average is not None and average.choices and suffix in average.choices:
            return base, {"average": suffix}
    metric_class(key)  # raises UnknownMetricError with the closest names
    raise AssertionError("unreachable")


def load(name: str, **options: Any):
    """Load a configured metric with empty state; options are checked now."""
    return metric_class(name)(**options)
