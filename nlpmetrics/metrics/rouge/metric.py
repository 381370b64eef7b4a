"""ROUGE (``rouge``): rouge-score's numbers, every type, faster, and correct on Japanese.

Per example, precision / recall / F-measure of each ROUGE type equal
``rouge_score.rouge_scorer.RougeScorer(types, use_stemmer=...).score(reference,
prediction)`` (with several references, ``score_multi``: per type, the first
reference with the highest F-measure).  ``scores`` is the mean F-measure per
type.  Rows hold the per-example numbers, so streaming, merging and bootstrap
intervals are exact.

How it is fast: every text is tokenized once, in one batch pass (English by
lines, so rougeLsum's sentences come with the same tokens), and tokens become
integer ids.  N-gram overlaps and LCS lengths of all pairs come from a padded
per-pair table sorted row by row and a bit-parallel LCS run over all pairs in
step (:mod:`._table`).  rougeLsum takes the summary-level path only for pairs
with more than one sentence a side (with one it equals rougeL exactly), where
rouge-score's LCS traceback runs one step per reference token for all sentence
pairs in step (:mod:`._lsum`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.errors import InputError, NlpmetricsWarning
from nlpmetrics.metrics.rouge._batch import Sentences
from nlpmetrics.metrics.rouge._lsum import summary_level_scores
from nlpmetrics.metrics.rouge._scores import lcs_scores_from, ngram_scores_from, pair_counts
from nlpmetrics.metrics.rouge._tokens import (
    EnglishTokenizer,
    SacrebleuTokenizer,
    make_tokenizer,
    rouge_sentences,
    split_sentences,
)
from nlpmetrics.metrics.text import check_text_inputs, normalize_lang, reference_counts_column
from nlpmetrics.options import Option, check_bool
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows

DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_NGRAM_TYPE = re.compile(r"rouge([1-9])$")
LANGS = ("en", "ja", "zh", "ko")
_FIELDS = ("precision", "recall", "fmeasure")


def _check_rouge_types(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError("rouge_types must be a non-empty list such as ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']")
    types = tuple(value)
    for rouge_type in types:
        known = isinstance(rouge_type, str) and (_NGRAM_TYPE.match(rouge_type) or rouge_type in ("rougeL", "rougeLsum"))
        if not known:
            raise ValueError(f"{rouge_type!r} is not a ROUGE type; use 'rouge1'..'rouge9', 'rougeL' or 'rougeLsum'")
    if len(set(types)) != len(types):
        raise ValueError("rouge_types lists a type twice")
    return types


def _check_rouge_lang(value: Any) -> str:
    lang = normalize_lang(value)
    if lang not in LANGS:
        raise ValueError(
            f"ROUGE has tokenizers for English, Japanese, Chinese and Korean, not {lang!r}; choose one of "
            f"{', '.join(repr(x) for x in LANGS)} ('en' keeps only the letters a-z, like rouge-score)"
        )
    return lang


class RougeWarning(NlpmetricsWarning):
    """A ROUGE score that is probably not what the caller meant.

    Codes: ``"lost_words"`` (the English tokenizer deleted every word of some
    texts), ``"letters_deleted"`` (it deleted some letters), and
    ``"lsum_without_newlines"`` (no sentence breaks, so rougeLsum equals rougeL).
    """


@register
class Rouge(Metric):
    """ROUGE-N, ROUGE-L and summary-level ROUGE-Lsum F-measures (``rouge_score.rouge_scorer.RougeScorer``)."""

    name = "rouge"
    options: ClassVar[Mapping[str, Option]] = {
        "rouge_types": Option(DEFAULT_TYPES, check=_check_rouge_types,
                              doc="ROUGE types to compute: rouge1..rouge9, rougeL, rougeLsum"),
        "use_stemmer": Option(False, check=check_bool,
                              doc="Porter-stem English words longer than 3 letters (rouge-score's use_stemmer)"),
        "lang": Option("en", check=_check_rouge_lang,
                       doc="text language: 'en' uses rouge-score's tokenizer; 'ja'/'zh'/'ko' sacrebleu's"),
        "split_sentences": Option(False, check=check_bool,
                                  doc="for rougeLsum, split sentences at .!? and 。！？ as well as at newlines"),
    }
    score_keys = DEFAULT_TYPES
    input_kind = "text"
    auto_select = ("rouge",)
    reduction = "sum"
    reference_modules = ("rouge_score", "nltk", "sacrebleu")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.config["rouge_types"] = tuple(self.config["rouge_types"])
        if self.config["use_stemmer"] and self.config["lang"] != "en":
            raise InputError(
                f"option use_stemmer=True is not valid for metric 'rouge' with lang={self.config['lang']!r}: "
                "the Porter stemmer is for English words only; drop use_stemmer for this language"
            )
        self.score_keys = self.config["rouge_types"]
        self._tokenizer: EnglishTokenizer | SacrebleuTokenizer | None = None

    @property
    def tokenizer(self) -> EnglishTokenizer | SacrebleuTokenizer:
        """The tokenizer for ``lang`` (made on first use; it may load MeCab)."""
        if self._tokenizer is None:
            self._tokenizer = make_tokenizer(self.config["lang"], self.config["use_stemmer"])
        return self._tokenizer

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the tokenizer (MeCab objects do not pickle; it is rebuilt on use)."""
        state = dict(self.__dict__)
        state["_tokenizer"] = None  # MeCab objects do not pickle; rebuilt on use
        return state

    @property
    def tokenizer_name(self) -> str:
        """The tokenizer the texts go through: sacrebleu's for ``lang`` ja/zh/ko, else rouge-score's."""
        from nlpmetrics.metrics.text import tokenizer_for_lang

        return tokenizer_for_lang(self.config["lang"]) or "rouge-score-default"

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the tokenizer used, which decides the numbers."""
        return {"tokenizer": self.tokenizer_name}

    # ------------------------------------------------------------------ inputs
    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[list[str], list[list[str]]]:
        """Check the predictions (one string each) and the references (one or more strings each)."""
        return check_text_inputs(predictions, references)

    # ------------------------------------------------------------------ statistics
    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Return each example's precision, recall and F-measure of every ROUGE type (best reference by F)."""
        types = self.config["rouge_types"]
        n_refs = reference_counts_column(references)
        flat_refs = [text for group in references for text in group]
        pair_pred = np.repeat(np.arange(len(predictions)), n_refs)

        texts = predictions + flat_refs
        lsum = "rougeLsum" in types
        breaks = lsum and (self.config["split_sentences"] or "\n" in "".join(texts))
        sentences = None
        tokenizer = self.tokenizer
        if breaks and self.config["lang"] == "en" and isinstance(tokenizer, EnglishTokenizer):
            # one tokenization, by lines: texts and sentences
            everything, sentences = tokenizer.encode_lines(self._sentence_texts(texts))
        else:
            everything = tokenizer.encode_many(texts)
        pred_batch, ref_batch = everything.split(len(predictions))
        self._warn_lost_words(predictions, flat_refs, everything.lengths, n_refs)
        pairs_pred = pred_batch.take(pair_pred) if len(flat_refs) != len(predictions) else pred_batch
        orders = {t: int(m.group(1)) for t in types if (m := _NGRAM_TYPE.match(t))}
        want_lcs = "rougeL" in types or lsum
        matches, lcs = pair_counts(pairs_pred, ref_batch, sorted(set(orders.values())), want_lcs)
        scores: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
            t: ngram_scores_from(matches[n], pairs_pred, ref_batch, n) for t, n in orders.items()
        }
        if lcs is not None:
            scores["rougeL"] = lcs_scores_from(lcs, pairs_pred, ref_batch)
        if lsum:
            scores["rougeLsum"] = self._summary_scores(texts, pair_pred, scores["rougeL"], breaks, sentences)
        return Rows(self._best_reference_rows(types, scores, n_refs))

    def _sentence_texts(self, texts: list[str]) -> list[str]:
        """Return the texts whose lines are rougeLsum's sentences (with ``split_sentences``, split first)."""
        if self.config["split_sentences"]:
            return [split_sentences(text) for text in texts]
        return texts

    def _summary_scores(
        self, texts: list[str], pair_pred: np.ndarray, lcs: tuple[np.ndarray, np.ndarray, np.ndarray],
        breaks: bool, sentences: Sentences | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the rougeLsum of each pair: rougeL where both sides are one sentence, else the summary-level LCS.

        ``texts`` are the predictions, then every reference (pair ``k``'s is
        ``texts[len(predictions) + k]``); ``sentences`` their sentences when
        they came with the tokenization (English), else ``None``.
        """
        precision, recall, f = (column.copy() for column in lcs)
        if not breaks:
            warnings.warn(RougeWarning(
                "rouge: no prediction or reference contains a newline, so rougeLsum (which scores sentence by "
                "sentence, with sentences separated by newlines) equals rougeL here; put each sentence on its "
                "own line, or pass split_sentences=True to split at .!? and 。！？",
                code="lsum_without_newlines"), stacklevel=4)
            return precision, recall, f
        n_pred = len(texts) - pair_pred.size
        if sentences is None:
            general, sentences = self._tokenized_sentences(texts, pair_pred)
        else:
            # One sentence a side (or none): the summary-level LCS is the LCS, rougeLsum is rougeL exactly.
            general = np.flatnonzero((sentences.count[pair_pred] > 1) | (sentences.count[n_pred:] > 1))
        if general.size:
            ref_text, pred_text = n_pred + general, pair_pred[general]
            scores = summary_level_scores(sentences.batch, sentences.first[ref_text], sentences.count[ref_text],
                                          sentences.first[pred_text], sentences.count[pred_text])
            for column, values in zip((precision, recall, f), scores, strict=True):
                column[general] = values
        return precision, recall, f

    def _tokenized_sentences(self, texts: list[str], pair_pred: np.ndarray) -> tuple[np.ndarray, Sentences]:
        """Return the pairs that need the summary-level LCS, and the sentences of their texts, each tokenized alone.

        For a tokenizer that may read a sentence differently inside its text
        (MeCab), a text is one sentence only when it has no newline and
        ``split_sentences`` left it as it was; the others are tokenized line by line.
        """
        n_pred = len(texts) - pair_pred.size
        split = self._sentence_texts(texts)
        simple = np.fromiter((("\n" not in text and text == original) for text, original in zip(split, texts,
                             strict=True)), dtype=bool, count=len(texts))
        general = np.flatnonzero(~(simple[pair_pred] & simple[n_pred:]))
        needed = np.zeros(len(texts), dtype=bool)
        needed[pair_pred[general]] = True
        needed[n_pred + general] = True
        lines = [rouge_sentences(text) if need else [] for text, need in zip(split, needed.tolist(), strict=True)]
        counts = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        batch = self.tokenizer.encode_many([line for group in lines for line in group])
        return general, Sentences.from_lengths(batch.lengths, counts, batch.ids)

    def _warn_lost_words(
        self, predictions: list[str], references: list[str], lengths: np.ndarray, n_refs: np.ndarray
    ) -> None:
        """Warn once when the English tokenizer deletes the words of some texts (e.g. Japanese)."""
        if self.config["lang"] != "en":
            return
        if "".join(predictions).isascii() and "".join(references).isascii():
            return
        lost: list[str] = []
        partly: list[str] = []
        pred_lengths, ref_lengths = lengths[: len(predictions)].tolist(), lengths[len(predictions):].tolist()
        example = np.repeat(np.arange(n_refs.size), n_refs)
        within = np.arange(example.size) - np.repeat(np.cumsum(n_refs) - n_refs, n_refs)
        several = bool((n_refs > 1).any())
        sides = (("predictions", predictions, pred_lengths), ("references", references, ref_lengths))
        for arg, values, counts in sides:
            for index, (text, found) in enumerate(zip(values, counts, strict=True)):
                if text.isascii():
                    continue
                if any(ch.isalnum() and not ch.isascii() for ch in text):
                    where = f"[{index}]"
                    if arg == "references" and several:
                        where = f"[{example[index]}][{within[index]}]"
                    (partly if found else lost).append(f"{arg}{where}")
        if lost:
            warnings.warn(RougeWarning(
                f"rouge: {len(lost)} text(s) lost every word to the English tokenizer, which keeps only a-z and "
                f"0-9 (first: {lost[0]}), so they score 0; for Japanese, Chinese or Korean pass lang='ja', "
                "'zh' or 'ko'", code="lost_words"), stacklevel=4)
        elif partly:
            warnings.warn(RougeWarning(
                f"rouge: {len(partly)} text(s) contain letters outside a-z (first: {partly[0]}) that the English "
                "tokenizer deletes (as rouge-score does: 'café' is scored as 'caf'); pass lang='ja', 'zh' or "
                "'ko' for those scripts", code="letters_deleted"), stacklevel=4)

    @staticmethod
    def _best_reference_rows(
        types: Sequence[str], scores: Mapping[str, tuple[np.ndarray, ...]], n_refs: np.ndarray
    ) -> Rows:
        """Per example and type, the first reference with the highest F-measure (rouge-score's ``score_multi``)."""
        rows = Rows()
        if bool((n_refs == 1).all()):
            for rouge_type in types:
                for field, column in zip(_FIELDS, scores[rouge_type], strict=True):
                    rows[f"{rouge_type}_{field}"] = np.asarray(column, dtype=np.float64)
            return rows
        starts = np.cumsum(n_refs) - n_refs
        pair_index = np.arange(int(n_refs.sum()))
        for rouge_type in types:
            precision, recall, f = scores[rouge_type]
            best = np.maximum.reduceat(f, starts)
            best_pairs = np.where(f == np.repeat(best, n_refs), pair_index, pair_index.size)
            first_best = np.minimum.reduceat(best_pairs, starts)
            for field, column in zip(_FIELDS, (precision, recall, f), strict=True):
                rows[f"{rouge_type}_{field}"] = np.asarray(column, dtype=np.float64)[first_best]
        return rows

    # ------------------------------------------------------------------ scores
    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Mean F-measure per type (the default reduction summed every column)."""
        return {t: summary[f"{t}_fmeasure"] / summary["n"] for t in self.config["rouge_types"]}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the mean precision, recall and F-measure of every ROUGE type, and the tokenizer."""
        types = self.config["rouge_types"]
        n = summary["n"]
        details: dict[str, Any] = {
            "precision": {t: float(summary[f"{t}_precision"] / n) for t in types},
            "recall": {t: float(summary[f"{t}_recall"] / n) for t in types},
            "fmeasure": {t: float(summary[f"{t}_fmeasure"] / n) for t in types},
            "tokenizer": self.tokenizer_name,
        }
        for t in types:
            details[f"{t}_precision"] = details["precision"][t]
            details[f"{t}_recall"] = details["recall"][t]
        main = types[0]
        details["main_type"] = main
        details["main_precision"] = details["precision"][main]
        details["main_recall"] = details["recall"][main]
        return details

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each example's F-measure of every ROUGE type."""
        return {t: rows[f"{t}_fmeasure"] for t in self.config["rouge_types"]}


__all__ = ["Rouge", "RougeWarning"]
