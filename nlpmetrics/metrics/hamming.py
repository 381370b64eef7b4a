"""Hamming loss: the share of wrong label decisions (``sklearn.metrics.hamming_loss``).

On multi-label input each example makes one yes/no decision per label, and
the loss is the share of those decisions that are wrong; on one label per
example it is the share of wrong examples (1 - accuracy).  Inputs are read as
every classification metric reads them (:mod:`nlpmetrics.metrics.multilabel`),
so a collection converts a batch once for this metric and the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.base import total_weight, weighted_sum
from nlpmetrics.labels import LabelCodes, integer_pair
from nlpmetrics.metrics import multilabel as ml
from nlpmetrics.metrics.classification import _LabelMetric, read_only
from nlpmetrics.registry import register
from nlpmetrics.rows import Categories, Rows


@register
class HammingLoss(_LabelMetric):
    """Share of wrong label decisions (``sklearn.metrics.hamming_loss``); lower is better.

    Multi-label input (label sets or a 0/1 indicator matrix): wrong
    (example, label) decisions over examples times labels.  One label per
    example: the share of wrong examples.
    """

    name = "hamming_loss"
    score_keys = ("hamming_loss",)
    higher_is_better = False

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[Any, Any]:
        """Check the labels; plain integer labels are used as they are, other labels become codes."""
        pair = integer_pair(predictions, references) if self.config["ignore_index"] is None else None
        return pair if pair is not None else super().check_inputs(predictions, references)

    def statistics(self, predictions: Any, references: Any) -> Rows:
        """Return each example's wrong label decisions (for single-label data: whether it is wrong)."""
        if isinstance(predictions, ml.LabelSets):
            return ml.multilabel_rows(predictions, references)
        if isinstance(predictions, LabelCodes):
            wrong, kind = predictions.codes != references.codes, predictions.categories.kind
        else:
            wrong, kind = predictions != references, "number"
        return Rows({"differences": wrong}, categories=Categories(kind=kind))

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        """Sum the wrong decisions and count the examples and labels, each row counted ``weights[i]`` times."""
        differences = rows["differences"]
        return {
            "differences": np.count_nonzero(differences) if weights is None and differences.dtype == bool
            else weighted_sum(differences, weights),
            "n": total_weight(rows, weights),
            "n_all_labels": len(ml.row_labels(rows)) if ml.is_multilabel_rows(rows) else 1,
            "multilabel": ml.is_multilabel_rows(rows),
        }

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the Hamming loss: wrong decisions over examples times labels."""
        return {"hamming_loss": ml.hamming(summary)}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the wrong decisions, all decisions and the number of labels."""
        decisions = int(summary["n"]) * int(summary["n_all_labels"])
        return {"multilabel": bool(summary["multilabel"]), "differences": int(summary["differences"]),
                "decisions": decisions, "n_labels": int(summary["n_all_labels"])}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each example's share of wrong label decisions."""
        labels = len(ml.row_labels(rows)) if ml.is_multilabel_rows(rows) else 1
        with np.errstate(divide="ignore", invalid="ignore"):
            return {"hamming_loss": read_only(rows["differences"].astype(np.float64) / labels)}
