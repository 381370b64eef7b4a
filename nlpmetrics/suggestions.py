"""Which metrics to report for a task, with options fit for the language of the texts, and why, in plain words.

Two languages are involved and kept apart: ``lang`` is the language of the
texts being scored (it becomes each metric's public ``lang`` option, so a
suggestion loaded as given, ``nm.load(s.metric, **s.options)``, scores that
language correctly), and ``explain_lang`` is the language of the reasons.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.explanations import check_lang
from nlpmetrics.options import closest

TASKS = ("classification", "similarity", "ner", "summarization", "translation", "qa", "retrieval")
_ALIASES = {"regression": "similarity", "sts": "similarity", "sequence_labeling": "ner", "mt": "translation",
            "question_answering": "qa", "question-answering": "qa", "search": "retrieval", "ranking": "retrieval",
            "ir": "retrieval", "rag": "retrieval"}


@dataclass(frozen=True)
class Suggestion:
    """One recommended metric: registry name, options to use, and the reason."""

    metric: str
    reason: str
    options: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """Return the metric, its options and the reason, on one line."""
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{self.metric}{f' ({opts})' if opts else ''}: {self.reason}"


@cache
def _table(lang: str) -> dict[str, Any]:
    path = resources.files("nlpmetrics.explanations").joinpath(f"_suggest.{lang}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def task_key(task: str) -> str:
    """Return the canonical task name of ``task`` (aliases resolved), or an InputError naming the tasks."""
    key = _ALIASES.get(str(task).lower(), str(task).lower())
    if key not in TASKS:
        raise InputError(f"unknown task {task!r}{closest(task, TASKS)} (tasks: {', '.join(TASKS)})", argument="task")
    return key


def language_options(metric: str, options: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """``options`` with the metric's ``lang`` set for texts in ``lang``; ``None`` when the metric cannot score it.

    A metric without a ``lang`` option reads every language alike and gets
    ``options`` unchanged.  English is left to the metric's default when that
    default already reads English.  A metric whose ``lang`` refuses the
    language keeps its default (words split at spaces) for a language written
    with spaces, and is left out for Japanese, Chinese or Korean, which its
    default would score as one word per sentence.
    """
    from nlpmetrics.metrics.text import LANG_TOKENIZERS
    from nlpmetrics.registry import metric_class

    declared = metric_class(metric).options.get("lang")
    if declared is None or "lang" in options:
        return options
    if lang == "en" and declared.default in (None, "en"):
        return options
    try:
        metric_class(metric)(**options, lang=lang)  # the metric's own check of the language (nothing loads yet)
    except (InputError, ValueError):
        return None if lang in LANG_TOKENIZERS else options
    return {**options, "lang": lang}


def suggest(task: str, lang: str = "en", *, explain_lang: str | None = None) -> list[Suggestion]:
    """Metrics recommended for ``task``, most important first, each with options for ``lang`` and a reason.

    Parameters
    ----------
    task : str
        One of ``classification``, ``similarity`` (regression), ``ner``,
        ``summarization``, ``translation``, ``qa``, ``retrieval`` (search, RAG).
    lang : str
        Language of the texts (``"ja"``, ``"zh"``, ``"ko"``, ``"en"``...; ``"ja-JP"`` is ``"ja"``): each
        suggestion's options score it correctly when passed to ``nm.load`` as they are.  A metric that
        cannot score that language is left out.
    explain_lang : {"en", "ja"}, optional
        Language of the reasons; by default ``lang`` when it is ``en`` or ``ja``, else ``en``.
    """
    from nlpmetrics.metrics.text import normalize_lang

    text_lang = normalize_lang(lang)
    words = check_lang(explain_lang) if explain_lang is not None else (text_lang if text_lang in ("en", "ja")
                                                                         else "en")
    key = task_key(task)
    suggestions = []
    for entry in _table(words)[key]:
        options = language_options(entry["metric"], dict(entry.get("options", {})), text_lang)
        if options is not None:
            suggestions.append(Suggestion(metric=entry["metric"], reason=entry["reason"].strip(), options=options))
    return suggestions
