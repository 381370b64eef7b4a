"""Exact match (``exact_match``): Hugging Face ``evaluate``'s ``exact_match``, with several references allowed.

Per example, the prediction and each reference go through the same
transformation (:func:`~nlpmetrics.metrics.qa._answers.exact_match_normalizer`)
and the example counts as a match when the prediction equals any reference.
With one reference per example and ``normalize=None`` the score is
``evaluate.load("exact_match").compute(...)["exact_match"]`` for the same
options.  Rows hold one 0/1 flag per example.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.metrics.qa._answers import (
    check_regexes,
    exact_match_normalizer,
    gold_answers,
)
from nlpmetrics.options import Option, check_bool
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import texts


@register
class ExactMatch(Metric):
    """Share of predictions equal to a reference after the chosen normalisation (``evaluate``'s ``exact_match``)."""

    name = "exact_match"
    options: ClassVar[Mapping[str, Option]] = {
        "ignore_case": Option(False, check=check_bool, doc="compare in lower case"),
        "ignore_punctuation": Option(False, check=check_bool,
                                     doc="delete ASCII punctuation (string.punctuation) before comparing"),
        "ignore_numbers": Option(False, check=check_bool, doc="delete the ASCII digits 0-9 before comparing"),
        "regexes_to_ignore": Option(None, check=check_regexes,
                                    doc="regular expressions deleted from both texts first, in order"),
        "normalize": Option(None, choices=(None, "nfkc"),
                            doc="'nfkc' folds full-width/half-width forms (Ａ１ -> A1, ｶﾅ -> カナ) "
                                "before anything else"),
    }
    score_keys = ("exact_match",)
    input_kind = "answers"
    reduction = "sum"
    reference_modules = ("numpy",)
    #: Reports list the examples that did not match (the per-example score is right or wrong).
    report_wrong_examples = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.config["regexes_to_ignore"] = tuple(self.config["regexes_to_ignore"] or ())
        self._transform = exact_match_normalizer(
            self.config["regexes_to_ignore"], self.config["ignore_case"], self.config["ignore_punctuation"],
            self.config["ignore_numbers"], self.config["normalize"])

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the compiled text transformation."""
        state = dict(self.__dict__)
        state.pop("_transform", None)  # a closure over compiled patterns: rebuilt on unpickling
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the text transformation from the options after unpickling."""
        self.__dict__.update(state)
        config = self.config
        self._transform = exact_match_normalizer(config["regexes_to_ignore"], config["ignore_case"],
                                                 config["ignore_punctuation"], config["ignore_numbers"],
                                                 config["normalize"])

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[list[str], list[list[str]]]:
        """Check the predictions (one string each) and the gold answers (at least one each)."""
        return texts(predictions, "predictions", empty="no answer"), gold_answers(
            references, allow_empty=False, empty_hint="every prediction needs at least one reference to match")

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Return 1.0 for each prediction equal to one of its answers after the transformation, else 0.0."""
        transform = self._transform
        matched = np.fromiter(
            (transform(p) in {transform(r) for r in group} for p, group in zip(predictions, references, strict=True)),
            dtype=np.float64, count=len(predictions))
        return Rows({"exact_match": matched})

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the exact match: matched examples over all examples."""
        return {"exact_match": summary["exact_match"] / summary["n"]}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the numbers of matched and not matched examples."""
        matched = round(float(summary["exact_match"]))
        return {"matched": matched, "not_matched": int(summary["n"]) - matched}

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each example's exact match (1.0 or 0.0)."""
        return {"exact_match": np.asarray(rows["exact_match"], dtype=np.float64)}
