"""BLEU, identical to sacrebleu's ``BLEU.corpus_score``, from per-example sufficient statistics.

Each example's row holds what sacrebleu sums over a corpus: the hypothesis
length, the closest reference length, and the clipped n-gram matches and
hypothesis n-gram totals per order.  The corpus score is sacrebleu's own
``BLEU.compute_bleu`` on the (weighted) column sums, so streaming, merging and
the bootstrap are exact, and a variable number of references per example
needs no padding.  The speed comes from doing each step once per batch:
13a tokenizes each distinct word of the batch once (:mod:`._fast_13a`), and
the n-grams of all examples are counted with a few sorts of integer keys
(:mod:`._ngram_counts`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric, total_weight, weighted_sum
from nlpmetrics.errors import InputError
from nlpmetrics.metrics.text import (
    REFERENCE_COUNT_REDUCTIONS,
    check_optional_lang,
    check_text_inputs,
    reference_count_facts,
    reference_counts,
    reference_counts_column,
    sacrebleu_tokenizer,
    tokenizer_for_lang,
)
from nlpmetrics.options import Option, check_bool, check_order
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows

#: Tokenizer used when neither ``tokenize`` nor a known ``lang`` says otherwise.
DEFAULT_TOKENIZER = "13a"
#: sacrebleu's smoothing methods and their default ``smooth_value``.
SMOOTH_DEFAULTS = {"exp": None, "floor": 0.1, "add-k": 1, "none": None}


# ---------------------------------------------------------------------------- option checks
def _check_tokenize(value: Any) -> str | None:
    from sacrebleu.metrics.bleu import _TOKENIZERS

    if value is not None and value not in _TOKENIZERS:
        raise ValueError(f"unknown tokenizer; choose one of {', '.join(sorted(_TOKENIZERS))}")
    return value


def _check_smooth_value(value: Any) -> numbers.Real | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError("must be None (the method's default) or a finite number >= 0")
    return value


def resolve_tokenizer(tokenize: str | None, lang: str | None) -> str:
    """Resolve the sacrebleu tokenizer name to use: ``tokenize`` if given, else the one ``lang`` implies, else 13a.

    Raises
    ------
    InputError
        For a tokenizer that would download a model (``flores101``,
        ``flores200``, ``spm``, ``spBLEU-1K``) whose file is not already in
        sacrebleu's cache: nlpmetrics never downloads at run time.
    """
    name = tokenize or tokenizer_for_lang(lang) or DEFAULT_TOKENIZER
    _refuse_download(name)
    return name


def _refuse_download(name: str) -> None:
    from sacrebleu.metrics.bleu import _TOKENIZERS

    if not _TOKENIZERS[name].startswith("tokenizer_spm."):
        return
    import os

    from sacrebleu.tokenizers.tokenizer_spm import SPM_MODELS
    from sacrebleu.utils import SACREBLEU_DIR

    model_key = "flores101" if name == "spm" else name
    model_path = os.path.join(SACREBLEU_DIR, "models", os.path.basename(SPM_MODELS[model_key]["url"]))
    if not os.path.exists(model_path):
        raise InputError(
            f"tokenize={name!r} needs a SentencePiece model that sacrebleu downloads on first use, and "
            f"nlpmetrics never downloads at run time; it is not cached at {model_path}. Download it once "
            f"(e.g. python -c \"from sacrebleu.metrics import BLEU; BLEU(tokenize='{name}')\" on a machine "
            "with internet access) or pick an offline tokenizer such as '13a', 'intl', 'char', 'zh' or 'ja-mecab'"
        )


# ---------------------------------------------------------------------------- sentence-level BLEU
def bleu_scores(
    correct: np.ndarray, total: np.ndarray, sys_len: np.ndarray, ref_len: np.ndarray,
    smooth_method: str, smooth_value: float | None, effective_order: bool = True,
) -> np.ndarray:
    """Sacrebleu's ``BLEU.compute_bleu`` for every row at once (counts may be fractional), as fractions.

    With ``effective_order=True`` this is sacrebleu's ``sentence_score`` of
    each row; the bootstrap uses it on weighted sums, where sacrebleu's own
    function (which formats lengths as integers) cannot be called.

    Follows ``BLEU.compute_bleu`` step by step: brevity penalty; 0 when no
    n-gram matches; add-k from order 2; stop at the first order with no
    n-grams; exp smoothing halves each successive zero precision; floor uses
    ``smooth_value / total``; the geometric mean runs over the orders reached.
    """
    if smooth_value is None:
        smooth_value = SMOOTH_DEFAULTS[smooth_method]
    correct = correct.astype(np.float64)
    total = total.astype(np.float64)
    sys_len = sys_len.astype(np.float64)
    ref_len = ref_len.astype(np.float64)
    max_order = correct.shape[1]
    any_match = (correct > 0).any(axis=1)  # sacrebleu's early stop looks at the counts before add-k
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(sys_len < ref_len, np.where(sys_len > 0, np.exp(1 - ref_len / sys_len), 0.0), 1.0)
        if smooth_method == "add-k":
            correct[:, 1:] += smooth_value
            total[:, 1:] += smooth_value
        reached = np.cumprod(total > 0, axis=1).astype(bool)
        zero = (correct == 0) & reached
        if smooth_method == "exp":
            halvings = np.cumsum(zero, axis=1)
            smoothed = 100.0 / (np.power(2.0, halvings) * total)
        elif smooth_method == "floor":
            if smooth_value is None:  # SMOOTH_DEFAULTS gives floor a value
                raise ValueError("smooth_method='floor' needs a smooth_value")
            smoothed = 100.0 * smooth_value / total
        else:
            smoothed = np.zeros_like(total)
        precisions = np.where(zero, smoothed, 100.0 * correct / total)
        precisions = np.where(reached, precisions, 0.0)
        logs = np.where(precisions == 0.0, -9999999999.0, np.log(np.where(precisions > 0, precisions, 1.0)))
    effective = reached.sum(axis=1)
    effective = np.where((effective == 0) | (not effective_order), max_order, effective)
    used = np.arange(max_order)[None, :] < effective[:, None]
    log_sum = np.where(used, logs, 0.0).sum(axis=1)
    scores = bp * np.exp(log_sum / effective)
    return np.where(any_match, scores, 0.0) / 100.0


# ---------------------------------------------------------------------------- the metric
@register
class BLEU(Metric):
    """BLEU: n-gram precision against the references with a brevity penalty (sacrebleu's ``BLEU``)."""

    name = "bleu"
    options: ClassVar[Mapping[str, Option]] = {
        "tokenize": Option(None, check=_check_tokenize,
                           doc="sacrebleu tokenizer ('13a', 'intl', 'char', 'none', 'zh', 'ja-mecab', 'ko-mecab'); "
                               "default: 13a unless lang picks another"),
        "lang": Option(None, check=check_optional_lang, doc="target language; 'ja', 'zh', 'ko' pick their tokenizer"),
        "lowercase": Option(False, check=check_bool, doc="compare lowercased text"),
        "smooth_method": Option("exp", choices=tuple(SMOOTH_DEFAULTS),
                                doc="smoothing of zero n-gram precisions: exp, floor, add-k or none"),
        "smooth_value": Option(None, check=_check_smooth_value, doc="value for floor (0.1) and add-k (1)"),
        "max_ngram_order": Option(4, check=check_order, doc="longest n-gram counted"),
        "effective_order": Option(False, check=check_bool,
                                  doc="corpus score over the n-gram orders present only "
                                      "(per-example scores always are)"),
    }
    score_keys = ("bleu",)
    input_kind = "text"
    auto_select = ("bleu",)
    reduction = "sum"
    summary_reductions = REFERENCE_COUNT_REDUCTIONS
    reference_modules = ("sacrebleu",)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.config["tokenize"] = resolve_tokenizer(self.config["tokenize"], self.config["lang"])
        sacrebleu_tokenizer(self.config["tokenize"])  # fail now (MeCab missing), not mid-run

    def check_inputs(self, predictions, references):
        """Check the predictions (one string each) and the references (one or more strings each)."""
        return check_text_inputs(predictions, references)

    def segments(self, lines: list[str], n_refs: np.ndarray):
        """Return the token ids of ``lines`` (each example's hypothesis, then its references) as sacrebleu splits them.

        sacrebleu's ``BLEU._preprocess_segment`` (lowercase, ``rstrip``, the
        tokenizer) then ``split()``; 13a tokenizes each distinct word of the
        batch once (:func:`~._fast_13a.tokenize_13a_words`), the other
        tokenizers run line by line.
        """
        from nlpmetrics.metrics.translation._fast_13a import prepare_lines, tokenize_13a_words
        from nlpmetrics.metrics.translation._ngram_counts import Segments

        if self.config["lowercase"]:
            lines = [line.lower().rstrip() for line in lines]
        else:
            lines = [line.rstrip() for line in lines]
        if self.config["tokenize"] == "13a":
            return Segments.from_words(prepare_lines(lines), n_refs, tokenize_13a_words)
        tokenize = sacrebleu_tokenizer(self.config["tokenize"])
        return Segments.from_words([tokenize(line) for line in lines], n_refs)

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Sacrebleu's BLEU segment statistics of every example, a chunk of examples at a time."""
        from nlpmetrics.metrics.translation._ngram_counts import CHUNK_EXAMPLES, clipped_counts, interleave

        n, max_order = len(predictions), self.config["max_ngram_order"]
        n_refs = reference_counts_column(references)
        correct = np.zeros((n, max_order), dtype=np.int64)
        total = np.zeros((n, max_order), dtype=np.int64)
        hyp_len = np.zeros(n, dtype=np.int64)
        ref_len = np.zeros(n, dtype=np.int64)
        for start in range(0, n, CHUNK_EXAMPLES):
            stop = min(n, start + CHUNK_EXAMPLES)
            segments = self.segments(interleave(predictions[start:stop], references[start:stop]), n_refs[start:stop])
            correct[start:stop], total[start:stop] = clipped_counts(segments, max_order)
            hyp_len[start:stop], ref_len[start:stop] = _lengths(segments, n_refs[start:stop])
        return Rows({"hyp_len": hyp_len, "ref_len": ref_len, "correct": correct, "total": total, "n_refs": n_refs})

    def reduce(self, rows: Mapping[str, np.ndarray], weights: np.ndarray | None = None) -> dict[str, Any]:
        """Sum the lengths and n-gram counts, each row counted ``weights[i]`` times."""
        summary = {k: weighted_sum(rows[k], weights) for k in ("hyp_len", "ref_len", "correct", "total")}
        summary["n"] = total_weight(rows, weights)
        return summary | reference_count_facts(rows, weights)

    def _sacrebleu_score(self, summary: Mapping[str, Any]):
        """Sacrebleu's ``BLEUScore`` for whole-number sums (sacrebleu formats its lengths as integers)."""
        from sacrebleu.metrics.bleu import BLEU as SacreBLEU

        return SacreBLEU.compute_bleu(
            correct=[int(x) for x in summary["correct"]],
            total=[int(x) for x in summary["total"]],
            sys_len=int(summary["hyp_len"]),
            ref_len=int(summary["ref_len"]),
            smooth_method=self.config["smooth_method"],
            smooth_value=self.config["smooth_value"],
            effective_order=self.config["effective_order"],
            max_ngram_order=self.config["max_ngram_order"],
        )

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Sacrebleu's own ``compute_bleu`` for counts, the same formula vectorised for weighted (resampled) sums."""
        lengths = np.asarray(summary["hyp_len"])
        if lengths.ndim == 0 and lengths.dtype.kind in "iu":  # one summary of whole counts: sacrebleu's own code
            return {"bleu": self._sacrebleu_score(summary).score / 100.0}
        batched = np.ndim(summary["hyp_len"]) > 0
        correct, total = (np.atleast_2d(summary[k]) for k in ("correct", "total"))
        scores = bleu_scores(correct, total, np.atleast_1d(summary["hyp_len"]), np.atleast_1d(summary["ref_len"]),
                             self.config["smooth_method"], self.config["smooth_value"], self.config["effective_order"])
        return {"bleu": scores if batched else float(scores[0])}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each example's BLEU from its own counts (sacrebleu's ``sentence_score``), as a fraction."""
        return {"bleu": bleu_scores(rows["correct"], rows["total"], rows["hyp_len"], rows["ref_len"],
                                    self.config["smooth_method"], self.config["smooth_value"])}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the brevity penalty, length ratio, lengths, n-gram precisions and counts."""
        score = self._sacrebleu_score(summary)
        precisions = [p / 100.0 for p in score.precisions]
        details: dict[str, Any] = {
            "brevity_penalty": float(score.bp),
            "length_ratio": float(score.ratio),
            "hyp_len": int(score.sys_len),
            "ref_len": int(score.ref_len),
            "precisions": precisions,
            "counts": [int(c) for c in summary["correct"]],
            "totals": [int(t) for t in summary["total"]],
            "tokenizer": self.config["tokenize"],
            "sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary)),
        }
        for order, precision in enumerate(precisions, start=1):
            details[f"precision_{order}"] = precision
        return details

    def sacrebleu_signature(self, nrefs: str | int) -> str:
        """Sacrebleu's own signature string for these options (``nrefs:1|case:mixed|eff:no|tok:13a|...``)."""
        from sacrebleu.metrics.bleu import BLEUSignature

        args = {
            "num_refs": -1 if nrefs == "var" else nrefs,
            "smooth_method": self.config["smooth_method"],
            "smooth_value": self.config["smooth_value"],
            "lowercase": self.config["lowercase"],
            "effective_order": self.config["effective_order"],
            "tokenizer_signature": sacrebleu_tokenizer(self.config["tokenize"]).signature(),
        }
        return BLEUSignature(args).format()

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the number of references per example, which decides the number."""
        return {"nrefs": str(reference_counts(summary))}

    def tool_signature(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return sacrebleu's own signature string."""
        return {"sacrebleu_signature": self.sacrebleu_signature(reference_counts(summary))}


def _lengths(segments, n_refs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each example's hypothesis length and sacrebleu's reference length: the closest, the shorter on a tie."""
    is_hypothesis = segments.slot == 0
    hyp_len = segments.lengths[is_hypothesis]
    ref_lengths = segments.lengths[~is_hypothesis]
    scale = int(ref_lengths.max(initial=0)) + 1
    distance = np.abs(hyp_len[segments.example[~is_hypothesis]] - ref_lengths)
    best = np.minimum.reduceat(distance * scale + ref_lengths, np.cumsum(n_refs) - n_refs)
    return hyp_len, best % scale
