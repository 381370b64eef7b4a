"""Entity-level NER scores (``seqeval``): identical to ``seqeval.metrics``, vectorised.

An entity counts as found only when its type and its exact span match.  The
metric reimplements seqeval's two entity extractors:

* default mode (``mode=None``), ``seqeval.metrics.sequence_labeling.get_entities``:
  conlleval-compatible, lenient (``I-PER I-PER`` is one PER entity);
* ``mode="strict"`` with a ``scheme``, ``seqeval.scheme.Tokens.entities``:
  only spans the scheme allows (``I-PER I-PER`` is no entity in IOB2).

Both are rewritten as local rules over (previous tag, tag) pairs evaluated for
every token at once with numpy (see :func:`default_spans` and
:func:`strict_spans` for why that is exact), so scoring does not call seqeval
(which imports scikit-learn, a slow import) and is more than 10x faster.

Rows hold, per sentence, the number of gold (``true:T``), predicted
(``pred:T``) and correct (``correct:T``) entities of each type ``T``, plus
token counts for token accuracy: streaming, merging and bootstrap over
sentences are exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.errors import InputError
from nlpmetrics.metrics._prf import masked_average, nanaverage, prf_divide
from nlpmetrics.metrics.sequence_labeling.schemes import (
    OUTSIDE,
    PREFIX_CODE,
    SCHEMES,
    default_spans,
    first_position,
    parse_tag,
    strict_spans,
    tag_problem,
)
from nlpmetrics.options import Option, check_bool, check_ignore_index, check_zero_division
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import a_type


@register
class SeqEval(Metric):
    """Entity-level precision, recall and F1 for NER, identical to ``seqeval.metrics``."""

    name = "seqeval"
    options: ClassVar[Mapping[str, Option]] = {
        "average": Option("micro", choices=("micro", "macro", "weighted"),
                          doc="how per-type scores combine: over all entities, mean of types, or support-weighted"),
        "mode": Option(None, choices=(None, "strict"),
                       doc="None: conlleval-compatible (lenient); 'strict': only spans the scheme allows"),
        "scheme": Option(None, choices=(None, *SCHEMES),
                         doc="tagging scheme for mode='strict': " + ", ".join(SCHEMES)),
        "zero_division": Option(0.0, check=check_zero_division,
                                doc="value of a score whose denominator is 0: 0.0, 1.0 or nan"),
        "suffix": Option(False, check=check_bool,
                         doc="True: tags put the prefix last ('PER-B'); False: first ('B-PER')"),
        "ignore_index": Option(None, check=check_ignore_index,
                               doc="drop, sentence by sentence, the positions whose reference is this value first "
                                   "(-100: the Transformers label of padding and sub-word positions)"),
    }
    #: F1 first: it is the headline number of NER (the main score of results and intervals).
    score_keys = ("f1", "precision", "recall")
    input_kind = "tags"
    auto_select = ("seqeval",)
    reduction = "sum"
    reference_modules = ("seqeval",)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        mode, scheme = self.config["mode"], self.config["scheme"]
        if mode == "strict" and scheme is None:
            raise InputError(
                "metric 'seqeval' with mode='strict' needs scheme= to say which spans are valid; "
                f"choose one of {', '.join(SCHEMES)} (e.g. scheme='IOB2' for B-/I-/O tags)"
            )
        if scheme is not None and mode != "strict":
            raise InputError(
                f"metric 'seqeval': scheme={scheme!r} only applies with mode='strict' (seqeval ignores it "
                "otherwise); pass mode='strict' too, or drop scheme for the default conlleval mode"
            )

    @property
    def _strict_scheme(self) -> str | None:
        return self.config["scheme"] if self.config["mode"] == "strict" else None

    # ------------------------------------------------------------------ inputs
    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[list, list]:
        """Both sides as lists of tag lists, equal length per sentence, every tag scorable."""
        predictions = _sentences(predictions, "predictions")
        references = _sentences(references, "references")
        for index, (pred, ref) in enumerate(zip(predictions, references, strict=True)):
            if len(pred) != len(ref):
                raise InputError(
                    f"sentence {index}: predictions[{index}] has {len(pred)} tags but references[{index}] has "
                    f"{len(ref)}; every sentence needs one predicted tag per gold tag",
                    argument="predictions", index=index,
                    detail=f"has {len(pred)} tags but the reference has {len(ref)}; every sentence needs one "
                           "predicted tag per gold tag",
                )
        if self.config["ignore_index"] is not None:
            return _drop_ignored(predictions, references, self.config["ignore_index"])
        return predictions, references

    # ------------------------------------------------------------------ statistics
    def statistics(self, predictions: list, references: list) -> Rows:
        """Per sentence: gold, predicted and correct entities of each type, and token counts."""
        n = len(predictions)
        lengths = np.fromiter(map(len, references), dtype=np.int64, count=n)
        total = int(lengths.sum())
        vocabulary = _vocabulary(predictions, references)
        prefix_of, type_of, type_names = self._parse_vocabulary(vocabulary, predictions, references)
        outside_type = type_names.setdefault("_", len(type_names))

        # One flat sequence per side with an "O" after every sentence (as seqeval flattens):
        # entities never cross sentences and the per-sentence rules hold unchanged.
        sentence_of_token = np.repeat(np.arange(n), lengths)
        token_slots = np.arange(total) + sentence_of_token
        slot_sentence = np.repeat(np.arange(n), lengths + 1)
        pred_codes = _codes(predictions, vocabulary, total)
        ref_codes = _codes(references, vocabulary, total)

        def entities(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            prefix = np.full(total + n, OUTSIDE, dtype=np.intp)
            etype = np.full(total + n, outside_type, dtype=np.intp)
            prefix[token_slots] = prefix_of[codes]
            etype[token_slots] = type_of[codes]
            starts, ends = self._spans(prefix, etype, outside_type)
            return starts, ends, etype[starts]

        pred_start, pred_end, pred_type = entities(pred_codes)
        true_start, true_end, true_type = entities(ref_codes)
        correct = _matches((pred_start, pred_end, pred_type), (true_start, true_end, true_type), total + n)

        n_types = len(type_names)
        counts = {
            "true": _per_sentence(slot_sentence[true_start], true_type, n, n_types),
            "pred": _per_sentence(slot_sentence[pred_start], pred_type, n, n_types),
            "correct": _per_sentence(slot_sentence[pred_start[correct]], pred_type[correct], n, n_types),
        }
        columns: dict[str, np.ndarray] = {}
        for name, code in type_names.items():
            if counts["true"][:, code].any() or counts["pred"][:, code].any():
                for kind, table in counts.items():
                    columns[f"{kind}:{name}"] = table[:, code].astype(np.int32)
        columns["tokens"] = lengths
        correct_tokens = np.bincount(sentence_of_token, weights=pred_codes == ref_codes, minlength=n)
        columns["correct_tokens"] = correct_tokens.astype(np.int64)
        return Rows(columns)

    def _spans(self, prefix: np.ndarray, etype: np.ndarray, outside_type: int) -> tuple[np.ndarray, np.ndarray]:
        scheme = self._strict_scheme
        if scheme is None:
            return default_spans(prefix, etype, outside_type)
        return strict_spans(prefix, etype, outside_type, scheme)

    def _parse_vocabulary(self, vocabulary: dict, predictions: list, references: list):
        """Prefix and type codes of every distinct tag; a malformed tag raises naming where it is."""
        scheme, suffix = self._strict_scheme, self.config["suffix"]
        prefix_of = np.empty(len(vocabulary), dtype=np.intp)
        type_of = np.empty(len(vocabulary), dtype=np.intp)
        type_names: dict[str, int] = {}
        for tag, code in vocabulary.items():
            problem = tag_problem(tag, scheme=scheme, suffix=suffix)
            if problem is not None:
                for arg, sentences in (("predictions", predictions), ("references", references)):
                    if any(tag in s for s in sentences):
                        i, j = first_position(sentences, tag)
                        raise InputError(f"{arg}[{i}][{j}] (sentence {i}, position {j}): tag {tag!r} {problem}",
                                         argument=arg, index=(i, j), detail=f"{tag!r} {problem}")
            parsed = parse_tag(tag, strict=scheme is not None, suffix=suffix)
            if parsed is None:  # tag_problem found nothing, so the tag parses
                raise AssertionError(f"{tag!r} passed the checks but does not parse")
            prefix, entity_type = parsed
            prefix_of[code] = PREFIX_CODE[prefix]
            type_of[code] = type_names.setdefault(entity_type, len(type_names))
        return prefix_of, type_of, type_names

    # ------------------------------------------------------------------ scores
    def type_counts(self, summary: Mapping[str, Any]):
        """Entity types in seqeval's order with their correct, predicted and gold counts.

        Types with no gold and no predicted entity among the rows that count
        are left out, as seqeval would on that (resampled) corpus.
        """
        names = sorted(key[5:] for key in summary if key.startswith("true:"))
        if not names:
            empty = np.zeros(0)
            return [], empty, empty, empty
        correct = np.array([summary[f"correct:{t}"] for t in names], dtype=np.float64)
        predicted = np.array([summary[f"pred:{t}"] for t in names], dtype=np.float64)
        true = np.array([summary[f"true:{t}"] for t in names], dtype=np.float64)
        present = (true + predicted) > 0
        if not present.all():
            names = [t for t, keep in zip(names, present, strict=True) if keep]
            correct, predicted, true = correct[present], predicted[present], true[present]
        return names, correct, predicted, true

    def scores_from_counts(self, correct, predicted, true) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-type precision, recall and F1 exactly as seqeval divides (F1 from P and R)."""
        zero = self.config["zero_division"]
        precision = prf_divide(correct, predicted, zero)
        recall = prf_divide(correct, true, zero)
        if math.isnan(zero):
            defined = ~(np.isnan(precision) | np.isnan(recall))
            p, r = np.where(defined, precision, 0.0), np.where(defined, recall, 0.0)
        else:
            defined, p, r = np.ones(precision.shape, dtype=bool), precision, recall
        denominator = p + r
        denominator[denominator == 0.0] = 1.0
        f1 = 2.0 * p * r / denominator
        # Under zero_division=nan, F1 is undefined only where nothing was gold or predicted.
        f1 = np.where(defined | ((true + predicted) > 0), f1, math.nan)
        return precision, recall, f1

    def averaged(self, average: str, correct, predicted, true) -> dict[str, float]:
        """Micro, macro or weighted precision/recall/F1 (seqeval's ``precision_recall_fscore_support``)."""
        zero = self.config["zero_division"]
        if average == "micro":
            correct, predicted, true = (np.array([x.sum()], dtype=np.float64) for x in (correct, predicted, true))
        if average == "weighted" and true.sum() == 0:
            no_predictions = predicted.sum() == 0
            return {"f1": zero if no_predictions else 0.0, "precision": zero if no_predictions else 0.0,
                    "recall": zero}
        precision, recall, f1 = self.scores_from_counts(correct, predicted, true)
        weights = true if average == "weighted" else None
        return {"f1": nanaverage(f1, weights), "precision": nanaverage(precision, weights),
                "recall": nanaverage(recall, weights)}

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return precision, recall and F1 under ``average`` (a batch of summaries scored at once)."""
        if np.ndim(summary["n"]) == 0:
            _, correct, predicted, true = self.type_counts(summary)
            return self.averaged(self.config["average"], correct, predicted, true)
        return self._batched_scores(summary)

    def _batched_scores(self, summary: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Precision, recall and F1 of every resample at once (each count of shape (resamples,)).

        A type takes part in a resample when it has a gold or a predicted
        entity there, as seqeval would see the resampled corpus.
        """
        names = sorted(key[5:] for key in summary if key.startswith("true:"))
        shape = (len(summary["n"]), len(names))
        correct, predicted, true = (
            np.stack([np.asarray(summary[f"{kind}:{t}"], dtype=np.float64) for t in names], axis=1)
            if names else np.zeros(shape)
            for kind in ("correct", "pred", "true")
        )
        scored = (true + predicted) > 0
        average, zero = self.config["average"], self.config["zero_division"]
        if average == "micro":
            correct, predicted, true = (np.where(scored, x, 0.0).sum(axis=1, keepdims=True)
                                        for x in (correct, predicted, true))
            scored = np.ones(correct.shape, dtype=bool)
        precision, recall, f1 = self.scores_from_counts(correct, predicted, true)
        weights = true if average == "weighted" else None
        out = {"f1": masked_average(f1, scored, weights), "precision": masked_average(precision, scored, weights),
               "recall": masked_average(recall, scored, weights)}
        if average == "weighted":
            no_gold = np.where(scored, true, 0.0).sum(axis=1) == 0
            no_predictions = np.where(scored, predicted, 0.0).sum(axis=1) == 0
            for key in ("f1", "precision"):
                out[key] = np.where(no_gold, np.where(no_predictions, zero, 0.0), out[key])
            out["recall"] = np.where(no_gold, zero, out["recall"])
        return out

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return a table like seqeval's ``classification_report``, token accuracy, and counts for explanations."""
        names, correct, predicted, true = self.type_counts(summary)
        precision, recall, f1 = self.scores_from_counts(correct, predicted, true)
        support = int(true.sum())
        averages = {}
        for average in ("micro", "macro", "weighted"):
            averages[average] = {**self.averaged(average, correct, predicted, true), "support": support}
        tokens = int(summary["tokens"])
        correct_tokens = int(summary["correct_tokens"])
        return {
            "average": self.config["average"],
            "mode": self.config["mode"] or "default",
            "scheme": self.config["scheme"] or "",
            "correct_entities": int(correct.sum()),
            "true_entities": support,
            "predicted_entities": int(predicted.sum()),
            "missed_entities": support - int(correct.sum()),
            "wrong_entities": int(predicted.sum()) - int(correct.sum()),
            "n_types": len(names),
            "tokens": tokens,
            "correct_tokens": correct_tokens,
            "token_accuracy": correct_tokens / tokens if tokens else math.nan,
            "per_type": {
                "type": names,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": true.astype(np.int64),
            },
            "averages": averages,
        }

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per sentence: entity F1 over all types; NaN for a sentence with no gold and no predicted entity.

        Such a sentence has nothing to score (0 would rank it among the worst
        and 1 would flatter the mean), so reports list it last.
        """
        totals = {kind: np.zeros(rows["tokens"].shape[0]) for kind in ("correct", "pred", "true")}
        for key, column in rows.items():
            kind = key.partition(":")[0]
            if kind in totals and ":" in key:
                totals[kind] += column
        entities = totals["true"] + totals["pred"]
        safe = np.where(entities == 0, 1.0, entities)
        return {"f1": np.where(entities == 0, math.nan, 2.0 * totals["correct"] / safe)}

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return how entities are read (strict or conlleval), which decides the numbers."""
        return {"entities": "strict" if self.config["mode"] == "strict" else "conlleval"}


def classification_report(result) -> dict[str, dict[str, float]]:
    """Return a seqeval result's details in the shape of ``seqeval.metrics.classification_report(output_dict=True)``."""
    details = result.details
    table = details["per_type"]
    report = {}
    for i, name in enumerate(table["type"]):
        report[name] = {"precision": float(table["precision"][i]), "recall": float(table["recall"][i]),
                        "f1-score": float(table["f1"][i]), "support": int(table["support"][i])}
    for average, values in details["averages"].items():
        report[f"{average} avg"] = {"precision": values["precision"], "recall": values["recall"],
                                    "f1-score": values["f1"], "support": values["support"]}
    return report


# --------------------------------------------------------------------------- helpers
def _sentences(value: Sequence, arg: str) -> list:
    """Return the sentences of one side as lists of tags; a flat list of tags raises with the fix."""
    if set(map(type, value)) <= {list, tuple}:
        return list(value)
    out = []
    for index, sentence in enumerate(value):
        if isinstance(sentence, str):
            raise InputError(argument=arg, index=index, detail=(
                f"is a single tag ({sentence!r}); seqeval takes one list of tags per sentence: "
                f"wrap a single sentence as [[...]] (e.g. {arg}=[['B-PER', 'I-PER', 'O']])"))
        if isinstance(sentence, np.ndarray):
            sentence = sentence.tolist()
        if not isinstance(sentence, (list, tuple)):
            what = "None" if sentence is None else a_type(sentence)
            raise InputError(argument=arg, index=index, detail=f"is {what}; pass one list of tags per sentence")
        out.append(sentence)
    return out


def _drop_ignored(predictions: list, references: list, ignore_index: Any) -> tuple[list, list]:
    """Each sentence without the positions whose reference is ``ignore_index`` (new lists; the others as they are)."""
    kept_predictions, kept_references = [], []
    for pred, ref in zip(predictions, references, strict=True):
        keep = [not _is_ignored(tag, ignore_index) for tag in ref]
        if all(keep):
            kept_predictions.append(pred)
            kept_references.append(ref)
            continue
        kept_predictions.append([tag for tag, k in zip(pred, keep, strict=True) if k])
        kept_references.append([tag for tag, k in zip(ref, keep, strict=True) if k])
    return kept_predictions, kept_references


def _is_ignored(tag: Any, ignore_index: Any) -> bool:
    """Whether a reference tag is the ignored value (text never equals a number; ``-100`` equals ``-100.0``)."""
    if isinstance(tag, str) != isinstance(ignore_index, str):
        return False
    try:
        return bool(tag == ignore_index)
    except (TypeError, ValueError):
        return False


def _vocabulary(predictions: list, references: list) -> dict:
    """Code of every distinct tag of both sides; an unhashable tag (a nested list) raises naming where it is."""
    try:
        tags = dict.fromkeys(chain(chain.from_iterable(predictions), chain.from_iterable(references)))
    except TypeError:
        for arg, sentences in (("predictions", predictions), ("references", references)):
            for i, sentence in enumerate(sentences):
                for j, tag in enumerate(sentence):
                    if not isinstance(tag, str):
                        raise InputError(
                            f"{arg}[{i}][{j}] (sentence {i}, position {j}) is {a_type(tag)}, not a tag "
                            "string; pass one flat list of tags per sentence",
                            argument=arg, index=(i, j),
                            detail=f"is {a_type(tag)}, not a tag string; pass one flat list of tags per sentence",
                        ) from None
        raise
    return {tag: code for code, tag in enumerate(tags)}


def _codes(sentences: list, vocabulary: dict, total: int) -> np.ndarray:
    return np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(sentences)), dtype=np.intp, count=total)


def _matches(predicted: tuple, gold: tuple, size: int) -> np.ndarray:
    """Which predicted (start, end, type) entities are gold entities too.

    Entities of one side never share a start, so a lookup by start position is exact.
    """
    pred_start, pred_end, pred_type = predicted
    gold_start, gold_end, gold_type = gold
    end_at = np.full(size, -1, dtype=np.int64)
    type_at = np.full(size, -1, dtype=np.int64)
    end_at[gold_start] = gold_end
    type_at[gold_start] = gold_type
    return (end_at[pred_start] == pred_end) & (type_at[pred_start] == pred_type)


def _per_sentence(sentence: np.ndarray, entity_type: np.ndarray, n: int, n_types: int) -> np.ndarray:
    return np.bincount(sentence * n_types + entity_type, minlength=n * n_types).reshape(n, n_types)
