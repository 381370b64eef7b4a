"""Plain-language sentences of a report, in English and Japanese.

Metric-specific wording comes from the metric cards (:mod:`nlpmetrics.explanations`);
this module holds only what every report shares: section names, the comparison
sentence, guard-rail warnings, and how numbers are written.
"""

from __future__ import annotations

import math
from typing import Any

from nlpmetrics.explanations import check_lang
from nlpmetrics.explanations.scores import format_value, scale_of_bounds
from nlpmetrics.reporting.phrases import PHRASES

#: p-values below these read as "would rarely" / "would seldom" arise by chance.
RARE_P = 0.01
SELDOM_P = 0.05

_KEY_NAMES = {
    "rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum", "bleu": "BLEU",
    "chrf": "chrF", "ter": "TER", "f1": "F1", "precision": "precision", "recall": "recall",
    "accuracy": "accuracy", "pearson": "Pearson r", "spearman": "Spearman ρ",
}
_KEY_NAMES_JA = {"precision": "適合率", "recall": "再現率", "accuracy": "正解率", "f1": "F1"}


def phrase(key: str, lang: str, /, **values: Any) -> str:
    """The shared sentence ``key`` in ``lang``, filled with ``values``."""
    return PHRASES[check_lang(lang)][key].format(**values)


def score_name(key: str, lang: str = "en") -> str:
    """How a score key is named for a reader (``rougeL`` -> ``ROUGE-L``)."""
    if lang == "ja" and key in _KEY_NAMES_JA:
        return _KEY_NAMES_JA[key]
    return _KEY_NAMES.get(key, key)


def metric_title(metric: str, lang: str) -> str:
    """The card's title of a metric, or its name when it has no card."""
    card = safe_card(metric, lang)
    return card.title if card else metric


def safe_card(metric: str, lang: str):
    """The metric's card, or ``None`` when it has none in ``lang`` (the report then says so)."""
    from nlpmetrics.errors import InputError
    from nlpmetrics.explanations import load_card

    try:
        return load_card(metric, lang)
    except InputError:
        return None


def value_text(value: float, low_bound: float) -> str:
    """A score as shown to a reader: a percentage, or a correlation to two decimals."""
    return format_value(value, scale_of_bounds(low_bound))


def interval_text(interval: tuple[float, float] | None, low_bound: float, lang: str) -> str:
    """``"31.2%–35.0%"``; empty when there is no interval."""
    if not interval:
        return ""
    low, high = interval
    return phrase("range", lang, low=value_text(low, low_bound), high=value_text(high, low_bound))


def _amount(value: float, low_bound: float, sign: str = "") -> str:
    """A score difference as a number: points (x100, one decimal) on percent scales, else two decimals."""
    if math.isnan(value):
        return "n/a"
    return f"{value:{sign}.2f}" if low_bound < 0 else f"{value * 100:{sign}.1f}"


def difference_text(difference: float, low_bound: float, lang: str) -> str:
    """A difference (or a width) in points for percent scales, or as a plain number for correlations; no sign."""
    amount = _amount(abs(difference), low_bound)
    return amount if low_bound < 0 or amount == "n/a" else phrase("points", lang, value=amount)


def signed_difference(value: float, low_bound: float) -> str:
    """A signed difference for tables: points for percent scales (``+2.1``), else two decimals."""
    return _amount(value, low_bound, "+")


def signed_interval_text(interval: tuple[float, float], low_bound: float) -> str:
    """The interval of a difference for tables: ``"+1.2 – +3.0"``."""
    return f"{signed_difference(interval[0], low_bound)} – {signed_difference(interval[1], low_bound)}"


def p_text(p_value: float, n_resamples: int | None = None) -> str:
    """A p-value as written in sentences: ``= 0.002``, ``< 0.001``, or ``≤ 0.010`` at its floor.

    With ``R`` random swaps the smallest p-value is ``1 / (R + 1)``; reaching it means no swap gave a
    difference as large, so the true p-value is at most that.
    """
    if math.isnan(p_value):
        return "n/a"
    if p_value < 0.001:
        return "< 0.001"
    if n_resamples and p_value <= 1.0 / (n_resamples + 1) + 1e-15:
        return f"≤ {p_value:.3f}"
    return f"= {p_value:.3f}"


def p_cell(p_value: float, n_resamples: int | None = None) -> str:
    """A p-value for a table cell: ``0.002``, ``< 0.001``, ``≤ 0.010``."""
    return p_text(p_value, n_resamples).replace("= ", "")


def chance_clause(p_value: float, lang: str, n_resamples: int | None = None) -> str:
    """What the p-value means, in words."""
    if math.isnan(p_value):
        return phrase("chance_undefined", lang)
    written = p_text(p_value, n_resamples)
    if p_value < RARE_P:
        return phrase("chance_rare", lang, p=written)
    if p_value < SELDOM_P:
        return phrase("chance_seldom", lang, p=written)
    return phrase("chance_likely", lang, p=written)


def comparison_sentence(test: Any, *, names: tuple[str, str], metric: str, higher_is_better: bool,
                        low_bound: float, lang: str = "en", variant: str = "") -> str:
    """One sentence about B against A on one score.

    "B is better than A on ROUGE-L by 2.1 points (95% interval 1.2–3.0); a
    difference this large would rarely arise by chance (p = 0.002)."
    """
    name_a, name_b = names
    key = score_name(test.key, lang) + (f" ({variant})" if variant else "")
    difference = test.difference
    if math.isnan(difference):
        return phrase("compare_undefined", lang, key=key, a=name_a, b=name_b)
    if difference == 0:
        return phrase("compare_same", lang, key=key, a=name_a, b=name_b,
                      chance=chance_clause(test.p_value, lang, test.n_resamples))
    b_wins = (difference > 0) == higher_is_better
    winner, loser = (name_b, name_a) if b_wins else (name_a, name_b)
    # The interval of the winner's advantage, the size of B - A: mirrored when B - A is negative.
    low, high = test.interval
    if difference < 0:
        low, high = -high, -low
    # Below SELDOM_P the winner "is better"; above it the sentence only says who is ahead, and that it may be chance.
    wording = "compare_better" if test.p_value < SELDOM_P else "compare_ahead"
    return phrase(
        wording, lang, winner=winner, loser=loser, key=key,
        by=difference_text(difference, low_bound, lang),
        confidence=f"{test.confidence * 100:.0f}%",
        low=_plain(low, low_bound), high=_plain(high, low_bound),
        chance=chance_clause(test.p_value, lang, test.n_resamples),
    )


def _plain(value: float, low_bound: float) -> str:
    return _amount(value, low_bound).replace("-", "−")  # a real minus sign, unmistakable next to the range dash


def resolution_sentence(interval: tuple[float, float] | None, low_bound: float, lang: str) -> str:
    """What a difference of a given size means, from the width of this measurement's interval."""
    if not interval or any(math.isnan(v) for v in interval):
        return phrase("resolution_unknown", lang)
    return phrase("resolution", lang, size=difference_text((interval[1] - interval[0]) / 2, low_bound, lang))
