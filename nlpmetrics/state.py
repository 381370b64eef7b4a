"""What a metric has seen: the one place its state lives.

A metric's state takes one of three forms, chosen when the metric is made:

``"rows"`` (``keep_examples=True``, the default)
    Every example's statistics row, in order: exact intervals, per-example
    scores, paired tests.
``"counts"`` (``keep_examples=False`` for a metric that declares ``distinct_rows``)
    The distinct rows with how often each occurred (classification: the
    table of distinct (prediction, reference) pairs).  Memory grows with the
    number of distinct rows, not of examples, and intervals stay exact.
``"summary"`` (``keep_examples=False`` for any other ``"sum"`` metric)
    Only the running summary (n-gram counts, sums of scores): constant memory,
    no intervals, no per-example scores.

The state owns its arrays (the metric's checks copy what the caller passed),
and moves between processes as a :class:`StatePart`, which is what ``merge``,
``sync`` and the Dask engine exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.rows import Rows, check_compatible, concat_rows, distinct_rows, joined_kind, n_rows

if TYPE_CHECKING:
    from nlpmetrics.base import Metric
    from nlpmetrics.signature import Signature

Mode = Literal["rows", "counts", "summary"]


@dataclass(frozen=True)
class StatePart:
    """A picklable piece of state: rows (with counts in ``"counts"`` mode) or a summary, and its size.

    ``origin`` is the provenance (metric and options) of the metric that made
    it, in every mode: a summary carries no rows to tell where it came from.
    """

    mode: Mode
    n: int
    rows: Rows | None = None
    counts: np.ndarray | None = None
    summary: Any = None
    origin: Signature | None = None


class MetricState:
    """The examples a metric has seen, kept as ``mode`` says (see the module docstring)."""

    def __init__(self, mode: Mode) -> None:
        self.mode: Mode = mode
        self.reset()

    def reset(self) -> None:
        """Forget every example."""
        self._batches: list[Rows] = []
        self._counts: np.ndarray | None = None
        self._summary: Any = None
        #: The label kind of every batch so far ("text", "number sets", ...; None before any label): a new batch
        #: is checked against it, since the last batch alone may say too little (empty label sets: "sets").
        self._kind: str | None = None
        self.n = 0

    # ------------------------------------------------------------------ adding
    def add_rows(self, metric: Metric, rows: Rows) -> None:
        """Add a batch of rows (already checked to come from a metric like ``metric``)."""
        size = n_rows(rows)
        if not size:
            return
        kind = joined_kind(self._kind, rows)
        if self._batches:
            check_compatible(self._batches[-1], rows)
        if self.mode == "rows":
            self._batches.append(rows)
        elif self.mode == "counts":
            self._add_counts(rows, np.ones(size, dtype=np.int64))
        else:
            self._add_summary(metric, metric.reduce(rows, None))
        self._kind = kind
        self.n += size

    def _add_counts(self, rows: Rows, counts: np.ndarray) -> None:
        if self._batches:
            assert self._counts is not None
            rows = concat_rows([self._batches[0], rows])
            counts = np.concatenate([self._counts, counts])
        distinct, grouped = distinct_rows(rows, counts)
        self._batches, self._counts = [distinct], grouped

    def _add_summary(self, metric: Metric, summary: Any) -> None:
        self._summary = summary if self._summary is None else metric.combine(self._summary, summary)

    def check_part(self, metric: Metric, part: StatePart) -> str | None:
        """Raise if ``part`` cannot be folded into this state; return the label kind it would leave.

        Changes nothing, so several states can all be checked before any absorbs its part.
        """
        if part.n == 0:
            return self._kind
        if self.mode == "rows" and part.mode != "rows":
            raise InputError(
                f"cannot merge a {metric.name!r} metric made with keep_examples=False into one that keeps its "
                "examples: the examples are gone; make both with the same keep_examples"
            )
        if part.mode == "summary":
            if self.mode == "counts":
                raise InputError(
                    f"cannot merge a {metric.name!r} summary into a metric that counts distinct rows; make both "
                    "with the same keep_examples"
                )
            return self._kind
        assert part.rows is not None
        kind = joined_kind(self._kind, part.rows)
        if self._batches:
            check_compatible(self._batches[-1], part.rows)
        return kind

    def absorb(self, metric: Metric, part: StatePart) -> None:
        """Fold in a part exported by another state of the same metric."""
        kind = self.check_part(metric, part)
        if part.n == 0:
            return
        if part.mode == "summary":
            self._add_summary(metric, part.summary)
            self.n += part.n
            return
        assert part.rows is not None
        if self.mode == "rows":
            self._batches.append(part.rows)
        elif self.mode == "counts":
            counts = part.counts if part.counts is not None else np.ones(part.n, dtype=np.int64)
            self._add_counts(part.rows, counts)
        else:
            weights = None if part.counts is None else part.counts.astype(np.float64)
            self._add_summary(metric, metric.reduce(part.rows, weights))
        self._kind = kind
        self.n += part.n

    # ------------------------------------------------------------------ reading
    def export(self, origin: Signature | None = None) -> StatePart:
        """Return the whole state as one part (rows concatenated first), made by a metric of ``origin``."""
        if self.mode == "summary":
            return StatePart("summary", self.n, summary=self._summary, origin=origin)
        return StatePart(self.mode, self.n, rows=self.rows(), counts=self._counts, origin=origin)

    def rows(self) -> Rows:
        """Return the rows kept (every example in ``"rows"`` mode, the distinct rows in ``"counts"`` mode)."""
        if self.mode == "summary":
            raise InputError("no rows are kept with keep_examples=False; make the metric with keep_examples=True")
        rows = concat_rows(self._batches)
        self._batches = [rows] if n_rows(rows) else []
        return rows

    @property
    def counts(self) -> np.ndarray | None:
        """How often each kept row occurred (``"counts"`` mode), else ``None`` (each row once)."""
        return self._counts

    def summary(self, metric: Metric) -> Any:
        """Return the metric's summary of everything seen."""
        if self.mode == "summary":
            return self._summary
        counts = None if self._counts is None else self._counts.astype(np.float64)
        return metric.reduce(self.rows(), counts)
