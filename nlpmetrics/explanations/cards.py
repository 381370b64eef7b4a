"""Reading the cards: ``<metric>.<lang>.toml`` and the shared ``_common.<lang>.toml``.

A card's texts may name what is scored through the task's nouns: ``{outputs}``,
``{output}``, ``{references}``, ``{reference}`` (capitalised: ``{Outputs}``...),
filled from ``[nouns.<task>]`` of the common file, so that BLEU on summaries
speaks of summaries and reference summaries, and on translations of
translations.  A card names its usual task (``task = "translation"``); a
report passes the task it knows.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from nlpmetrics.errors import InputError

LANGUAGES = ("en", "ja")
#: Tasks with their own nouns (``[nouns.<task>]``); ``text`` is the neutral choice.
TASKS = ("classification", "similarity", "ner", "summarization", "translation", "qa", "retrieval", "text")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def check_lang(lang: str) -> str:
    """Return ``lang`` as ``"en"`` or ``"ja"`` (``"JA"``, ``"ja-JP"`` too), else an InputError naming the languages."""
    if lang in LANGUAGES:
        return lang
    if isinstance(lang, str):
        from nlpmetrics.metrics.text import normalize_lang

        try:
            code = normalize_lang(lang)
        except InputError:
            code = None
        if code in LANGUAGES:
            return code
    raise InputError(f"no explanations in language {lang!r}; choose one of {', '.join(LANGUAGES)}",
                     argument="lang")


def check_task(task: str | None) -> str | None:
    """``task`` if it has nouns (or ``None``), else an InputError naming the tasks."""
    if task is None or task in TASKS:
        return task
    from nlpmetrics.options import closest

    raise InputError(f"unknown task {task!r}{closest(str(task), TASKS)}; choose one of {', '.join(TASKS)}",
                     argument="task")


@cache
def _read(filename: str) -> dict[str, Any]:
    path = resources.files(__package__).joinpath(filename)
    if not path.is_file():
        raise FileNotFoundError(filename)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def common(lang: str) -> dict[str, Any]:
    """Return the sentences, labels, task names and nouns every card shares, in ``lang``."""
    return _read(f"_common.{check_lang(lang)}.toml")


def read_card_data(metric: str, lang: str) -> dict[str, Any] | None:
    """Return the raw TOML of a card, or ``None`` when the metric has none in ``lang``."""
    try:
        return _read(f"{metric}.{check_lang(lang)}.toml")
    except FileNotFoundError:
        return None


def nouns(task: str | None, lang: str) -> dict[str, str]:
    """Return what the texts of ``task`` are called (``outputs``, ``references``...), capitalised forms included."""
    table = common(lang)["nouns"]
    chosen = dict(table.get(task or "text", table["text"]))
    chosen.update({key[:1].upper() + key[1:]: value[:1].upper() + value[1:] for key, value in list(chosen.items())})
    return chosen


def fill_nouns(text: str, words: dict[str, str]) -> str:
    """Replace ``{outputs}``-style placeholders known in ``words``; any other ``{...}`` stays for a template."""
    return _PLACEHOLDER.sub(lambda m: words.get(m.group(1), m.group(0)), text)


def task_name(task: str, lang: str) -> str:
    """Return a task as a reader names it (``ner`` -> ``named-entity recognition (NER)``); free text stays as is."""
    return str(common(lang)["tasks"].get(task, task))


@dataclass(frozen=True)
class Card:
    """A metric's plain-language card in one language.

    ``good_for`` holds task names (``"ner"``) or free text; :attr:`good_for_text`
    is how a reader sees them.  ``title_for`` gives the title under a set of
    options when the card names its variants (``macro-F1``).
    """

    metric: str
    lang: str
    title: str
    what: str
    how_to_read: str
    example: str
    caveats: tuple[str, ...]
    good_for: tuple[str, ...]
    templates: dict[str, str] = field(default_factory=dict, compare=False)
    task: str = "text"
    titles: dict[str, str] = field(default_factory=dict, compare=False)
    by: str = ""

    @property
    def good_for_text(self) -> tuple[str, ...]:
        """``good_for`` as a reader sees it."""
        return tuple(task_name(item, self.lang) for item in self.good_for)

    def title_for(self, options: dict[str, Any] | None) -> str:
        """Return the title under these options (``"Macro-F1"`` for ``average="macro"``), else :attr:`title`."""
        if self.by and options is not None and str(options.get(self.by)) in self.titles:
            return self.titles[str(options.get(self.by))]
        return self.title

    def __str__(self) -> str:
        """Return the card as plain text: title, what, how to read, example, caveats."""
        labels = common(self.lang)["labels"]
        separator = "、" if self.lang == "ja" else ", "
        lines = [f"{self.title} ({self.metric})", "", self.what, "", f"{labels['how_to_read']}: {self.how_to_read}",
                 "", f"{labels['example']}: {self.example}", "", f"{labels['caveats']}:"]
        lines += [f"  - {c}" for c in self.caveats]
        lines += ["", f"{labels['good_for']}: {separator.join(self.good_for_text)}"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the card as JSON: its texts, ``good_for`` as a reader sees it and ``tasks`` as names."""
        return {"metric": self.metric, "lang": self.lang, "title": self.title, "what": self.what,
                "how_to_read": self.how_to_read, "example": self.example, "caveats": list(self.caveats),
                "good_for": list(self.good_for_text), "tasks": list(self.good_for)}


def load_card(metric: str, lang: str = "en", task: str | None = None) -> Card:
    """Return the card of ``metric`` in ``lang`` (``"en"`` or ``"ja"``), its nouns those of ``task`` (default: own)."""
    check_lang(lang)
    check_task(task)
    data = read_card_data(metric, lang)
    if data is None:
        raise InputError(f"no explanation card for metric {metric!r} in {lang!r}", argument="metric")
    own = data.get("task", "text")
    words = nouns(task or own, lang)

    def fill(text: str) -> str:
        return fill_nouns(text.strip(), words)

    return Card(
        metric=metric,
        lang=lang,
        title=fill(data["title"]),
        what=fill(data["what"]),
        how_to_read=fill(data["how_to_read"]),
        example=fill(data["example"]),
        caveats=tuple(fill(c) for c in data["caveats"]),
        good_for=tuple(data["good_for"]),
        templates={k: fill(v) for k, v in data.get("explain", {}).items()},
        task=task or own,
        titles={str(k): fill(v) for k, v in data.get("titles", {}).items()},
        by=str(data.get("by", "")),
    )
