"""Guard-rails: the warnings a client would thank us for.

* numbers that are not comparable (different options, tokenizers or references),
* samples too small, or intervals too wide, for a number to be trusted (each said once, naming every
  system and metric it concerns),
* scores that could not be computed,
* and the warnings the metrics themselves raise while scoring (recorded, then re-raised to the caller):
  one whose ``code`` has a sentence in the report's language (``warning_<code>`` in
  :mod:`nlpmetrics.reporting.phrases`) is said in that language, any other in the metric's words.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nlpmetrics.explanations import SMALL_SAMPLE
from nlpmetrics.reporting.text import difference_text, join_names, phrase

#: An interval wider than this (in score units; 0.2 = 20 points) is too imprecise to rank close systems.
WIDE_INTERVAL = 0.2


def signature_difference(signature_a: Any, signature_b: Any) -> str | None:
    """``"tokenize: 13a vs intl"`` when two results' numbers are not comparable, else ``None``.

    Compares what decides a number (metric, options, settings such as the
    tokenizer or the number of references), never versions or resampling.
    """
    return signature_a.difference_text(signature_b)


def _wide_limit(scale: str) -> float:
    return WIDE_INTERVAL * (2 if scale == "coefficient" else 1)


def sample_warnings(scored: list[tuple[str, str, Any, str]], lang: str) -> list[str]:
    """Return the guard-rails about the numbers themselves, each said once for every system and metric it concerns.

    ``scored`` holds ``(system, metric title, result, scale of its main score)``:
    too few examples (one note per number of examples), intervals too wide to
    rank close systems (one note per scale, listing metric and systems), scores
    that could not be computed.
    """
    warnings: list[str] = []
    small: dict[int, list[str]] = {}
    wide: dict[str, dict[str, list[str]]] = {}
    for system, title, result, scale in scored:
        main_key = next(iter(result.scores))
        if result.n < SMALL_SAMPLE:
            small.setdefault(result.n, [])
            if system not in small[result.n]:
                small[result.n].append(system)
        elif result.ci and main_key in result.ci:
            low, high = result.ci[main_key]
            if not (math.isnan(low) or math.isnan(high)) and high - low > _wide_limit(scale):
                wide.setdefault(scale, {}).setdefault(title, []).append(system)
        if any(isinstance(v, float) and math.isnan(v) for v in result.scores.values()):
            warnings.append(phrase("warn_undefined", lang, name=system, metric=title))
    systems = {s for s, *_ in scored}
    for n, names in small.items():
        named = "" if set(names) == systems else phrase("warn_small_systems", lang, names=join_names(names, lang))
        warnings.insert(0, phrase("warn_small", lang, n=n, systems=named))
    confidence = next((r.confidence for *_, r, _ in scored if r.confidence), 0.95)
    for scale, by_metric in wide.items():
        items = [phrase("warn_wide_item", lang, metric=title, names=join_names(names, lang))
                 for title, names in by_metric.items()]
        warnings.append(phrase("warn_wide", lang, items=join_names(items, lang), confidence=f"{confidence * 100:.0f}%",
                               width=difference_text(_wide_limit(scale), scale, lang)))
    return warnings


def coded_warning(code: str, lang: str, /, **values: Any) -> str | None:
    """Return the report's own sentence for a metric warning with this ``code``, or ``None`` when it has none."""
    from nlpmetrics.reporting.phrases import PHRASES

    if not code or f"warning_{code}" not in PHRASES[lang]:
        return None
    return phrase(f"warning_{code}", lang, **values)


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning raised in the block, then re-emit each to the caller, in order.

    The report shows what was recorded; re-emitting keeps the caller's own
    filters in charge of what reaches them (stderr for the CLI), as if the
    block had not been wrapped.  Inside the block every warning is recorded,
    even one the caller has seen before or ignores.
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
    finally:
        for record in caught:
            reemit(record)


def reemit(record: warnings.WarningMessage) -> None:
    """Raise a recorded warning again, from where it was first raised (module, line and registry)."""
    module = next((m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == record.filename), None)
    namespace = vars(module) if module is not None else None
    warnings.warn_explicit(
        record.message, record.category, record.filename, record.lineno,
        module=namespace["__name__"] if namespace else None,
        registry=namespace.setdefault("__warningregistry__", {}) if namespace else None,
        module_globals=namespace,
    )
