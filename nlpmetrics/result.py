"""The immutable result of scoring: numbers, interval, details and provenance."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError


class FrozenDict(dict):
    """A dict that refuses changes (and still pickles and JSON-serialises)."""

    def _refuse(self, *args: Any, **kwargs: Any):
        raise TypeError("Result fields are read-only; copy with dict(...) to change them")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        """Pickle as a plain dict that is frozen again."""
        return (FrozenDict, (dict(self),))

    def __or__(self, other):
        """Return a plain dict of both mappings (the right one wins)."""
        return dict(self) | dict(other)


def _freeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.flags.writeable or value.base is not None:  # an owned read-only array is frozen already
            value = value.copy()
            value.setflags(write=False)
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for numpy scalars/arrays and nested containers (NaN -> None)."""
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


class Result:
    """The outcome of scoring with one metric: a plain, immutable value.

    Attributes
    ----------
    metric : str
        Registry name of the metric.
    scores : dict of str to float
        Corpus-level scores, fractions in [0, 1] (correlations in [-1, 1]).
        ``result["f1"]`` reads one.
    n : int
        Number of examples scored.
    ci : dict of str to (float, float) or None
        Percentile-bootstrap interval of each score, when asked for.
    per_example : dict of str to ndarray or None
        Per-example scores, for metrics that have them (computed on first
        access; ``None`` for metrics that have none).
    details : dict
        Metric-specific extras (per-class table, n-gram precisions...).
    signature : Signature
        Metric, every option, settings, library versions and resampling
        method; ``str(signature)`` is the display form.
    options : dict
        The options the metric was made with.
    confidence : float or None
        Level of ``ci``.
    """

    __slots__ = ("_per_example", "ci", "confidence", "details", "metric", "n", "options", "scores", "signature")

    metric: str
    scores: Mapping[str, float]
    n: int
    #: Per-example scores, or a callable that computes them on first access (or explains why there are none).
    _per_example: Mapping[str, np.ndarray] | Callable[[], Mapping[str, np.ndarray] | None] | None
    ci: Mapping[str, tuple[float, float]] | None
    details: Mapping[str, Any]
    signature: Any
    options: Mapping[str, Any]
    confidence: float | None

    def __init__(
        self,
        metric: str,
        scores: Mapping[str, float],
        n: int,
        ci: Mapping[str, tuple[float, float]] | None = None,
        per_example: Mapping[str, np.ndarray] | Callable[[], Mapping[str, np.ndarray] | None] | None = None,
        details: Mapping[str, Any] | None = None,
        signature: Any = "",
        options: Mapping[str, Any] | None = None,
        confidence: float | None = None,
    ) -> None:
        values = {
            "metric": metric, "scores": _freeze(scores), "n": n, "ci": None if ci is None else _freeze(ci),
            "details": _freeze(details or {}), "signature": signature, "options": _freeze(options or {}),
            "confidence": confidence,
            "_per_example": per_example if per_example is None or callable(per_example) else _freeze(per_example),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse: a result is read-only."""
        raise AttributeError(f"Result is read-only; {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        """Refuse: a result is read-only."""
        raise AttributeError(f"Result is read-only; {name} cannot be deleted")

    @property
    def per_example(self) -> Mapping[str, np.ndarray] | None:
        """Per-example scores (computed on first access), or ``None`` where the metric has none."""
        source = self._per_example
        if callable(source):
            computed = source()
            source = None if computed is None else _freeze(computed)
            object.__setattr__(self, "_per_example", source)
        return source

    def __reduce__(self):
        """Pickle with the per-example scores computed."""
        return (_rebuild_result, (self.metric, dict(self.scores), self.n, self.ci, self._materialised_per_example(),
                                  self.details, self.signature, self.options, self.confidence))

    def _materialised_per_example(self) -> Any:
        try:
            return self.per_example
        except InputError:
            return self._per_example  # a stand-in that explains why there are none

    def __eq__(self, other: object) -> bool:
        """Compare results by their dicts (scores, intervals, details, signature...)."""
        if not isinstance(other, Result):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # unhashable (equal by value), Python's idiom mypy does not model

    def __getitem__(self, key: str) -> float:
        """Return the score ``key``; an unknown key names the scores there are."""
        try:
            return self.scores[key]
        except KeyError:
            raise KeyError(f"{self.metric} has no score {key!r}; its scores are {', '.join(self.scores)}") from None

    @property
    def value(self) -> float:
        """The main score (the first key of ``scores``)."""
        return next(iter(self.scores.values()))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (NaN becomes ``null``); per-example scores only where they were kept."""
        try:
            per_example = self.per_example
        except InputError:  # kept no examples (keep_examples=False)
            per_example = None
        return to_jsonable(
            {
                "metric": self.metric,
                "scores": self.scores,
                "ci": None if self.ci is None else {k: list(v) for k, v in self.ci.items()},
                "confidence": self.confidence,
                "n": self.n,
                "per_example": per_example,
                "details": self.details,
                "options": self.options,
                "signature": str(self.signature),
            }
        )

    def explain(self, lang: str = "en", task: str | None = None) -> str:
        """Plain-language sentences about this value: what was measured, how well, how sure.

        ``lang`` is the language of the words only (``"en"`` or ``"ja"``), never of the texts scored;
        ``task`` names what the outputs are (``"summarization"``: summaries), by default the metric's usual task.
        """
        from nlpmetrics.explanations import explain_result

        return explain_result(self, lang, task)

    def __repr__(self) -> str:
        """Show the metric, its scores to four decimals and the number of examples."""
        shown = ", ".join(f"{k}={v:.4f}" for k, v in self.scores.items())
        return f"Result({self.metric}: {shown}, n={self.n})"


def _rebuild_result(metric, scores, n, ci, per_example, details, signature, options, confidence) -> Result:
    return Result(metric=metric, scores=scores, n=n, ci=ci, per_example=per_example, details=details,
                  signature=signature, options=options, confidence=confidence)
