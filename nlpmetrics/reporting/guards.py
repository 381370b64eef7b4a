"""Guard-rails: the warnings a client would thank us for.

* numbers that are not comparable (different options, tokenizers or references),
* samples too small, or intervals too wide, for a number to be trusted,
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
from nlpmetrics.reporting.text import difference_text, phrase

#: An interval wider than this (in score units; 0.2 = 20 points) is too imprecise to rank close systems.
WIDE_INTERVAL = 0.2


def signature_difference(signature_a: Any, signature_b: Any) -> str | None:
    """``"tokenize: 13a vs intl"`` when two results' numbers are not comparable, else ``None``.

    Compares what decides a number (metric, options, settings such as the
    tokenizer or the number of references), never versions or resampling.
    """
    return signature_a.difference_text(signature_b)


def result_warnings(result: Any, system: str, metric_title: str, lang: str, low_bound: float) -> list[str]:
    """The warnings about one system's result on one metric (``low_bound``: the metric's lowest score)."""
    warnings = []
    main_key = next(iter(result.scores))
    if result.n < SMALL_SAMPLE:
        warnings.append(phrase("warn_small", lang, name=system, metric=metric_title, n=result.n))
    elif result.ci and main_key in result.ci:
        low, high = result.ci[main_key]
        if not (math.isnan(low) or math.isnan(high)) and high - low > WIDE_INTERVAL * (2 if low_bound < 0 else 1):
            warnings.append(phrase("warn_wide", lang, name=system, metric=metric_title,
                                   width=difference_text(high - low, low_bound, lang),
                                   confidence=f"{result.confidence * 100:.0f}%"))
    if any(isinstance(v, float) and math.isnan(v) for v in result.scores.values()):
        warnings.append(phrase("warn_undefined", lang, name=system, metric=metric_title))
    return warnings


def coded_warning(code: str, lang: str, /, **values: Any) -> str | None:
    """The report's own sentence for a metric warning with this ``code``, or ``None`` when it has none."""
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
