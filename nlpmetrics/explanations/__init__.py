"""Plain-language explanation cards, kept as TOML data files, and value-aware sentences.

Each metric has ``<metric>.<lang>.toml`` in this folder with the fields
``title``, ``what``, ``how_to_read``, ``example``, ``caveats`` (list),
``good_for`` (list of task names or free text), ``task`` (its usual task, whose
nouns fill ``{outputs}``-style placeholders), an ``[explain]`` table of sentence
templates that :func:`explain_result` fills from a result, a ``[scores]`` table
naming each score key and its scale (see :mod:`nlpmetrics.explanations.scores`),
and ``[example_check]``: the inputs of the worked example and the numbers it
quotes, which ``tests/test_cards.py`` recomputes with the metric.
``_common.<lang>.toml`` holds what every card shares (interval sentences, task
names, nouns, column headings).

The language here is always the language of the *words*; the language of the
texts being scored is a metric option (``lang``) and never changes with it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nlpmetrics.explanations.cards import (
    LANGUAGES,
    TASKS,
    Card,
    check_lang,
    check_task,
    common,
    load_card,
    nouns,
    task_name,
)
from nlpmetrics.explanations.scores import (
    format_amount,
    format_value,
    score_name,
    score_scale,
)

if TYPE_CHECKING:
    from nlpmetrics.result import Result

__all__ = ["LANGUAGES", "SMALL_SAMPLE", "TASKS", "Card", "check_lang", "check_task", "common", "explain_result",
           "format_amount", "format_score", "format_value", "load_card", "nouns", "result_context", "score_name",
           "score_scale", "task_name", "value_sentence"]

#: Below this many examples an interval is too wide to lean on; the explanation says so.
SMALL_SAMPLE = 30


def _common(lang: str) -> dict[str, Any]:
    return common(lang)


def format_score(value: float, metric: str, key: str) -> str:
    """Format a score of ``metric`` as a reader sees it (``87.3%``, ``BLEU``'s ``27.3``, a correlation's ``0.81``)."""
    return format_value(value, score_scale(metric, key))


def result_context(result: Result, lang: str, task: str | None = None) -> dict[str, Any]:
    """Values a card template may use: every score raw and formatted, scalar details, n, interval, nouns."""
    context: dict[str, Any] = {"n": result.n, **nouns(task or load_card(result.metric, lang).task, lang)}
    for key, value in result.details.items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            context[key] = value
    main_key = next(iter(result.scores))
    main_scale = score_scale(result.metric, main_key)
    for key, value in result.scores.items():
        context[key] = value
        context[f"{key}_text"] = format_score(value, result.metric, key)
        context[f"{key}_name"] = score_name(result.metric, key, lang, result.options)
    for key, value in list(context.items()):
        # Details that share the main score's scale (ROUGE's main_precision), written on it.
        if isinstance(value, float) and key.startswith("main_"):
            context[f"{key}_text"] = format_value(value, main_scale)
    context["value"] = result.scores[main_key]
    context["value_text"] = format_score(result.scores[main_key], result.metric, main_key)
    context["key"] = main_key
    context["key_name"] = score_name(result.metric, main_key, lang, result.options)
    if result.ci:
        low, high = result.ci[main_key]
        context.update(low_text=format_value(low, main_scale), high_text=format_value(high, main_scale),
                       confidence_text=f"{(result.confidence or 0.95) * 100:.0f}%")
    return context


def value_sentence(result: Result, lang: str = "en", task: str | None = None) -> str:
    """Return the one sentence that says what was measured and how well (the card's ``[explain]`` template)."""
    card = load_card(result.metric, lang, task)
    context = result_context(result, lang, task)
    chosen = result.options.get(card.by or "average", "")
    template = card.templates.get(f"value_{chosen}") or card.templates["value"]
    return template.format(**context)


def explain_result(result: Result, lang: str = "en", task: str | None = None, *, said: set[str] | None = None) -> str:
    """Value-aware sentences for ``result`` in ``lang``.

    Says what was measured and how well (from the card's ``[explain]``
    templates), how sure the number is (the interval, what it covers and what
    it does not, and a warning for small samples), and what the number cannot
    tell (the card's first caveat).  ``task`` chooses the nouns (summaries,
    translations...); by default the card's own.  ``said`` collects the
    sentences written so far for several results: a note or caveat already in
    it is not written again (each is said once).
    """
    card = load_card(result.metric, lang, task)
    shared = common(lang)
    context = result_context(result, lang, task)
    own = [value_sentence(result, lang, task)]  # sentences about this result's numbers: never left out as said
    main_undefined = _is_nan(result.scores[context["key"]])
    if result.ci:
        if context["low_text"] == context["high_text"] and not main_undefined:
            own.append(shared["interval_flat"].format(**context))
        else:
            own.append(shared["interval_of" if len(result.scores) > 1 else "interval"].format(**context))
    notes = [shared["interval_limits"]] if result.ci else []
    if result.n < SMALL_SAMPLE:
        notes.append(shared["small_sample" if result.ci else "small_sample_plain"].format(**context))
    if any(_is_nan(v) for v in result.scores.values()):
        notes.append(shared["undefined_main" if main_undefined else "undefined"].format(**context))
    notes.append(shared["cannot_tell"].format(caveat=_lower_first(card.caveats[0], lang)))
    if said is not None:
        notes = [x for x in notes if x not in said]
        said.update(notes)
    sentences = [*own, *notes]
    return ("" if lang == "ja" else " ").join(sentences)  # Japanese sentences are not separated by spaces


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _lower_first(text: str, lang: str) -> str:
    return text[:1].lower() + text[1:] if lang == "en" and (text[1:2].islower() or text[1:2] == " ") else text
