"""``Trainer(compute_metrics=...)`` for Hugging Face Transformers, built on a metric collection.

>>> from nlpmetrics.integrations.transformers import compute_metrics
>>> trainer = Trainer(model=model, args=args, eval_dataset=dev,
...                   compute_metrics=compute_metrics(["accuracy", "f1_macro"]))  # doctest: +SKIP
>>> trainer.evaluate()  # {"eval_accuracy": ..., "eval_f1_macro": ..., ...}  # doctest: +SKIP

What the Trainer hands over depends on the task, and each metric reads what
its ``input_kind`` says:

* labels (``accuracy``, ``f1``...): logits become labels by ``argmax(-1)``;
  for token classification both sides are flattened and the ``-100``
  positions (padding, sub-words) dropped; multi-label logits whose shape is
  the labels' become 0/1 decisions (logit > 0, i.e. probability > 0.5);
* tags (``seqeval``): ``argmax(-1)``, the ``-100`` positions dropped sentence by
  sentence, ids mapped to tags with ``id2label``;
* text (``rouge``, ``bleu``, ``chrf``, ``ter``, ``bertscore``; ``exact_match``
  when given token ids): generated token ids (``Seq2SeqTrainer`` with
  ``predict_with_generate=True``) and labels are decoded with the tokenizer,
  the ``-100`` padding restored to the pad token first;
* numbers (``pearson``, ``spearman``): a ``(n, 1)`` regression output is flattened.

The callable returns the flat ``{name: float}`` dict the Trainer logs (it
prefixes ``eval_``) and keeps the last :class:`~nlpmetrics.result.Result`
objects in ``.results`` for reports.  Nothing here imports transformers or
torch: the Trainer's arrays are numpy, and the tokenizer is only called.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.arrays import to_numpy
from nlpmetrics.errors import InputError

if TYPE_CHECKING:
    from nlpmetrics.collection import MetricCollection
    from nlpmetrics.result import Result

__all__ = ["TrainerMetrics", "compute_metrics"]

#: The label of positions the Transformers data collators pad or mask (ignored by every loss and metric).
IGNORE = -100


def compute_metrics(
    metrics: Any,
    *,
    id2label: Mapping[int, str] | Sequence[str] | None = None,
    tokenizer: Any = None,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    **options: Any,
) -> TrainerMetrics:
    """Build a ``compute_metrics`` function for ``transformers.Trainer`` / ``Seq2SeqTrainer``.

    Parameters
    ----------
    metrics : list of str, mapping, or MetricCollection
        What :func:`nlpmetrics.load_many` takes (``["accuracy", "f1_macro"]``,
        ``["seqeval"]``, ``["rouge", "bleu"]``), or a collection made with it.
    id2label : mapping or sequence, optional
        Label id -> tag name, for ``seqeval`` (``model.config.id2label``).
    tokenizer : optional
        The tokenizer that decodes generated ids, for text metrics.
    confidence : float, optional
        Add bootstrap intervals; the flat dict then also holds
        ``<name>_ci_low`` and ``<name>_ci_high``.
    n_resamples, seed : int
        Bootstrap resamples and seed.
    **options
        Options for the metrics that declare them (``lang="ja"``), as in
        :func:`nlpmetrics.load_many`.

    Returns
    -------
    TrainerMetrics
        Call it with an ``EvalPrediction`` (or a ``(predictions, label_ids)``
        pair); it also supports ``TrainingArguments(batch_eval_metrics=True)``.
    """
    from nlpmetrics.collection import MetricCollection, load_many

    collection = metrics if isinstance(metrics, MetricCollection) else load_many(metrics, **options)
    if options and isinstance(metrics, MetricCollection):
        raise InputError("options go to nm.load_many(...); a collection given here keeps its own", argument="options")
    return TrainerMetrics(collection, id2label=id2label, tokenizer=tokenizer, confidence=confidence,
                          n_resamples=n_resamples, seed=seed)


class TrainerMetrics:
    """The callable :func:`compute_metrics` returns; ``results`` holds the last evaluation's Results.

    Attributes
    ----------
    collection : MetricCollection
        The metrics (their state holds the current evaluation only).
    results : dict of str to Result
        The last evaluation's results (empty before the first), for
        :func:`nlpmetrics.report` and ``Result.explain()``.
    """

    def __init__(self, collection: MetricCollection, *, id2label: Any = None, tokenizer: Any = None,
                 confidence: float | None = None, n_resamples: int = 1000, seed: int = 0) -> None:
        from nlpmetrics.collection import MetricCollection
        from nlpmetrics.resampling import check_resampling

        check_resampling(confidence, n_resamples, seed)
        self.collection = collection
        self.id2label = _id2label(id2label)
        self.tokenizer = tokenizer
        self.confidence, self.n_resamples, self.seed = confidence, n_resamples, seed
        self.results: dict[str, Result] = {}
        kinds: dict[str, dict[str, Any]] = {}
        for key, metric in collection.items():
            kinds.setdefault(metric.input_kind, {})[key] = metric
        #: One sub-collection per input kind: each gets the batch converted for what its metrics read.
        self._by_kind = {kind: MetricCollection(members) for kind, members in kinds.items()}
        if "tags" in self._by_kind and self.id2label is None:
            raise InputError(f"metrics that score tag sequences ({', '.join(self._by_kind['tags'])}) read tag names: "
                             "pass id2label=model.config.id2label to compute_metrics", argument="id2label")

    def __call__(self, eval_pred: Any, compute_result: bool | None = None) -> dict[str, float]:
        """Score an ``EvalPrediction``: the whole evaluation set, or a batch with ``batch_eval_metrics=True``.

        With ``compute_result`` (the Trainer passes it when
        ``batch_eval_metrics=True``) each call adds a batch, and the last one
        (``compute_result=True``) returns the scores and starts afresh.
        """
        predictions, labels = _unpack(eval_pred)
        if compute_result is None:
            self.collection.reset()
        self.update(predictions, labels)
        if compute_result is False:
            return {}
        try:
            return self.compute()
        finally:
            self.collection.reset()

    def update(self, predictions: Any, labels: Any) -> None:
        """Convert one batch (or the whole set) for each kind of metric and add it."""
        converted = [(collection, self._convert(kind, predictions, labels))
                     for kind, collection in self._by_kind.items()]  # every conversion before any metric keeps data
        rows = [(collection, collection.rows_for(predictions=p, references=r)) for collection, (p, r) in converted]
        for collection, batch_rows in rows:
            collection.add_rows(batch_rows)

    def compute(self) -> dict[str, float]:
        """Score what was added: keep the Results in ``results`` and return the flat dict the Trainer logs."""
        results = self.collection.compute(confidence=self.confidence, n_resamples=self.n_resamples, seed=self.seed)
        self.results = results
        return flat_scores(results)

    # ------------------------------------------------------------------ conversions
    def _convert(self, kind: str, predictions: Any, labels: Any) -> tuple[Any, Any]:
        if kind == "labels":
            return _labels(predictions, labels)
        if kind == "tags":
            return _tags(predictions, labels, self.id2label)
        if kind == "numbers":
            return _numbers(predictions), _numbers(labels)
        if kind in ("text", "answers") and _is_numeric(predictions):
            return self._decode(predictions, "predictions"), self._decode(labels, "label_ids")
        return predictions, labels

    def _decode(self, ids: Any, arg: str) -> list[str]:
        if self.tokenizer is None:
            raise InputError(f"the {arg} are token ids: pass tokenizer=... to compute_metrics to decode them",
                             argument="tokenizer")
        array = _first_array(ids)
        if array.ndim != 2 or array.dtype.kind not in "iu":
            raise InputError(f"the {arg} (shape {array.shape}) are not generated token ids but scores: evaluate "
                             "with Seq2SeqTrainer and Seq2SeqTrainingArguments(predict_with_generate=True)",
                             argument="predictions")
        pad = getattr(self.tokenizer, "pad_token_id", None)
        if (array == IGNORE).any():
            if pad is None:
                raise InputError("the tokenizer has no pad token to put back where the Trainer wrote -100; set "
                                 "tokenizer.pad_token", argument="tokenizer")
            array = np.where(array == IGNORE, pad, array)
        texts = self.tokenizer.batch_decode(array.tolist(), skip_special_tokens=True)
        return [text.strip() for text in texts]


def flat_scores(results: Mapping[str, Result]) -> dict[str, float]:
    """``{name: float}`` of every score (and interval bound), the names unique across the metrics.

    A metric with one score is named by its key (``"f1_macro"``); one with
    several gives ``<key>_<score>`` (``"seqeval_f1"``), or the score alone when
    it already starts with the key (``"rouge1"`` for ``"rouge"``).
    """
    flat: dict[str, float] = {}
    for key, result in results.items():
        for score, value in result.scores.items():
            name = key if len(result.scores) == 1 else score if score.startswith(key) else f"{key}_{score}"
            if name in flat:
                raise InputError(f"two metrics give a score named {name!r}; name them apart in the metrics mapping",
                                 argument="metrics")
            flat[name] = float(value)
            if result.ci:
                low, high = result.ci[score]
                flat[f"{name}_ci_low"], flat[f"{name}_ci_high"] = float(low), float(high)
    return flat


# ----------------------------------------------------------------------------- what the Trainer hands over
def _unpack(eval_pred: Any) -> tuple[Any, Any]:
    """``(predictions, label_ids)`` of an ``EvalPrediction`` (by its attributes) or a pair."""
    if hasattr(eval_pred, "predictions") and hasattr(eval_pred, "label_ids"):
        return eval_pred.predictions, eval_pred.label_ids
    if isinstance(eval_pred, (tuple, list)) and len(eval_pred) >= 2:
        return eval_pred[0], eval_pred[1]
    raise InputError("compute_metrics takes the Trainer's EvalPrediction (or a (predictions, label_ids) pair), "
                     f"not {type(eval_pred).__name__}", argument="eval_pred")


def _first_array(value: Any) -> np.ndarray:
    """Return the main output as numpy: the first of a tuple of outputs (logits, hidden states...)."""
    while isinstance(value, tuple) and value:
        value = value[0]
    array = to_numpy(value)
    return np.asarray(value) if array is None else array


def _labels(predictions: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """Logits or ids as one label per example: argmax, tokens flattened without -100, or 0/1 multi-label rows.

    Label ids of shape ``(n, k)`` are multi-label when they are floats (what
    ``problem_type="multi_label_classification"`` trains on; logits become
    ``logit > 0``, i.e. probability > 0.5) and token labels otherwise.
    """
    pred, ref = _first_array(predictions), _first_array(labels)
    if pred.ndim == ref.ndim + 1:
        pred = pred.argmax(-1)
    if ref.ndim != 2:
        return pred, ref
    if pred.shape != ref.shape:
        raise InputError(f"predictions of shape {pred.shape} do not match label_ids of shape {ref.shape}",
                         argument="predictions")
    if ref.dtype.kind == "f":
        return (pred > 0).astype(np.int64) if pred.dtype.kind == "f" else pred, ref
    keep = ref != IGNORE  # token classification: every token that has a label is one example
    return pred[keep], ref[keep]


def _tags(predictions: Any, labels: Any, id2label: Mapping[int, str] | None) -> tuple[list, list]:
    """Per sentence: the tags of the positions whose label is not -100."""
    assert id2label is not None
    pred, ref = _first_array(predictions), _first_array(labels)
    if pred.ndim == ref.ndim + 1:
        pred = pred.argmax(-1)
    if pred.shape != ref.shape or ref.ndim != 2:
        raise InputError("metrics that score tag sequences need one predicted and one gold label id per token "
                         "(shape (sentences, tokens)); "
                         f"got predictions {pred.shape} and label_ids {ref.shape}", argument="predictions")

    def tag(label_id: int, arg: str) -> str:
        try:
            return id2label[label_id]
        except (KeyError, IndexError):
            raise InputError(f"{arg} holds the label id {label_id}, which id2label does not name",
                             argument=arg) from None

    out_pred, out_ref = [], []
    for sentence_pred, sentence_ref in zip(pred.tolist(), ref.tolist(), strict=True):
        kept = [(p, r) for p, r in zip(sentence_pred, sentence_ref, strict=True) if r != IGNORE]
        out_pred.append([tag(p, "predictions") for p, _ in kept])
        out_ref.append([tag(r, "label_ids") for _, r in kept])
    return out_pred, out_ref


def _numbers(values: Any) -> np.ndarray:
    array = _first_array(values)
    return array.reshape(-1) if array.ndim == 2 and array.shape[1] == 1 else array


def _is_numeric(values: Any) -> bool:
    """Whether the predictions are arrays of numbers (token ids, or logits) rather than texts."""
    while isinstance(values, tuple) and values:
        values = values[0]
    array = to_numpy(values)
    return array is not None and array.dtype.kind in "biuf"


def _id2label(value: Any) -> dict[int, str] | None:
    """``id2label`` as ``{int: str}`` (a config's dict may have string keys after a JSON round trip)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            return {int(k): str(v) for k, v in value.items()}
        except (TypeError, ValueError):
            raise InputError("id2label must map label ids (whole numbers) to tag names", argument="id2label") from None
    if isinstance(value, Sequence) and not isinstance(value, str):
        return dict(enumerate(map(str, value)))
    raise InputError(f"id2label must be a mapping or a list of tag names, not {type(value).__name__}",
                     argument="id2label")
