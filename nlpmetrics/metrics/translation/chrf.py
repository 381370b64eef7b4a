"""chrF / chrF++, identical to sacrebleu's ``CHRF.corpus_score``.

An example's row is sacrebleu's segment statistics: ``[hyp, ref, match]``
n-gram counts for every character (then word) order, of the reference with
the best sentence chrF.  They are counted for the whole batch with numpy
(:mod:`._ngram_counts`) and tested equal to sacrebleu's row by row.  The
corpus score is sacrebleu's ``_compute_f_score`` of the column sums; for
weighted sums (bootstrap resamples) and per-example scores the same formula
runs as numpy over all of them at once (:func:`chrf_scores`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.metrics.text import check_optional_lang, reference_counts, reference_counts_column
from nlpmetrics.metrics.translation._sacrebleu_segments import SacrebleuSegmentMetric
from nlpmetrics.options import Option, check_bool, check_optional_order, check_order, check_positive_int
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows

#: sacrebleu's epsilon for an undefined precision, recall or F-score (``CHRF._compute_f_score``).
_EPS = 1e-16


def chrf_scores(stats: np.ndarray, beta: int, eps_smoothing: bool) -> np.ndarray:
    """Sacrebleu's ``CHRF._compute_f_score`` of every row of ``stats``, as fractions.

    See :func:`chrf_percent`, whose values this divides by 100 (as nlpmetrics
    does with sacrebleu's own score).
    """
    return chrf_percent(stats, beta, eps_smoothing) / 100.0


def chrf_percent(stats: np.ndarray, beta: int, eps_smoothing: bool) -> np.ndarray:
    """Sacrebleu's ``CHRF._compute_f_score`` of every row of ``stats`` (0-100).

    Parameters
    ----------
    stats : ndarray, shape (k, 3 * orders)
        ``[hyp, ref, match]`` per order (character orders, then word
        orders), summed counts or weighted sums.
    beta : int
        Weight of recall relative to precision.
    eps_smoothing : bool
        chrF++.py's smoothing: the mean of the per-order F-scores (an order
        with nothing to compare counts ``1e-16``); otherwise sacrebleu's
        default, the F-score of the precision and recall averaged over the
        orders that have n-grams on both sides.

    Returns
    -------
    ndarray of float64, shape (k,)
        The operations run in sacrebleu's order, so each value is the number
        sacrebleu computes for that row.
    """
    stats = np.asarray(stats, dtype=np.float64)
    n_orders = stats.shape[1] // 3
    factor = beta**2
    score = np.zeros(stats.shape[0])
    avg_prec = np.zeros(stats.shape[0])
    avg_rec = np.zeros(stats.shape[0])
    effective = np.zeros(stats.shape[0], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for order in range(n_orders):
            n_hyp, n_ref, n_match = stats[:, 3 * order], stats[:, 3 * order + 1], stats[:, 3 * order + 2]
            prec = np.where(n_hyp > 0, n_match / n_hyp, _EPS)
            rec = np.where(n_ref > 0, n_match / n_ref, _EPS)
            denom = factor * prec + rec
            score += np.where(denom > 0, (1 + factor) * prec * rec / denom, _EPS)
            both = (n_hyp > 0) & (n_ref > 0)
            avg_prec += np.where(both, prec, 0.0)
            avg_rec += np.where(both, rec, 0.0)
            effective += both
        if eps_smoothing:
            return 100 * score / n_orders
        avg_prec = np.where(effective > 0, avg_prec / effective, 0.0)
        avg_rec = np.where(effective > 0, avg_rec / effective, 0.0)
        f_score = (1 + factor) * avg_prec * avg_rec
        f_score = f_score / ((factor * avg_prec) + avg_rec)
        return np.where(avg_prec + avg_rec != 0, 100 * f_score, 0.0)


@register
class ChrF(SacrebleuSegmentMetric):
    """chrF / chrF++: F-score of character (and word) n-gram overlap (sacrebleu's ``CHRF``)."""

    name = "chrf"
    options: ClassVar[Mapping[str, Option]] = {
        "char_order": Option(6, check=check_order, doc="longest character n-gram"),
        "word_order": Option(0, check=check_optional_order, doc="longest word n-gram (2 = chrF++)"),
        "beta": Option(2, check=check_positive_int, doc="weight of recall relative to precision"),
        "lowercase": Option(False, check=check_bool, doc="compare lowercased text"),
        "whitespace": Option(False, check=check_bool, doc="count spaces inside character n-grams"),
        "eps_smoothing": Option(False, check=check_bool, doc="chrF++.py/NLTK/Moses epsilon smoothing"),
        "lang": Option(None, check=check_optional_lang, affects_numbers=False,
                       doc="target language; accepted for a uniform interface (chrF needs no word tokenizer)"),
    }
    sacrebleu_options = ("char_order", "word_order", "beta", "lowercase", "whitespace", "eps_smoothing")
    score_keys = ("chrf",)

    def batched_scores(self, stats: np.ndarray) -> np.ndarray:
        """Return the chrF of every row of ``stats``, as fractions."""
        return chrf_scores(stats, self.config["beta"], self.config["eps_smoothing"])

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Sacrebleu's chrF segment statistics, counted for the whole batch with numpy.

        For every reference the ``[hyp, ref, match]`` counts per order; the row
        keeps the reference with the best sentence chrF (the first on a tie),
        chosen by sacrebleu's ``_compute_f_score`` (vectorised).
        """
        from nlpmetrics.metrics.translation._ngram_counts import CHUNK_EXAMPLES

        metric = self.reference_metric
        preprocess = metric._preprocess_segment
        hypotheses = [preprocess(text) for text in predictions]
        grouped = [[preprocess(text) for text in group] for group in references]
        rows = np.zeros((len(hypotheses), 3 * (self.config["char_order"] + self.config["word_order"])), np.int64)
        for start in range(0, len(hypotheses), CHUNK_EXAMPLES):
            stop = min(len(hypotheses), start + CHUNK_EXAMPLES)
            rows[start:stop] = self._best_reference_statistics(hypotheses[start:stop], grouped[start:stop])
        return Rows({"stats": rows, "n_refs": reference_counts_column(references)})

    def _best_reference_statistics(self, hypotheses: list[str], references: list[list[str]]) -> np.ndarray:
        from nlpmetrics.metrics.translation._ngram_counts import Segments, reference_match_statistics

        metric = self.reference_metric
        if self.config["whitespace"]:
            characters = Segments.from_characters(hypotheses, references)
        else:
            characters = Segments.from_characters(["".join(h.split()) for h in hypotheses],
                                                  [["".join(r.split()) for r in group] for group in references])
        parts = [reference_match_statistics(characters, self.config["char_order"])]
        if self.config["word_order"]:
            words = Segments.from_tokens([metric._remove_punctuation(h) for h in hypotheses],
                                         [[metric._remove_punctuation(r) for r in group] for group in references])
            parts.append(reference_match_statistics(words, self.config["word_order"]))
        stats = np.concatenate(parts, axis=2)
        n_examples, n_references = stats.shape[:2]
        stats = stats.reshape(n_examples, n_references, -1)  # (examples, references, 3 * orders)
        if n_references == 1:
            return stats[:, 0]
        # sacrebleu keeps the first reference whose F-score beats every earlier one (> -1.0 for the first);
        # slots beyond an example's references score -inf so they never win.
        scores = chrf_percent(stats.reshape(n_examples * n_references, -1), self.config["beta"],
                              self.config["eps_smoothing"]).reshape(n_examples, n_references)
        counts = reference_counts_column(references)
        scores[np.arange(n_references)[None, :] >= counts[:, None]] = -np.inf
        best = np.argmax(scores, axis=1)  # the first of equal maxima, as sacrebleu's strict ">"
        return stats[np.arange(n_examples), best]

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the orders, beta, the character n-gram counts and sacrebleu's signature."""
        sums = np.asarray(summary["stats"]).reshape(-1, 3)
        char_orders = self.config["char_order"]
        return {
            "char_order": char_orders,
            "word_order": self.config["word_order"],
            "beta": self.config["beta"],
            "char_ngrams": {"hypothesis": sums[:char_orders, 0], "reference": sums[:char_orders, 1],
                            "matched": sums[:char_orders, 2]},
            "sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary)),
        }
