"""Plain-language explanation cards, kept as TOML data files, and value-aware sentences.

Each metric has ``<metric>.<lang>.toml`` in this folder with the fields
``title``, ``what``, ``how_to_read``, ``example``, ``caveats`` (list),
``good_for`` (list) and an ``[explain]`` table of sentence templates that
:func:`explain_result` fills from a result.  ``_common.<lang>.toml`` holds the
sentences every metric shares (intervals, small samples).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from nlpmetrics.errors import InputError

if TYPE_CHECKING:
    from nlpmetrics.result import Result

LANGUAGES = ("en", "ja")
#: Below this many examples an interval is too wide to lean on; the explanation says so.
SMALL_SAMPLE = 30


def check_lang(lang: str) -> str:
    """``lang`` if cards exist in it, else an InputError naming the languages."""
    if lang not in LANGUAGES:
        raise InputError(f"no explanations in language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


@dataclass(frozen=True)
class Card:
    """A metric's plain-language card in one language."""

    metric: str
    lang: str
    title: str
    what: str
    how_to_read: str
    example: str
    caveats: tuple[str, ...]
    good_for: tuple[str, ...]
    templates: dict[str, str] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        labels = _common(self.lang)["labels"]
        lines = [f"{self.title} ({self.metric})", "", self.what, "", f"{labels['how_to_read']}: {self.how_to_read}",
                 "", f"{labels['example']}: {self.example}", "", f"{labels['caveats']}:"]
        lines += [f"  - {c}" for c in self.caveats]
        lines += ["", f"{labels['good_for']}: {', '.join(self.good_for)}"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "lang": self.lang, "title": self.title, "what": self.what,
                "how_to_read": self.how_to_read, "example": self.example, "caveats": list(self.caveats),
                "good_for": list(self.good_for)}


@cache
def _read(filename: str) -> dict[str, Any]:
    path = resources.files(__name__).joinpath(filename)
    if not path.is_file():
        raise FileNotFoundError(filename)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _common(lang: str) -> dict[str, Any]:
    return _read(f"_common.{check_lang(lang)}.toml")


def load_card(metric: str, lang: str = "en") -> Card:
    """The card of ``metric`` in ``lang`` (``"en"`` or ``"ja"``)."""
    check_lang(lang)
    try:
        data = _read(f"{metric}.{lang}.toml")
    except FileNotFoundError:
        raise InputError(f"no explanation card for metric {metric!r} in {lang!r}") from None
    return Card(
        metric=metric,
        lang=lang,
        title=data["title"],
        what=data["what"].strip(),
        how_to_read=data["how_to_read"].strip(),
        example=data["example"].strip(),
        caveats=tuple(c.strip() for c in data["caveats"]),
        good_for=tuple(data["good_for"]),
        templates=dict(data.get("explain", {})),
    )


def format_score(value: float, metric_bounds_low: float) -> str:
    """A score as a reader sees it: a percentage, or a correlation to two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric_bounds_low < 0:
        return f"{value:.2f}"
    return f"{value * 100:.1f}%"


def result_context(result: Result, lang: str) -> dict[str, Any]:
    """Values a card template may use: every score raw and formatted, scalar details, n, interval."""
    from nlpmetrics.registry import metric_class

    low_bound = metric_class(result.metric).bounds[0]
    context: dict[str, Any] = {"n": result.n}
    for key, value in result.details.items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            context[key] = value
    for key, value in result.scores.items():
        context[key] = value
        context[f"{key}_text"] = format_score(value, low_bound)
    main_key = next(iter(result.scores))
    context["value"] = result.scores[main_key]
    context["value_text"] = format_score(result.scores[main_key], low_bound)
    context["key"] = main_key
    if result.ci:
        low, high = result.ci[main_key]
        context.update(low_text=format_score(low, low_bound), high_text=format_score(high, low_bound),
                       confidence_text=f"{result.confidence * 100:.0f}%")
    return context


def explain_result(result: Result, lang: str = "en") -> str:
    """Value-aware sentences for ``result`` in ``lang``.

    Says what was measured and how well (from the card's ``[explain]``
    templates), how sure the number is (the interval, and a warning for small
    samples), and what the number cannot tell (the card's first caveat).
    """
    card = load_card(result.metric, lang)
    common = _common(lang)
    context = result_context(result, lang)
    template = card.templates.get(f"value_{result.options.get('average', '')}") or card.templates["value"]
    sentences = [template.format(**context)]
    if result.ci:
        sentences.append(common["interval"].format(**context))
    if result.n < SMALL_SAMPLE:
        sentences.append(common["small_sample"].format(**context))
    if any(isinstance(v, float) and math.isnan(v) for v in result.scores.values()):
        sentences.append(common["undefined"].format(**context))
    sentences.append(common["cannot_tell"].format(caveat=_lower_first(card.caveats[0], lang)))
    return ("" if lang == "ja" else " ").join(sentences)  # Japanese sentences are not separated by spaces


def _lower_first(text: str, lang: str) -> str:
    return text[:1].lower() + text[1:] if lang == "en" and text[1:2].islower() else text
