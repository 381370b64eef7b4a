"""What chrF and TER share: rows are sacrebleu's segment statistics, the score its scoring of their sums.

Each example's row holds sacrebleu's segment statistics on that example's own
references (so the number of references may vary per example without
padding).  The corpus score of whole-number sums is sacrebleu's own
``_compute_score_from_stats``; weighted sums (bootstrap resamples, one per
row of a batched summary) are scored by each metric's vectorised formula,
tested equal to sacrebleu's per summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from nlpmetrics.base import Metric, total_weight, weighted_sum
from nlpmetrics.metrics.text import (
    REFERENCE_COUNT_REDUCTIONS,
    check_text_inputs,
    reference_count_facts,
    reference_counts,
)


@cache
def sacrebleu_metric(kind: str, options: tuple[tuple[str, Any], ...]):
    """One sacrebleu ``CHRF``/``TER`` object per option set (they hold no per-corpus state here)."""
    from sacrebleu.metrics import CHRF, TER

    return {"chrf": CHRF, "ter": TER}[kind](**dict(options))


class SacrebleuSegmentMetric(Metric):
    """Shared engine: rows ``{"stats": (n, width), "n_refs": (n,)}``, scores sacrebleu's for counts.

    Subclasses write ``statistics`` and :meth:`batched_scores` (the score of
    every row of a 2-d array of summed statistics, as numpy).
    """

    input_kind = "text"
    reduction = "sum"
    summary_reductions = REFERENCE_COUNT_REDUCTIONS
    reference_modules = ("sacrebleu",)
    #: Config keys passed to the sacrebleu class.
    sacrebleu_options: tuple[str, ...] = ()

    @property
    def reference_metric(self):
        """The sacrebleu metric object for these options."""
        return sacrebleu_metric(self.name, tuple((k, self.config[k]) for k in self.sacrebleu_options))

    def check_inputs(self, predictions, references):
        return check_text_inputs(predictions, references)

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        summary = {"stats": weighted_sum(rows["stats"], weights), "n": total_weight(rows, weights)}
        return summary | reference_count_facts(rows, weights)

    def sacrebleu_score(self, stats: np.ndarray) -> float:
        """Sacrebleu's own score of one summary's statistics, as a fraction (integers stay integers)."""
        values = [int(x) for x in stats] if stats.dtype.kind in "iu" else [float(x) for x in stats]
        return self.reference_metric._compute_score_from_stats(values).score / 100.0

    def batched_scores(self, stats: np.ndarray) -> np.ndarray:
        """Return the score of every row of ``stats`` (shape ``(k, width)``), as fractions."""
        raise NotImplementedError

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Sacrebleu's own scoring for one summary; the vectorised formula for a batch of resamples."""
        stats = np.asarray(summary["stats"])
        if stats.ndim == 1:
            return {self.name: self.sacrebleu_score(stats)}
        return {self.name: self.batched_scores(stats.astype(np.float64))}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {self.name: self.batched_scores(np.asarray(rows["stats"], dtype=np.float64))}

    def sacrebleu_signature(self, nrefs: str | int) -> str:
        """Sacrebleu's own signature string for these options."""
        metric = self.reference_metric
        args = dict(vars(metric), num_refs=-1 if nrefs == "var" else nrefs)
        return type(metric)._SIGNATURE_TYPE(args).format()

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        return {"nrefs": str(reference_counts(summary))}

    def tool_signature(self, summary: Mapping[str, Any]) -> dict[str, str]:
        return {"sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary))}
