"""SQuAD (``squad``): exact match and F1 as the official SQuAD v1.1 / v2.0 scripts compute them, and JSQuAD's rule.

Per question (max over its gold answers):

``version="1.1"`` (``evaluate-v1.1.py``)
    exact match of the normalised texts; F1 of their whitespace tokens, 0
    when no token is shared (also when both sides normalise to nothing).
``version="2.0"`` (``evaluate-v2.0.py``)
    gold answers that normalise to nothing are dropped, and a question left
    with none (an unanswerable question) has the empty string as its only
    answer, so an empty prediction is right there; F1 of two empty sides is
    1.  ``details`` has the script's ``HasAns_*`` / ``NoAns_*``: averages over
    the questions with and without gold answers (its ``bool(qa["answers"])``).
``lang="ja"`` (JSQuAD, as JGLUE reports it)
    JGLUE evaluates JSQuAD with transformers' ``squad_metrics.py`` patched by
    ``fine-tuning/patch/transformers-4.9.2_jglue-1.1.0.patch`` (yahoojapan/JGLUE,
    run through ``examples/legacy/question-answering/run_squad.py``): the
    normalisation lower-cases, keeps punctuation, strips a trailing ``。``
    and collapses whitespace, and F1 is over **characters**
    (``list(normalize_answer(text))``).  That module handles empty answers
    as the v2.0 script does, whatever ``version`` says.

Scores are fractions (the scripts print percentages).  Rows hold each
question's exact match and F1 (and whether it has an answer), so streaming,
merging, intervals and paired tests need nothing more.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.errors import NlpmetricsWarning
from nlpmetrics.metrics.qa._answers import (
    gold_answers,
    has_cjk,
    jglue_normalize,
    overlap_f1,
    squad_normalize,
)
from nlpmetrics.metrics.text import normalize_lang
from nlpmetrics.options import Option
from nlpmetrics.registry import register
from nlpmetrics.rows import Rows
from nlpmetrics.validation import texts

LANGS = ("en", "ja")


class SquadWarning(NlpmetricsWarning):
    """A SQuAD score that is probably not what the caller meant.

    Code ``"cjk_with_word_tokens"``: Japanese or Chinese answers scored with
    whitespace tokens, whose F1 gives a nearly right answer 0.
    """


def _check_squad_lang(value: Any) -> str:
    lang = normalize_lang(value)
    if lang not in LANGS:
        raise ValueError(
            f"SQuAD scoring is defined for English ('en': the official scripts) and Japanese ('ja': JSQuAD as "
            f"JGLUE scores it), not {lang!r}" + (" (Japanese answers written only in kanji look Chinese to the "
                                                "automatic detection: pass lang='ja', or --lang ja)" if lang == "zh"
                                               else "")
        )
    return lang


def _check_version(value: Any) -> str:
    """``"1.1"`` or ``"2.0"``; the numbers 1.1 and 2 (``--option version=2.0`` reads as a number) and ``"v2.0"`` too."""
    text = value if isinstance(value, str) else repr(value) if isinstance(value, (int, float)) and not isinstance(
        value, bool) else None
    versions = {"1.1": "1.1", "v1.1": "1.1", "2.0": "2.0", "2": "2.0", "v2.0": "2.0", "v2": "2.0"}
    if text is None or text.strip().lower() not in versions:
        raise ValueError("choose '1.1' (every question has an answer) or '2.0' (unanswerable questions too)")
    return versions[text.strip().lower()]


def question_scores(prediction: str, answers: Sequence[str], version: str, lang: str) -> tuple[float, float]:
    """One question's (exact match, F1): the max over its gold answers, by the official rules (see the module)."""
    normalize: Callable[[str], str]
    units: Callable[[str], list[str]]
    if lang == "ja":
        normalize, units, v2 = jglue_normalize, list, True
    else:
        normalize, units, v2 = squad_normalize, str.split, version == "2.0"
    predicted = normalize(prediction)
    if v2:
        answers = [a for a in answers if normalize(a)] or [""]
    exact = max(float(predicted == normalize(a)) for a in answers)
    tokens = units(predicted)
    f1 = max(overlap_f1(tokens, units(normalize(a)), empty_matches=v2) for a in answers)
    return exact, f1


@register
class Squad(Metric):
    """Exact match and F1 of extracted answers (official SQuAD v1.1 / v2.0 scripts; JSQuAD with ``lang="ja"``)."""

    name = "squad"
    options: ClassVar[Mapping[str, Option]] = {
        "version": Option("1.1", check=_check_version,
                          doc="'1.1': every question has an answer; "
                              "'2.0': unanswerable questions (no gold answer) too"),
        "lang": Option("en", check=_check_squad_lang,
                       doc="'en': the official scripts (word F1); 'ja': JSQuAD as JGLUE scores it (character F1)"),
    }
    score_keys = ("exact_match", "f1")
    input_kind = "answers"
    reduction = "sum"
    auto_select = ("squad",)
    reference_modules = ("numpy",)
    #: Reports list the questions answered wrongly (exact match is right or wrong per question).
    report_wrong_examples = True

    @property
    def v2(self) -> bool:
        """Tell whether this is SQuAD 2.0 (unanswerable questions allowed)."""
        return self.config["version"] == "2.0"

    def settings(self, summary: Mapping[str, Any]) -> dict[str, str]:
        """Return the scoring rule and the units of F1 (words, or characters for Japanese)."""
        if self.config["lang"] == "ja":
            return {"rule": "jsquad-jglue", "f1_units": "characters"}
        return {"rule": f"squad-v{self.config['version']}-official", "f1_units": "words"}

    def check_inputs(self, predictions: Sequence, references: Sequence) -> tuple[list[str], list[list[str]]]:
        """Check the predictions and the gold answers (none allowed only for version 2.0)."""
        hint = ("version='1.1' needs at least one gold answer per question; for unanswerable questions use "
                "version='2.0'")
        answers = gold_answers(references, allow_empty=self.v2, empty_hint=hint)
        return texts(predictions, "predictions", empty="no answer"), answers

    def statistics(self, predictions: list[str], references: list[list[str]]) -> Rows:
        """Return each question's exact match and F1 (best over its gold answers), and for 2.0 whether it has one."""
        n = len(predictions)
        exact = np.empty(n)
        f1 = np.empty(n)
        version, lang = self.config["version"], self.config["lang"]
        for i, (prediction, answers) in enumerate(zip(predictions, references, strict=True)):
            exact[i], f1[i] = question_scores(prediction, answers, version, lang)
        cjk = np.fromiter((has_cjk(p) or any(map(has_cjk, group)) for p, group in zip(predictions, references,
                                                                                      strict=True)),
                          dtype=np.float64, count=n)
        rows = {"exact_match": exact, "f1": f1, "cjk": cjk}
        if self.v2:
            has = np.fromiter(map(bool, references), dtype=np.float64, count=n)
            no = 1.0 - has
            rows.update(has_answer=has, has_exact=exact * has, has_f1=f1 * has, no_answer=no, no_exact=exact * no,
                        no_f1=f1 * no)
        return Rows(rows)

    def score(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return the mean exact match and F1 over the questions."""
        n = summary["n"]
        return {"exact_match": summary["exact_match"] / n, "f1": summary["f1"] / n}

    def describe(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        """Return counts, and for ``version="2.0"`` the official script's ``HasAns_*`` / ``NoAns_*`` (as fractions).

        As in the script, a group with no question (no unanswerable question
        in the data, say) is left out; ``per_answerability`` is the same
        breakdown as a table (``type``: ``HasAns``, ``NoAns``).
        """
        n = int(summary["n"])
        exact = round(float(summary["exact_match"]))
        details: dict[str, Any] = {"total": n, "exact_matches": exact, "wrong": n - exact,
                                   "f1_units": "characters" if self.config["lang"] == "ja" else "words"}
        if self.v2:
            table: dict[str, list] = {"type": [], "exact_match": [], "f1": [], "count": []}
            for prefix, column in (("HasAns", "has"), ("NoAns", "no")):
                count = round(float(summary[f"{column}_answer"]))
                if not count:
                    continue
                group_exact = float(summary[f"{column}_exact"]) / count
                group_f1 = float(summary[f"{column}_f1"]) / count
                details.update({f"{prefix}_exact": group_exact, f"{prefix}_f1": group_f1, f"{prefix}_total": count})
                for key, value in (("type", prefix), ("exact_match", group_exact), ("f1", group_f1), ("count", count)):
                    table[key].append(value)
            details["per_answerability"] = table
        cjk = round(float(summary["cjk"]))
        if cjk and self.config["lang"] == "en":
            warnings.warn(SquadWarning(
                f"{cjk:,} of {n:,} questions have Japanese or Chinese text, but lang='en' splits answers into words "
                "at spaces, so a nearly right answer (東京都 for 東京) gets F1 0; pass lang='ja' to score characters "
                "as JSQuAD (JGLUE) does", code="cjk_with_word_tokens"), stacklevel=3)
        return details

    def per_example(self, rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return each question's exact match and F1 (and for version 2.0 whether it has an answer)."""
        out = {"exact_match": np.asarray(rows["exact_match"], dtype=np.float64),
               "f1": np.asarray(rows["f1"], dtype=np.float64)}
        if self.v2:
            out["has_answer"] = np.asarray(rows["has_answer"], dtype=np.float64)
        return out


__all__ = ["Squad", "SquadWarning", "question_scores"]
