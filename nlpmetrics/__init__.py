"""nlpmetrics: every NLP metric behind one interface, with plain-language explanations.

>>> import nlpmetrics as nm
>>> nm.compute("accuracy", predictions=[1, 0, 1], references=[1, 1, 1])["accuracy"]
0.6666666666666666
"""

from __future__ import annotations

from typing import Any

from nlpmetrics.errors import InputError, MissingDependencyError, UnknownMetricError
from nlpmetrics.registry import list_metrics, load

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "MissingDependencyError",
    "UnknownMetricError",
    "__version__",
    "compute",
    "list_metrics",
    "load",
    "load_many",
    "report",
    "suggest",
]


def compute(
    name: str,
    *args: Any,
    predictions: Any = None,
    references: Any = None,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    **options: Any,
):
    """Score in one call: ``load(name, **options)``, ``update``, ``compute``.

    Parameters
    ----------
    name : str
        Registry name (see :func:`list_metrics`).
    predictions, references : sequence
        Keyword-only, one entry per example.
    confidence : float, optional
        Add percentile-bootstrap intervals at this level (e.g. ``0.95``).
    n_resamples, seed : int
        Bootstrap resamples and seed.
    **options
        The metric's options, checked before anything is scored.

    Returns
    -------
    Result
    """
    if args:
        raise TypeError(
            "compute() takes predictions= and references= as keywords only (libraries disagree on their "
            "order, and a swapped pair gives a wrong number silently): "
            f"nm.compute({name!r}, predictions=..., references=...)"
        )
    metric = load(name, **options)
    metric.update(predictions=predictions, references=references)
    return metric.compute(confidence=confidence, n_resamples=n_resamples, seed=seed)


def load_many(metrics: Any, *, keep_examples: bool = True, **options: Any):
    """Several metrics that take each batch once: ``load_many(["accuracy", "f1_macro"], lang="ja")``.

    Returns a :class:`~nlpmetrics.collection.MetricCollection` with ``update``,
    ``merge``, ``compute`` (a dict of name to Result), ``reset`` and ``sync``;
    see :func:`nlpmetrics.collection.load_many` for the accepted names and options.
    """
    from nlpmetrics.collection import load_many as _load_many

    return _load_many(metrics, keep_examples=keep_examples, **options)


def suggest(task: str, lang: str = "en", *, explain_lang: str | None = None):
    """Metrics recommended for a task, with options for texts in ``lang`` and reasons in ``explain_lang``.

    See :mod:`nlpmetrics.suggestions`.
    """
    from nlpmetrics.suggestions import suggest as _suggest

    return _suggest(task, lang, explain_lang=explain_lang)


def report(*args: Any, **kwargs: Any):
    """Build a client report; see :func:`nlpmetrics.reporting.report`."""
    from nlpmetrics.reporting import report as _report

    return _report(*args, **kwargs)


_LAZY = {
    "Metric": "nlpmetrics.base",
    "MetricCollection": "nlpmetrics.collection",
    "MetricInfo": "nlpmetrics.base",
    "Result": "nlpmetrics.result",
    "Signature": "nlpmetrics.signature",
    "NlpmetricsWarning": "nlpmetrics.errors",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nlpmetrics' has no attribute {name!r}")
