"""TER, identical to sacrebleu's ``TER.corpus_score``.

An example's row is sacrebleu's segment statistics: the fewest edits over the
example's references and their average length.  The edits come from
:mod:`._ter_edits`, sacrebleu's shift search and beam edit distance run for
every (hypothesis, reference) pair of a batch at once with numpy, and are
tested equal to sacrebleu's pair by pair.  The corpus score is
sacrebleu's ``_compute_score_from_stats`` of the column sums; for weighted
sums (bootstrap resamples) and per-example scores the same formula runs as
numpy over all of them at once (:func:`ter_scores`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.metrics.text import LANG_TOKENIZERS, check_optional_lang, reference_counts, reference_counts_column
from nlpmetrics.metrics.translation._sacrebleu_segments import SacrebleuSegmentMetric
from nlpmetrics.options import Option, check_bool, check_optional_bool
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows


def ter_scores(stats: np.ndarray) -> np.ndarray:
    """Sacrebleu's ``TER._compute_score_from_stats`` of every row ``[edits, reference length]``, as fractions.

    ``edits / length``; with no reference words, 1 if there are edits and 0
    if not.  The operations are sacrebleu's (a percentage, then divided by
    100 as nlpmetrics does with sacrebleu's score), so the values are its own.
    """
    stats = np.asarray(stats, dtype=np.float64)
    edits, length = stats[:, 0], stats[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(length > 0, edits / length, np.where(edits > 0, 1.0, 0.0))
    return 100 * rate / 100.0


@register
class TER(SacrebleuSegmentMetric):
    """TER: edits (insertions, deletions, substitutions, shifts) per reference word (sacrebleu's ``TER``)."""

    name = "ter"
    options: ClassVar[Mapping[str, Option]] = {
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

    def batched_scores(self, stats: np.ndarray) -> np.ndarray:
        """Return the TER of every row of ``stats``, as fractions."""
        return ter_scores(stats)

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Sacrebleu's TER segment statistics ``[edits, average reference length]`` per example.

        sacrebleu's tokenizer, then the edits of every (hypothesis, reference)
        pair from :func:`~._ter_edits.translation_edits` (sacrebleu's search,
        for all pairs at once); an example keeps its fewest edits.
        """
        from nlpmetrics.metrics.translation._ter_edits import translation_edits

        preprocess = self.reference_metric._preprocess_segment
        hypotheses = [preprocess(text).split() for text in predictions]
        n_refs = reference_counts_column(references)
        reference_words = [preprocess(text).split() for group in references for text in group]
        repeated = [words for words, group in zip(hypotheses, references, strict=True) for _ in group]
        edits = translation_edits(repeated, reference_words)
        lengths = np.fromiter(map(len, reference_words), dtype=np.int64, count=len(reference_words))
        starts = np.cumsum(n_refs) - n_refs
        stats = np.zeros((len(predictions), 2), dtype=np.float64)
        if len(predictions):
            stats[:, 0] = np.minimum.reduceat(edits, starts)
            stats[:, 1] = np.add.reduceat(lengths, starts) / n_refs
        return Rows({"stats": stats, "n_refs": n_refs})

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the number of edits and the reference length."""
        edits, ref_length = np.asarray(summary["stats"], dtype=np.float64)
        return {
            "edits": int(edits),
            "ref_length": float(ref_length),
            "sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary)),
        }
