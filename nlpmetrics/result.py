"""The immutable result of scoring: numbers, interval, details and provenance."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.rows import n_rows

if TYPE_CHECKING:
    from nlpmetrics.base import Metric


class FrozenDict(dict):
    """A dict that refuses changes (and still pickles and JSON-serialises)."""

    def _refuse(self, *args: Any, **kwargs: Any):
        raise TypeError("Result fields are read-only; copy with dict(...) to change them")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenDict, (dict(self),))

    def __or__(self, other):
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


@dataclass(frozen=True)
class Result:
    """The outcome of scoring with one metric.

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
        Per-example scores, for metrics that have them.
    details : dict
        Metric-specific extras (per-class table, n-gram precisions...).
    signature : str
        Metric, every option, library versions and resampling method.
    options : dict
        The options the metric was made with.
    confidence : float or None
        Level of ``ci``.
    """

    metric: str
    scores: Mapping[str, float]
    n: int
    ci: Mapping[str, tuple[float, float]] | None = None
    per_example: Mapping[str, np.ndarray] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    signature: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    confidence: float | None = None

    def __post_init__(self) -> None:
        for name in ("scores", "ci", "per_example", "details", "options"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _freeze(value))

    @classmethod
    def from_rows(
        cls, metric: Metric, rows: Mapping[str, np.ndarray], *, confidence: float | None = None,
        n_resamples: int = 1000, seed: int = 0,
    ) -> Result:
        """Aggregate a metric's rows into a result (with an interval when ``confidence`` is given)."""
        from nlpmetrics.resampling import bootstrap_interval, bootstrap_signature, check_resampling

        check_resampling(confidence, n_resamples)
        n = n_rows(rows)
        if n == 0:
            raise InputError(
                f"no examples to score with {metric.name!r}: pass non-empty predictions and references "
                "(or call update() before compute())"
            )
        scores = {k: float(v) for k, v in metric.aggregate(rows, None).items()}
        ci = None
        resampling = None
        if confidence is not None:
            ci = bootstrap_interval(metric.aggregate, rows, confidence=confidence, n_resamples=n_resamples, seed=seed)
            resampling = bootstrap_signature(confidence, n_resamples, seed)
        return cls(
            metric=metric.name,
            scores=scores,
            n=n,
            ci=ci,
            per_example=metric.per_example(rows),
            details=metric.describe(rows, scores),
            signature=metric.signature(resampling, rows),
            options=dict(metric.config),
            confidence=confidence,
        )

    def __getitem__(self, key: str) -> float:
        try:
            return self.scores[key]
        except KeyError:
            raise KeyError(f"{self.metric} has no score {key!r}; its scores are {', '.join(self.scores)}") from None

    @property
    def value(self) -> float:
        """The main score (the first key of ``scores``)."""
        return next(iter(self.scores.values()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN becomes ``null``)."""
        return to_jsonable(
            {
                "metric": self.metric,
                "scores": self.scores,
                "ci": None if self.ci is None else {k: list(v) for k, v in self.ci.items()},
                "confidence": self.confidence,
                "n": self.n,
                "per_example": self.per_example,
                "details": self.details,
                "options": self.options,
                "signature": self.signature,
            }
        )

    def explain(self, lang: str = "en") -> str:
        """Plain-language sentences about this value: what was measured, how well, how sure."""
        from nlpmetrics.explanations import explain_result

        return explain_result(self, lang)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4f}" for k, v in self.scores.items())
        return f"Result({self.metric}: {shown}, n={self.n})"
