"""chrF and TER, identical to sacrebleu's ``CHRF`` / ``TER`` ``corpus_score``.

Each example's row is sacrebleu's segment statistics on that example's own
references (so the number of references may vary per example without
padding): TER's come from sacrebleu's ``_compute_segment_statistics``
itself, chrF's are counted for the whole batch with numpy
(:mod:`nlpmetrics.metrics._ngram_counts`) and tested equal to sacrebleu's row
by row.  The corpus score is sacrebleu's scoring of the (weighted) column
sums, so streaming, merging and the bootstrap are exact.

- chrF row: ``[hyp, ref, match]`` n-gram counts for every character (then
  word) order, of the reference with the best sentence chrF.
- TER row: the fewest edits over the references and their average length.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from nlpmetrics.base import Metric, total_weight, weighted_sum
from nlpmetrics.metrics.text import (
    LANG_TOKENIZERS,
    REFERENCE_COUNT_REDUCTIONS,
    check_optional_lang,
    check_text_inputs,
    reference_count_facts,
    reference_counts,
    reference_counts_column,
)
from nlpmetrics.options import Option, check_bool, check_non_negative_int, check_optional_bool, check_positive_int
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows


@cache
def _sacrebleu_metric(kind: str, options: tuple[tuple[str, Any], ...]):
    """One sacrebleu ``CHRF``/``TER`` object per option set (they hold no per-corpus state here)."""
    from sacrebleu.metrics import CHRF, TER

    return {"chrf": CHRF, "ter": TER}[kind](**dict(options))


class _SacrebleuSegmentMetric(Metric):
    """Shared engine: rows are sacrebleu's segment statistics, scores its ``_compute_score_from_stats``.

    Subclasses write ``statistics`` returning ``{"stats": (n, width) array, "n_refs": ...}``.
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
        return _sacrebleu_metric(self.name, tuple((k, self.config[k]) for k in self.sacrebleu_options))

    def check_inputs(self, predictions, references):
        return check_text_inputs(predictions, references)

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        summary = {"stats": weighted_sum(rows["stats"], weights), "n": total_weight(rows, weights)}
        return summary | reference_count_facts(rows, weights)

    def _summed(self, stats: np.ndarray) -> list:
        """One summary's statistics as sacrebleu takes them (integers for counts)."""
        if stats.dtype.kind in "iu":
            return [int(x) for x in stats]
        return [float(x) for x in stats]

    def _score_stats(self, stats: np.ndarray) -> float:
        return self.reference_metric._compute_score_from_stats(self._summed(stats)).score / 100.0

    def _row_scores(self, rows: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.array([self._score_stats(row) for row in rows["stats"]], dtype=np.float64)

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        stats = np.asarray(summary["stats"])
        if stats.ndim == 1:
            return {self.name: self._score_stats(stats)}
        return {self.name: np.array([self._score_stats(row) for row in stats], dtype=np.float64)}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {self.name: self._row_scores(rows)}

    def sacrebleu_signature(self, nrefs: str | int) -> str:
        """sacrebleu's own signature string for these options."""
        metric = self.reference_metric
        args = dict(vars(metric), num_refs=-1 if nrefs == "var" else nrefs)
        return type(metric)._SIGNATURE_TYPE(args).format()

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        return {"nrefs": str(reference_counts(summary))}

    def tool_signature(self, summary: Mapping[str, Any]) -> dict[str, str]:
        return {"sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary))}


@register
class ChrF(_SacrebleuSegmentMetric):
    """chrF / chrF++: F-score of character (and word) n-gram overlap (sacrebleu's ``CHRF``)."""

    name = "chrf"
    options = {
        "char_order": Option(6, check=check_positive_int, doc="longest character n-gram"),
        "word_order": Option(0, check=check_non_negative_int, doc="longest word n-gram (2 = chrF++)"),
        "beta": Option(2, check=check_positive_int, doc="weight of recall relative to precision"),
        "lowercase": Option(False, check=check_bool, doc="compare lowercased text"),
        "whitespace": Option(False, check=check_bool, doc="count spaces inside character n-grams"),
        "eps_smoothing": Option(False, check=check_bool, doc="chrF++.py/NLTK/Moses epsilon smoothing"),
        "lang": Option(None, check=check_optional_lang,
                       doc="target language; accepted for a uniform interface (chrF needs no word tokenizer)"),
    }
    sacrebleu_options = ("char_order", "word_order", "beta", "lowercase", "whitespace", "eps_smoothing")
    score_keys = ("chrf",)

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """sacrebleu's chrF segment statistics, counted for the whole batch with numpy.

        For every reference the ``[hyp, ref, match]`` counts per order; the row
        keeps the reference with the best sentence chrF (the first on a tie),
        chosen by sacrebleu's own ``_compute_f_score``.
        """
        from nlpmetrics.metrics._ngram_counts import _CHUNK_EXAMPLES

        metric = self.reference_metric
        preprocess = metric._preprocess_segment
        hypotheses = [preprocess(text) for text in predictions]
        grouped = [[preprocess(text) for text in group] for group in references]
        rows = np.zeros((len(hypotheses), 3 * (self.config["char_order"] + self.config["word_order"])), np.int64)
        for start in range(0, len(hypotheses), _CHUNK_EXAMPLES):
            stop = min(len(hypotheses), start + _CHUNK_EXAMPLES)
            rows[start:stop] = self._best_reference_statistics(hypotheses[start:stop], grouped[start:stop])
        return Rows({"stats": rows, "n_refs": reference_counts_column(references)})

    def _best_reference_statistics(self, hypotheses: list[str], references: list[list[str]]) -> np.ndarray:
        from nlpmetrics.metrics._ngram_counts import Segments, reference_match_statistics

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
        stats = stats.reshape(stats.shape[0], stats.shape[1], -1)  # (examples, references, 3 * orders)
        best = np.zeros(len(hypotheses), dtype=np.int64)
        for index, group in enumerate(references):
            if len(group) > 1:
                scores = [metric._compute_f_score([int(x) for x in stats[index, j]]) for j in range(len(group))]
                best[index] = max(range(len(group)), key=lambda j: (scores[j], -j))
        return stats[np.arange(len(hypotheses)), best]

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
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


@register
class TER(_SacrebleuSegmentMetric):
    """TER: edits (insertions, deletions, substitutions, shifts) per reference word (sacrebleu's ``TER``)."""

    name = "ter"
    options = {
        "normalized": Option(None, check=check_optional_bool,
                             doc="tercom normalisation; default: off, on when lang is ja/zh/ko"),
        "no_punct": Option(False, check=check_bool, doc="remove punctuation"),
        "asian_support": Option(None, check=check_optional_bool,
                                doc="split CJK text into characters; default: off, on when lang is ja/zh/ko"),
        "case_sensitive": Option(False, check=check_bool, doc="keep case (sacrebleu lowercases by default)"),
        "lang": Option(None, check=check_optional_lang,
                       doc="target language; 'ja', 'zh', 'ko' turn on normalized and asian_support"),
    }
    sacrebleu_options = ("normalized", "no_punct", "asian_support", "case_sensitive")
    score_keys = ("ter",)
    higher_is_better = False
    bounds = (0.0, float("inf"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Text without spaces between words (Japanese, Chinese, Korean phrases) would otherwise be one
        # "word" per sentence; sacrebleu's asian_support splits it into characters.
        asian = self.config["lang"] in LANG_TOKENIZERS
        for key in ("normalized", "asian_support"):
            if self.config[key] is None:
                self.config[key] = asian

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """sacrebleu's own TER segment statistics ``[edits, average reference length]`` per example."""
        metric = self.reference_metric
        preprocess = metric._preprocess_segment
        stats = [
            metric._compute_segment_statistics(
                preprocess(hypothesis), metric._extract_reference_info([preprocess(r) for r in group])
            )
            for hypothesis, group in zip(predictions, references, strict=True)
        ]
        return Rows({"stats": np.array(stats, dtype=np.float64).reshape(len(stats), 2),
                     "n_refs": reference_counts_column(references)})

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        stats = np.asarray(summary["stats"], dtype=np.float64)
        if stats.ndim == 1:
            edits, ref_length = (float(x) for x in stats)
            return {"ter": self.reference_metric._compute_score_from_stats([edits, ref_length]).score / 100.0}
        return {"ter": np.array([self.reference_metric._compute_score_from_stats([e, r]).score / 100.0
                                 for e, r in stats], dtype=np.float64)}

    def _row_scores(self, rows: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.array([self.reference_metric._compute_score_from_stats([int(e), float(r)]).score / 100.0
                         for e, r in rows["stats"]], dtype=np.float64)

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        edits, ref_length = np.asarray(summary["stats"], dtype=np.float64)
        return {
            "edits": int(edits),
            "ref_length": float(ref_length),
            "sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary)),
        }
