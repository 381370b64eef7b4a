"""Ranking measures (``retrieval``): trec_eval's numbers (via ``pytrec-eval-terrier``) and ranx's, per query.

A query is one example: its prediction is the ranking (document ids best
first, or a mapping id -> score ranked as trec_eval ranks it), its reference
the relevant ids (a list, or a mapping id -> graded relevance for nDCG).
Each measure is computed per query (:mod:`._compute`) and averaged over the
queries, so rows are one line of numbers per query and intervals, paired
tests between two retrievers, merging and Dask need no code of their own.

Queries with no relevant document
    trec_eval averages over the queries that appear in its qrels: a query
    whose judged documents are all non-relevant counts, with 0 on every
    measure; a query with no judgement at all is left out.  ranx counts both
    kinds as 0.  ``no_relevant="trec_eval"`` (the default) does what trec_eval
    does (an empty reference is "no judgement"); ``"zero"`` what ranx does;
    ``"skip"`` leaves out every query without a relevant document (TorchMetrics'
    ``empty_target_action="skip"``).  Left-out and zero queries are counted in
    ``details`` and named in a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric, total_weight, weighted_sum
from nlpmetrics.errors import NlpmetricsWarning
from nlpmetrics.metrics.retrieval._compute import Computer
from nlpmetrics.metrics.retrieval._judgements import Judged, judge
from nlpmetrics.metrics.retrieval._measures import DEFAULT, check_measures, parse_measure
from nlpmetrics.options import Option
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows

#: The report's Recall@k curve goes from k = 1 to the largest cut-off asked for (at least 10, at most 100).
CURVE_MIN, CURVE_MAX = 10, 100
_CURVE = "recall_curve"


class RetrievalWarning(NlpmetricsWarning):
    """Queries that do not count as the caller may think.

    Codes: ``"queries_left_out"`` (queries without judgements, or without a
    relevant document under ``no_relevant="skip"``, are not in the averages)
    and ``"queries_without_relevant"`` (queries with no relevant document
    score 0 on every measure and pull the averages down).
    """


@register
class Retrieval(Metric):
    """Recall@k, precision@k, hit rate@k, MRR, nDCG, MAP and R-precision of rankings (trec_eval; ranx)."""

    name = "retrieval"
    options: ClassVar[Mapping[str, Option]] = {
        "measures": Option(DEFAULT, check=check_measures,
                           doc="precision@k, recall@k, hit_rate@k, mrr, mrr@k, ndcg, ndcg@k, map, map@k, r_precision"),
        "no_relevant": Option("trec_eval", choices=("trec_eval", "zero", "skip"),
                              doc="queries without a relevant document: 'trec_eval' (judged: 0, unjudged: left out), "
                                  "'zero' (0, as ranx), 'skip' (left out)"),
    }
    score_keys = DEFAULT
    input_kind = "rankings"
    reduction = "sum"
    auto_select = ("retrieval",)
    reference_modules = ("numpy",)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.measures = tuple(parse_measure(m) for m in self.config["measures"])
        self.score_keys = tuple(m.key for m in self.measures)
        cut_offs = [m.k for m in self.measures if m.k]
        #: Cut-off of the sentence "for 8 of 10 queries a relevant document was in the top k".
        self.main_k = cut_offs[0] if cut_offs else 10
        self.curve_depth = min(max([CURVE_MIN, *cut_offs]), CURVE_MAX)

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the tie-breaking rule and the relevance threshold, which decide the numbers."""
        return {"ties": "score desc, then id desc (trec_eval)", "relevant_if": "relevance >= 1"}

    def tool_signature(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the trec_eval and ranx names of the measures."""
        return {"trec_eval": " ".join(m.trec_eval for m in self.measures),
                "ranx": " ".join(m.ranx for m in self.measures)}

    # ------------------------------------------------------------------ inputs and rows
    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Judged, None]:
        """Check the rankings and judgements and match them query by query."""
        return judge(predictions, references), None

    def statistics(self, predictions: Judged, references: None) -> Rows:
        """Return each query's measures, whether it counts (``no_relevant``) and its Recall@k curve."""
        judged = predictions
        computer = Computer(judged)
        has_relevant = judged.num_rel > 0
        mode = self.config["no_relevant"]
        if mode == "trec_eval":
            counted = judged.judged
        elif mode == "zero":
            counted = np.ones(len(judged), dtype=bool)
        else:
            counted = has_relevant
        rows: dict[str, np.ndarray] = {m.key: computer.measure(m) for m in self.measures}
        rows["counted"] = counted.astype(np.float64)
        rows["zero_queries"] = (counted & ~has_relevant).astype(np.float64)
        rows["found"] = (computer.found_within(self.main_k) > 0).astype(np.float64)
        rows["relevant"] = judged.num_rel.astype(np.float64)
        rows["retrieved"] = computer.found_within(judged.lengths).astype(np.float64)
        rows[_CURVE] = computer.recall_curve(self.curve_depth)
        for key in (*self.score_keys, "found", _CURVE):
            rows[key][~counted] = 0.0
        return Rows(rows)

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        """Sum the per-query columns; the Recall@k curve only for a single summary (resamples do not need it)."""
        batched = weights is not None and weights.ndim > 1
        summary = {key: weighted_sum(column, weights) for key, column in rows.items()
                   if not (batched and key == _CURVE)}
        summary["n"] = total_weight(rows, weights)
        return summary

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return each measure's mean over the counted queries."""
        counted = np.asarray(summary["counted"], dtype=np.float64)
        return {key: _mean(summary[key], counted) for key in self.score_keys}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each query's measures; NaN for a query left out of the averages."""
        left_out = rows["counted"] == 0
        return {key: np.where(left_out, np.nan, rows[key]) for key in self.score_keys}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the query counts, the relevant documents found and the mean Recall@k curve."""
        n = int(summary["n"])
        counted = round(float(summary["counted"]))
        zero = round(float(summary["zero_queries"]))
        curve = np.asarray(summary[_CURVE], dtype=np.float64) / counted if counted else np.full(self.curve_depth,
                                                                                               np.nan)
        details: dict[str, Any] = {
            "queries": counted,
            "left_out": n - counted,
            "without_relevant": zero,
            "k": self.main_k,
            "found": round(float(summary["found"])),
            "relevant": round(float(summary["relevant"])),
            "relevant_retrieved": round(float(summary["retrieved"])),
            "curve": {"x": np.arange(1, self.curve_depth + 1), "y": curve, "x_key": "k", "y_key": "recall"},
        }
        mode = self.config["no_relevant"]
        if n - counted:
            why = ("have no judged document (an empty reference) and are left out of the averages, as trec_eval "
                   "leaves them out" if mode == "trec_eval" else
                   "have no relevant document and are left out of the averages (no_relevant='skip')")
            warnings.warn(RetrievalWarning(
                f"{n - counted:,} of {n:,} queries {why}; the averages are over the other {counted:,}. Pass "
                "no_relevant='zero' to count them as 0 (as ranx does)", code="queries_left_out"), stacklevel=3)
        if zero:
            warnings.warn(RetrievalWarning(
                f"{zero:,} of {counted:,} queries have no relevant document, so every measure is 0 for them (as in "
                "trec_eval and ranx) and the averages are lower than on the other queries; pass no_relevant='skip' "
                "to leave them out", code="queries_without_relevant"), stacklevel=3)
        return details


def _mean(total: Any, counted: np.ndarray) -> Any:
    """``total / counted``: the average over the queries that count, NaN when none does."""
    total = np.asarray(total, dtype=np.float64)
    out = np.divide(total, counted, out=np.full(np.broadcast(total, counted).shape, np.nan), where=counted != 0)
    return out if out.ndim else float(out)
