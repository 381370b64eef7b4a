"""Plain-language sentences of a report, in English and Japanese, and how its numbers are written.

Metric-specific words (titles, score names, scales) come from the metric cards
(:mod:`nlpmetrics.explanations`); this module keeps no per-metric table, only
what every report shares: the verdict of a comparison, its detectable
difference, and the writing of values, intervals and differences on each scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from nlpmetrics.explanations import check_lang
from nlpmetrics.explanations.scores import format_amount, format_value, score_entry, score_name, score_scale
from nlpmetrics.reporting.phrases import PHRASES


def phrase(key: str, lang: str, /, **values: Any) -> str:
    """Return the shared sentence ``key`` in ``lang``, filled with ``values``."""
    return PHRASES[check_lang(lang)][key].format(**values)


def join_names(names: Sequence[str], lang: str) -> str:
    """Join names as ``"a, b and c"`` (``"a、b、c"`` in Japanese)."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return phrase("list_and", lang, head=phrase("list_sep", lang).join(names[:-1]), last=names[-1])


def capital(text: str, lang: str) -> str:
    """``text`` with a capital first letter in English (a score's name opening a table cell): ``Macro-F1``.

    A name whose first word is written with capitals inside (``chrF``, ``nDCG@10``) keeps its spelling.
    """
    first = text.replace("-", " ").split(" ", 1)[0]
    return text[:1].upper() + text[1:] if lang == "en" and first.islower() and first.isalpha() else text


def key_name(metric: str, key: str, lang: str = "en", options: Mapping[str, Any] | None = None) -> str:
    """How a score is named for a reader, from the metric's card (``rougeL`` -> ``ROUGE-L``, ``macro-F1``)."""
    return score_name(metric, key, lang, options)


def safe_card(metric: str, lang: str, task: str | None = None):
    """Return the metric's card, or ``None`` when it has none in ``lang`` (the report then says so)."""
    from nlpmetrics.errors import InputError
    from nlpmetrics.explanations import load_card

    try:
        return load_card(metric, lang, task)
    except InputError:
        return None


def metric_title(metric: str, lang: str, options: Mapping[str, Any] | None = None, task: str | None = None) -> str:
    """Return the card's title of a metric under its options (``Macro-F1``), or its name when it has no card."""
    card = safe_card(metric, lang, task)
    return card.title_for(dict(options or {})) if card else metric


def unsigned_zero(text: str, *, signed: bool = False) -> str:
    """Return a formatted number that reads as zero without its minus: ``-0.0`` -> ``0.0`` (``+0.0`` if ``signed``).

    ``-0.0`` comes from a negative zero (the interval of a difference mirrored for the winner) or a tiny
    negative value rounded away; a reader would take it for a negative difference.
    """
    if text[:1] in ("-", "−") and not text.strip("-−+0.%"):
        return ("+" if signed else "") + text[1:]
    return text


def value_text(value: float, scale: str) -> str:
    """Return a score as shown to a reader: ``87.3%``, ``27.3`` (0-100 scale) or ``0.81`` (a coefficient)."""
    return unsigned_zero(format_value(value, scale))


def interval_text(interval: tuple[float, float] | None, scale: str, lang: str) -> str:
    """``"31.2%–35.0%"``; empty when there is no interval."""
    if not interval:
        return ""
    low, high = interval
    return phrase("range", lang, low=value_text(low, scale), high=value_text(high, scale))


def difference_text(difference: float, scale: str, lang: str) -> str:
    """Return a difference without sign: ``3.0 points`` on a 0-100 or percent scale, ``0.05`` for a coefficient."""
    amount = unsigned_zero(format_amount(abs(difference), scale))
    return amount if scale == "coefficient" or amount == "n/a" else phrase("points", lang, value=amount)


def signed_difference(value: float, scale: str) -> str:
    """Return a signed difference for tables: ``+2.1`` (points), ``-0.05`` (a coefficient)."""
    return unsigned_zero(format_amount(value, scale, signed=True), signed=True)


def signed_interval_text(interval: tuple[float, float], scale: str) -> str:
    """Return the interval of a difference for tables: ``"+1.2 – +3.0"``."""
    return f"{signed_difference(interval[0], scale)} – {signed_difference(interval[1], scale)}"


def _plain(value: float, scale: str) -> str:
    # a real minus sign, unmistakable next to a range dash
    return unsigned_zero(format_amount(value, scale)).replace("-", "−")


def p_text(p_value: float, n_resamples: int | None = None) -> str:
    """Return a p-value as written in sentences: ``= 0.002``, ``< 0.001``, or ``≤ 0.010`` at its floor.

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
    """Return a p-value for a table cell: ``0.002``, ``< 0.001``, ``≤ 0.010``."""
    return p_text(p_value, n_resamples).replace("= ", "")


def about(count: int) -> str:
    """Return a count rounded to two significant figures, as "about" reads it: 3,084 -> ``3,100``."""
    if count < 100:
        return f"{count:,}"
    digits = len(str(count)) - 2
    return f"{round(count, -digits):,}"


def _decimals(value: float, places: int) -> str:
    """``value`` with ``places`` decimals, more for a small one (two significant figures), trailing zeros dropped."""
    if value > 0:
        places = max(places, 1 - math.floor(math.log10(value)))
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def alpha_text(alpha: float, lang: str = "en") -> str:
    """Return a level as written: ``0.05``, ``0.0063`` (Japanese: ``5%``, ``0.63%``, as 有意水準5% reads)."""
    if lang == "ja":
        return _decimals(alpha * 100, 1) + "%"
    return _decimals(alpha, 3)


def holm_level_text(alpha: float, comparisons: int, lang: str = "en") -> str:
    """Return Holm's strictest level with how it is made: ``0.05/8 ≈ 0.0063, the strictest level of Holm's ...``.

    Just the level (``0.05``) for one comparison.
    """
    if comparisons <= 1:
        return alpha_text(alpha, lang)
    level = alpha / comparisons
    shown = alpha_text(level, lang)
    exact = math.isclose(float(shown.rstrip("%")) / (100 if lang == "ja" else 1), level, rel_tol=1e-9)
    return phrase("holm_level", lang, alpha=alpha_text(alpha, lang), m=comparisons, level=shown,
                  eq="=" if exact else "≈")


def _variant_beyond_name(metric: str, key: str, lang: str, options: Mapping[str, Any], variant: str) -> str:
    """Return the part of ``variant`` the score's name does not already say, decided from the option values.

    A card's name that depends on an option (``by = "average"``: マイクロ平均F値, micro-F1) already
    says that option's value when it has a name of its own for it; the variant (``"micro"``, or
    ``"average=micro, beta=2"`` when several options differ) then drops that option.
    """
    if not variant:
        return ""
    found = score_entry(metric, key, lang)
    if found is None:
        return variant
    entry = found[0]
    by = entry.get("by")
    if not by or by not in options:
        return variant
    value = str(options[by])
    names = entry.get("names", {})
    if value not in names or names[value] == entry.get("name", key):  # e.g. average="binary": plain F1
        return variant
    if variant == value:
        return ""
    return ", ".join(part for part in variant.split(", ") if part != f"{by}={value}")


def verdict_key(verdict: Any, lang: str) -> str:
    """Return the compared score's name, with the variant when one metric appears with several option sets.

    The variant is added only where the name does not already say it (``micro-F1``, ``マイクロ平均F値``).
    """
    name = key_name(verdict.metric, verdict.key, lang, verdict.options)
    variant = _variant_beyond_name(verdict.metric, verdict.key, lang, dict(verdict.options or {}), verdict.variant)
    return f"{name} ({variant})" if variant else name


def verdict_sentence(verdict: Any, lang: str) -> str:
    """One sentence: B against A on one score, from the paired interval and the (Holm-corrected) test.

    "B is better than A on ROUGE-L by 2.1 points (95% interval of the difference 1.2 to 3.0); the
    difference is significant (p = 0.002; 0.006 after Holm's correction for 3 comparisons)."
    """
    test = verdict.test
    key = verdict_key(verdict, lang)
    scale = score_scale(verdict.metric, verdict.key)
    if verdict.direction == "undefined":
        return phrase("verdict_undefined", lang, key=key, a=verdict.a, b=verdict.b)
    if verdict.direction == "same":
        return phrase("verdict_same", lang, key=key, a=verdict.a, b=verdict.b)
    b_wins = verdict.direction == "better"
    winner, loser = (verdict.b, verdict.a) if b_wins else (verdict.a, verdict.b)
    # The interval of the winner's advantage, the size of B - A: mirrored when B - A is negative.
    low, high = test.interval
    if test.difference < 0:
        low, high = -high, -low
    holm = ""
    if verdict.comparisons > 1 and not verdict.duplicate_of:
        holm = phrase("holm_clause", lang, padj=p_cell(verdict.p_adjusted, test.n_resamples), m=verdict.comparisons)
    return phrase(
        "verdict_better" if verdict.significant else "verdict_ahead", lang, winner=winner, loser=loser, key=key,
        by=difference_text(test.difference, scale, lang), confidence=f"{test.confidence * 100:.0f}%",
        low=_plain(low, scale), high=_plain(high, scale), p=p_text(test.p_value, test.n_resamples), holm=holm,
    )


def power_sentences(verdict: Any, lang: str) -> list[str]:
    """Return what the test set could detect (one sentence), and for a difference not found, the examples it would need.

    Both come from the paired bootstrap's standard error of the difference
    (:mod:`nlpmetrics.power`): generic over every metric.  With several comparisons they are
    computed at Holm's strictest level (:attr:`Verdict.power_alpha
    <nlpmetrics.reporting.verdicts.Verdict.power_alpha>`), so that they agree with the corrected
    verdicts.  When the test set already has the examples the observed difference would need and
    the test still does not find it (near the threshold), no count is given: the sentence says the
    difference is not significant and more examples would settle it.
    """
    if verdict.direction == "undefined" or verdict.duplicate_of:
        return []
    scale = score_scale(verdict.metric, verdict.key)
    key = verdict_key(verdict, lang)
    reach = verdict.sensitivity
    if not math.isfinite(reach.detectable) or reach.detectable <= 0:
        return [phrase("power_no_spread", lang, key=key)] if verdict.direction == "same" else []
    size = difference_text(reach.detectable, scale, lang)
    several = verdict.comparisons > 1
    if several:
        sentences = [phrase("power_detectable_holm", lang, n=verdict.n, size=size, key=key,
                            level=holm_level_text(verdict.alpha, verdict.comparisons, lang))]
    else:
        sentences = [phrase("power_detectable", lang, n=verdict.n, size=size, key=key,
                            alpha=alpha_text(verdict.alpha, lang))]
    if not verdict.significant and reach.needed is not None:
        if reach.needed > verdict.n:
            sentences.append(phrase("power_needed", lang, by=difference_text(verdict.test.difference, scale, lang),
                                    needed=about(reach.needed)))
        elif several:
            sentences.append(phrase("power_unsettled_holm", lang, m=verdict.comparisons))
        else:
            sentences.append(phrase("power_unsettled", lang))
    return sentences


def verdict_cell(verdict: Any, lang: str) -> str:
    """Return the verdict column of a comparison table."""
    if verdict.duplicate_of:
        return phrase("cell_same", lang, key=key_name(verdict.metric, verdict.duplicate_of, lang, verdict.options))
    if verdict.direction == "same":
        return phrase("cell_equal", lang)
    if not verdict.significant:
        return phrase("cell_none", lang)
    return phrase("cell_better", lang, name=verdict.b if verdict.direction == "better" else verdict.a)


def comparison_sentence(test: Any, *, names: tuple[str, str], metric: str, higher_is_better: bool,
                        low_bound: float | None = None, lang: str = "en", variant: str = "",
                        options: Mapping[str, Any] | None = None, alpha: float | None = None) -> str:
    """Return the verdict sentence of one test alone (one comparison, no correction); see :func:`verdict_sentence`."""
    from nlpmetrics.reporting.verdicts import Verdict

    level = alpha if alpha is not None else 1.0 - test.confidence
    verdict = Verdict(a=names[0], b=names[1], metric=metric, key=test.key, variant=variant, test=test,
                      higher_is_better=higher_is_better, n=0, p_adjusted=test.p_value, comparisons=1,
                      alpha=level, options=dict(options or {}))
    return verdict_sentence(verdict, lang)
