"""BERTScore: how far prediction and reference mean the same, word by word, in a language model's eyes.

bert-score 0.3.13's numbers (``bert_score.score``), computed on torch +
transformers directly: the model loads once per process and is reused, each
distinct text is encoded once, and batches are cut by a token budget that
suits the device.  The heavy work lives in
:mod:`nlpmetrics.metrics.bertscore.engine`, imported on first use, so this
module stays light.

Rows are the per-example precision, recall and F1 (already rescaled when
``rescale_with_baseline=True``); the corpus score is their mean.  With several
references an example takes, for each of P, R and F separately, its best
value over the references (bert-score's rule).

``idf=True`` weighs tokens by their rarity among the references *of the
batch scored* (as one ``bert_score.score`` call does): one-shot scoring is
exact, but several ``update`` calls or merged workers each use their own
references, so ``streams_exactly`` is False then.  For exact streaming or
distributed idf, count :func:`document_frequencies` over all references first
and pass ``idf=frequencies.idf()``; the Dask engine does this by itself
through :meth:`BERTScore.corpus_pass`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import CorpusPass, Metric
from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights, check_idf_option
from nlpmetrics.metrics.text import check_lang, normalize_lang
from nlpmetrics.options import Option, check_bool, check_optional_non_negative_int, check_positive_int
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import reference_texts, texts

__all__ = ["BERTScore", "DocumentFrequencies", "IdfWeights", "document_frequencies"]

_KEYS = ("precision", "recall", "f1")
#: The version bert-score 0.3.13 writes into its hash: its ``__version__`` string was left at 0.3.12.
_BERT_SCORE_HASH_VERSION = "0.3.12"


def _check_model(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("model must be a local folder or a Hugging Face model name, e.g. 'roberta-large'")
    return value


def _check_device(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"(cpu|cuda|mps|xpu)(:[0-9]+)?", value):
        raise ValueError("device must be None (a GPU when there is one), 'cpu', 'cuda', 'cuda:1', 'mps' or 'xpu'")
    return value


def _check_batch_size(value: Any) -> int | None:
    if value is None:
        return None
    return check_positive_int(value)


def document_frequencies(references: Sequence, *, model: str | os.PathLike | None = None,
                         lang: str = "en") -> DocumentFrequencies:
    """Count, per token id, how many reference texts contain it (the first pass of exact idf).

    Parameters
    ----------
    references : sequence of str or of lists of str
        Reference texts; with several references per example, each counts as
        one document (as in bert-score).
    model : str or path, optional
        The model whose tokenizer is used (default: bert-score's model for ``lang``).
    lang : str
        Language, used to choose the default model.

    Returns
    -------
    DocumentFrequencies
        Merge the counts of several shards with ``.merge()``, then pass
        ``idf=frequencies.idf()`` to ``nm.load("bertscore", ...)``.
    """
    from nlpmetrics.metrics.bertscore.models import default_model
    from nlpmetrics.metrics.bertscore.tokens import get_sentence_tokenizer

    name = _check_model(model) or default_model(normalize_lang(lang))
    flat = [text for group in reference_texts(references) for text in group]
    return get_sentence_tokenizer(name).document_frequencies(flat)


def merge_document_frequencies(first: DocumentFrequencies, second: DocumentFrequencies) -> DocumentFrequencies:
    """Return the document frequencies of two disjoint sets of references, as one."""
    merged = DocumentFrequencies()
    merged.merge(first)
    merged.merge(second)
    return merged


@register
class BERTScore(Metric):
    """Greedy matching of contextual token embeddings (``bert_score.score``)."""

    name = "bertscore"
    options: ClassVar[Mapping[str, Option]] = {
        "model": Option(None, check=_check_model,
                        doc="local folder or hub name of the model (default: bert-score's model for lang)"),
        "num_layers": Option(None, check=check_optional_non_negative_int,
                             doc="layer whose outputs are compared (default: bert-score's table, else the last)"),
        "lang": Option("en", check=check_lang, doc="language; picks the default model and rescaling baseline"),
        "idf": Option(False, check=check_idf_option,
                      doc="weigh rare tokens more (True: idf from the references; or a precomputed table)"),
        "rescale_with_baseline": Option(False, check=check_bool,
                                        doc="rescale with bert-score's baseline so unrelated texts score near 0"),
        "batch_size": Option(None, check=_check_batch_size,
                             doc="tokens per encoding batch, in units of 1,024 (padding included); None: 4 on a CPU, "
                                 "64 on a GPU"),
        "device": Option(None, check=_check_device, doc="'cpu', 'cuda', 'cuda:1'... (default: a GPU if present)"),
        "dtype": Option("float32", choices=("float32", "bfloat16", "float16"),
                        doc="model weights' precision; bfloat16/float16 are faster on a GPU, differ in the 3rd-4th "
                            "decimal"),
        "progress": Option(True, check=check_bool, affects_numbers=False,
                           doc="show a progress bar on long runs when stderr is a terminal"),
    }
    score_keys = ("f1", "precision", "recall")
    input_kind = "text"
    reduction = "sum"
    bounds = (-1.0, 1.0)
    extra = "bertscore"
    reference_modules = ("torch", "transformers")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._baseline: np.ndarray | None = None
        if self.config["rescale_with_baseline"]:
            from nlpmetrics.metrics.bertscore.models import baseline_file, read_baseline

            path = baseline_file(self.model_name, self.config["lang"])  # only models of bert-score's tables have one
            self._baseline = read_baseline(path, self.layer)

    @property
    def model_name(self) -> str:
        """The model used: the ``model`` option, or bert-score's default for ``lang``."""
        from nlpmetrics.metrics.bertscore.models import default_model

        return self.config["model"] or default_model(self.config["lang"])

    @property
    def layer(self) -> int:
        """The layer used (may read the model's config for a model bert-score's table does not list)."""
        from nlpmetrics.metrics.bertscore.models import resolve_layer

        return resolve_layer(self.model_name, self.config["num_layers"])

    @property
    def streams_exactly(self) -> bool:
        """False with ``idf=True`` (each batch's own references give the weights); True otherwise."""
        return self.config["idf"] is not True

    @property
    def streaming_caveat(self) -> str:
        """Say how to stream idf exactly (the warning shown when ``idf=True`` is streamed)."""
        return ("idf=True weighs tokens by the references of each batch; for an exact result count "
                "nlpmetrics.metrics.bertscore.document_frequencies(all_references) once and pass "
                "idf=frequencies.idf()")

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[list[str], list[list[str]]]:
        """Check the predictions (one string each) and the references (one or more strings each)."""
        return texts(predictions, "predictions"), reference_texts(references)

    def scorer(self):
        """Return the loaded model (:class:`~nlpmetrics.metrics.bertscore.engine.Encoder`), cached per process."""
        from nlpmetrics.metrics.bertscore.engine import get_encoder

        return get_encoder(self.model_name, self.config["num_layers"], self.config["device"], self.config["dtype"])

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Return each example's precision, recall and F1 (best reference for each, rescaled if asked)."""
        encoder = self.scorer()
        sizes = np.fromiter((len(group) for group in references), dtype=np.int64, count=len(references))
        flat_refs = [text for group in references for text in group]
        flat_preds = [p for p, size in zip(predictions, sizes, strict=True) for _ in range(size)]
        scores = encoder.score(flat_preds, flat_refs, idf=self.config["idf"], batch_size=self.config["batch_size"],
                               progress=self.config["progress"])
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        best = np.maximum.reduceat(scores, starts, axis=0)
        if self._baseline is not None:
            best = (best - self._baseline) / (1.0 - self._baseline)
        return Rows({key: best[:, i].copy() for i, key in enumerate(_KEYS)})

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the mean precision, recall and F1 over the examples (the default reduction summed them)."""
        return {key: summary[key] / summary["n"] for key in self.score_keys}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each example's F1, precision and recall."""
        return {key: np.asarray(rows[key], dtype=np.float64) for key in self.score_keys}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the model, layer, idf and rescaling used, and bert-score's own hash of them."""
        return {
            "model": self.model_name,
            "num_layers": self.layer,
            "idf": "precomputed" if isinstance(self.config["idf"], IdfWeights) else bool(self.config["idf"]),
            "rescaled": bool(self.config["rescale_with_baseline"]),
            "bert_score_hash": self.bert_score_hash(),
        }

    def bert_score_hash(self) -> str:
        """Return bert-score's own settings string (``model_L<layer>_idf...``) for these options.

        Identical to ``bert_score.utils.get_hash`` (tested), so it can be compared with the hash a
        paper reports.  bert-score 0.3.13 still says ``__version__ = "0.3.12"``, and its hash with it.
        """
        from nlpmetrics.versions import module_version

        text = f"{self.model_name}_L{self.layer}_{'idf' if self.config['idf'] is not False else 'no-idf'}"
        text += f"_version={_BERT_SCORE_HASH_VERSION}(hug_trans={module_version('transformers')})"
        return text + ("-rescaled" if self.config["rescale_with_baseline"] else "")

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the model and layer used, which decide the numbers."""
        return {"model": self.model_name, "layer": str(self.layer)}

    def tool_signature(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return bert-score's hash of these settings."""
        return {"bert_score_hash": self.bert_score_hash()}

    def corpus_pass(self) -> CorpusPass | None:
        """Return, with ``idf=True``, the count of document frequencies over every reference of the corpus.

        See :func:`document_frequencies`; without idf there is nothing to count first (``None``).
        """
        if self.config["idf"] is not True:
            return None
        return CorpusPass(count=partial(document_frequencies, model=self.config["model"], lang=self.config["lang"]),
                          merge=merge_document_frequencies)

    def with_corpus_pass(self, counts: DocumentFrequencies) -> BERTScore:
        """Return this metric with ``idf`` taken from the whole corpus's document frequencies."""
        return type(self)(keep_examples=self.keep_examples, **{**self.config, "idf": counts.idf()})
