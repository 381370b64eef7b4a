"""The metric engine: per-example statistics plus an aggregate.

Every metric is a subclass of :class:`Metric` that implements two pure
functions of its options:

``statistics(predictions, references) -> rows``
    One row of numbers per example (see :mod:`nlpmetrics.rows`).
``aggregate(rows, weights=None) -> scores``
    Corpus-level scores from the rows alone.  ``weights`` counts how many
    times each row is taken, which is how resampling reuses the aggregate.

Everything else (streaming ``update``, ``merge`` across workers, bootstrap
intervals, paired tests, distributed scoring, per-example scores) lives here
and in :mod:`nlpmetrics.resampling`, with no metric-specific code.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.options import Option, resolve_options
from nlpmetrics.rows import Rows, check_compatible, concat_rows, n_rows
from nlpmetrics.validation import as_sequence, check_same_length


class InexactStreamingWarning(UserWarning):
    """Batches or workers were combined for a configuration whose score needs all the data at once."""


@dataclass(frozen=True)
class MetricInfo:
    """What a caller needs to know about a metric before reading its numbers.

    Attributes
    ----------
    name : str
        Registry name.
    higher_is_better : bool
        Direction of improvement.
    bounds : tuple of float
        Range of the main score (``(-1, 1)`` for correlations).
    extra : str or None
        The pip extra the metric needs (``"bertscore"``), if any.
    streams_exactly : bool
        Whether ``update`` in batches and ``merge`` give exactly the one-shot result.
    score_keys : tuple of str
        Keys of ``Result.scores``; the first is the main score.
    """

    name: str
    higher_is_better: bool
    bounds: tuple[float, float]
    extra: str | None
    streams_exactly: bool
    score_keys: tuple[str, ...]


class Metric:
    """Base class of every metric: state is the list of statistics rows seen so far.

    Subclasses set the class attributes and implement :meth:`check_inputs`,
    :meth:`statistics` and :meth:`aggregate`; :meth:`describe` and
    :meth:`per_example` are optional.  Make instances with
    :func:`nlpmetrics.load`.
    """

    name: ClassVar[str]
    options: ClassVar[Mapping[str, Option]] = {}
    higher_is_better: ClassVar[bool] = True
    bounds: ClassVar[tuple[float, float]] = (0.0, 1.0)
    extra: ClassVar[str | None] = None
    score_keys: ClassVar[tuple[str, ...]] = ()
    #: Modules whose versions go into the signature.
    reference_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **options: Any) -> None:
        self.config: dict[str, Any] = resolve_options(self.name, self.options, options)
        self._batches: list[Rows] = []

    # ------------------------------------------------------------------ to implement
    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        """Validate and normalise one batch (already checked for equal length)."""
        raise NotImplementedError

    def statistics(self, predictions: Any, references: Any) -> Rows:
        """Per-example statistics rows for a validated batch."""
        raise NotImplementedError

    def aggregate(self, rows: Rows, weights: np.ndarray | None = None) -> dict[str, float]:
        """Corpus scores from rows; ``weights[i]`` is how often row ``i`` counts."""
        raise NotImplementedError

    def describe(self, rows: Rows, scores: Mapping[str, float]) -> dict[str, Any]:
        """Metric-specific details for the result (per-class tables, counts...)."""
        return {}

    def per_example(self, rows: Rows) -> dict[str, np.ndarray] | None:
        """Per-example scores, or ``None`` where the metric has none."""
        return None

    def signature_parts(self, rows: Rows) -> dict[str, str]:
        """Extra ``key: value`` pairs for the signature of scoring ``rows`` (e.g. a reference tool's own)."""
        return {}

    # ------------------------------------------------------------------ public API
    @property
    def info(self) -> MetricInfo:
        """A :class:`MetricInfo` for this configured metric."""
        return MetricInfo(
            name=self.name,
            higher_is_better=self.higher_is_better,
            bounds=self.bounds,
            extra=self.extra,
            streams_exactly=self.streams_exactly,
            score_keys=self.score_keys,
        )

    @property
    def streams_exactly(self) -> bool:
        """Whether batched updates and merges reproduce the one-shot result exactly."""
        return True

    @property
    def n(self) -> int:
        """Number of examples seen so far."""
        return sum(n_rows(batch) for batch in self._batches)

    def update(self, *args: Any, predictions: Any = None, references: Any = None) -> Metric:
        """Add a batch of examples (any length, any number of calls).

        Parameters
        ----------
        predictions, references : sequence
            Keyword-only, one entry per example.  The libraries nlpmetrics
            replaces disagree on their order, so positional use is refused.

        Returns
        -------
        Metric
            ``self``, so calls can be chained.
        """
        if args:
            raise TypeError(
                f"{type(self).__name__}.update() takes predictions= and references= as keywords only "
                "(positional order differs between libraries and a swapped pair gives a wrong number "
                "silently); call update(predictions=..., references=...)"
            )
        rows = self.rows_for(predictions=predictions, references=references)
        if self._batches and rows:
            check_compatible(self._batches[0], rows)
            self._warn_if_inexact("several update() calls")
        self._batches.append(rows)
        return self

    def _warn_if_inexact(self, how: str) -> None:
        if not self.streams_exactly:
            warnings.warn(
                f"{self.name} with these options does not stream exactly: {how} give a different number than "
                f"one call on all the data. {self.streaming_caveat}".rstrip(),
                InexactStreamingWarning,
                stacklevel=3,
            )

    @property
    def streaming_caveat(self) -> str:
        """Why this configuration does not stream exactly, and what to do instead (when it does not)."""
        return ""

    def rows_for(self, *, predictions: Any, references: Any) -> Rows:
        """Validate a batch and return its statistics rows, without touching the state."""
        predictions = as_sequence(predictions, "predictions")
        references = as_sequence(references, "references")
        check_same_length(predictions, references)
        if len(predictions) == 0:
            return {}
        predictions, references = self.check_inputs(predictions, references)
        return self.statistics(predictions, references)

    def add_rows(self, rows: Rows) -> Metric:
        """Add statistics rows computed elsewhere (another worker or process)."""
        if self.n and n_rows(rows):
            self._warn_if_inexact("rows added in several parts")
        self._batches.append(dict(rows))
        return self

    def merge(self, other: Metric) -> Metric:
        """Fold in another worker's state (same metric and options); returns ``self``."""
        if type(other) is not type(self):
            raise InputError(f"cannot merge a {other.name!r} metric into a {self.name!r} metric")
        differing = sorted(k for k in self.config.keys() | other.config.keys()
                           if not _same_option(self.config.get(k), other.config.get(k)))
        if differing:
            raise InputError(
                f"cannot merge {self.name!r} metrics made with different options ({', '.join(differing)}); "
                "make every worker's metric with the same options"
            )
        if self.n and other.n:
            self._warn_if_inexact("merged workers")
        self._batches.extend(other._batches)
        return self

    def reset(self) -> Metric:
        """Forget every example seen; the options stay."""
        self._batches = []
        return self

    def rows(self) -> Rows:
        """All statistics rows seen so far, concatenated in order."""
        rows = concat_rows(self._batches)
        self._batches = [rows] if rows else []
        return rows

    def sync(self) -> Metric:
        """Under ``torch.distributed``: replace the state by every rank's rows, in rank order."""
        from nlpmetrics.distributed import gather_rows

        merged = concat_rows(gather_rows(self.rows()))
        self._batches = [merged] if merged else []
        return self

    def compute(
        self,
        *,
        confidence: float | None = None,
        n_resamples: int = 1000,
        seed: int = 0,
        sync: bool = False,
    ):
        """Score everything seen so far; the state is left unchanged.

        Parameters
        ----------
        confidence : float, optional
            Level of percentile-bootstrap intervals to add (e.g. ``0.95``).
        n_resamples : int
            Bootstrap resamples.
        seed : int
            Seed of the resampling; the same seed gives the same interval.
        sync : bool
            Under ``torch.distributed``, score every rank's rows (each rank
            gets the result one process would get on all the data).

        Returns
        -------
        Result
        """
        from nlpmetrics.result import Result

        rows = self.rows()
        if sync:
            from nlpmetrics.distributed import gather_rows

            rows = concat_rows(gather_rows(rows))
        return Result.from_rows(self, rows, confidence=confidence, n_resamples=n_resamples, seed=seed)

    def explanation(self, lang: str = "en"):
        """This metric's plain-language card (:class:`nlpmetrics.explanations.Card`)."""
        from nlpmetrics.explanations import load_card

        return load_card(self.name, lang)

    def signature(self, resampling: str | None = None, rows: Rows | None = None) -> str:
        """Reproducibility string: metric, every option, library versions, resampling.

        ``rows`` are the rows scored (default: the state), for metrics whose
        signature depends on the data (e.g. sacrebleu's number of references).
        """
        from nlpmetrics import __version__
        from nlpmetrics.versions import module_version

        parts = [f"nlpmetrics:{__version__}", f"metric:{self.name}"]
        parts += [f"{k}:{_format_option(v)}" for k, v in sorted(self.config.items())]
        parts += [f"{k}:{v}" for k, v in self.signature_parts(self.rows() if rows is None else rows).items()]
        parts += [f"{m}:{module_version(m)}" for m in self.reference_modules]
        if resampling:
            parts.append(resampling)
        return "|".join(parts)

    def copy(self) -> Metric:
        """An independent copy with the same options and state."""
        return copy.deepcopy(self)

    def empty_like(self) -> Metric:
        """A metric with the same options and no examples."""
        clone = copy.copy(self)
        clone._batches = []
        return clone

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"<{self.name}({options}) n={self.n}>"


def _same_option(a: Any, b: Any) -> bool:
    """Option values are equal, NaN counting as equal to NaN (``zero_division=nan`` on two workers)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return bool(a == b)


def _format_option(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def weighted_sum(values: np.ndarray, weights: np.ndarray | None) -> Any:
    """``values.sum(axis=0)``, each row counted ``weights[i]`` times when given."""
    if weights is None:
        return values.sum(axis=0)
    return np.tensordot(weights, values, axes=(0, 0))


def weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> Any:
    """Mean over rows, each row counted ``weights[i]`` times when given."""
    if weights is None:
        return values.mean(axis=0)
    return weighted_sum(values, weights) / weights.sum()
