"""Which metrics to report for a task, and why, in plain words."""

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
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{self.metric}{f' ({opts})' if opts else ''}: {self.reason}"


@cache
def _table(lang: str) -> dict[str, Any]:
    path = resources.files("nlpmetrics.explanations").joinpath(f"_suggest.{lang}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def suggest(task: str, lang: str = "en") -> list[Suggestion]:
    """Metrics recommended for ``task``, most important first, each with its reason.

    Parameters
    ----------
    task : str
        One of ``classification``, ``similarity`` (regression), ``ner``,
        ``summarization``, ``translation``, ``qa``, ``retrieval`` (search, RAG).
    lang : str
        Language of the reasons (``"en"`` or ``"ja"``).
    """
    check_lang(lang)
    key = _ALIASES.get(str(task).lower(), str(task).lower())
    if key not in TASKS:
        raise InputError(f"unknown task {task!r}{closest(task, TASKS)} (tasks: {', '.join(TASKS)})")
    return [
        Suggestion(metric=entry["metric"], reason=entry["reason"].strip(), options=dict(entry.get("options", {})))
        for entry in _table(lang)[key]
    ]
