"""How each score is named and written for a reader, read from the metrics' cards.

A card's ``[scores.<key>]`` table gives the score's display ``name`` and its
``scale``; a name may depend on an option (``by = "average"`` with
``names = {macro = "macro-F1", ...}``: the averaging is part of the name), and a
key with a cut-off (``recall@10``) is found under its pattern (``"recall@k"``,
the name may use ``{k}``).  Scales:

``percent``
    A proportion shown as a percentage: ``0.873`` -> ``87.3%`` (accuracy,
    precision, recall, F1, exact match).
``points``
    An overlap score on the 0-100 scale its paper uses, without a percent
    sign: ``0.2734`` -> ``27.3`` (BLEU, chrF, TER, ROUGE, BERTScore).
``coefficient``
    A correlation, two decimals: ``0.8123`` -> ``0.81``.

``Result.scores`` stay fractions; only what a reader sees is scaled.  A metric
without a card (a plug-in) is shown by its key, as a percentage (or a
coefficient when its scores can be negative).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

SCALES = ("percent", "points", "coefficient")
_CUTOFF = re.compile(r"^(?P<base>.+)@(?P<k>\d+)$")


def _card_data(metric: str, lang: str) -> dict[str, Any] | None:
    from nlpmetrics.explanations.cards import read_card_data

    return read_card_data(metric, lang)


def score_entry(metric: str, key: str, lang: str = "en") -> tuple[dict[str, Any], dict[str, str]] | None:
    """Return the card's ``[scores]`` entry of ``key`` and the values its name may use (``{"k": "10"}``), or None."""
    data = _card_data(metric, lang)
    scores = (data or {}).get("scores", {})
    if key in scores:
        return scores[key], {}
    match = _CUTOFF.match(key)
    if match and f"{match['base']}@k" in scores:
        return scores[f"{match['base']}@k"], {"k": match["k"]}
    return None


def _low_bound(metric: str) -> float:
    from nlpmetrics.errors import UnknownMetricError
    from nlpmetrics.registry import metric_class

    try:
        return float(metric_class(metric).bounds[0])
    except UnknownMetricError:
        return 0.0


def score_scale(metric: str, key: str) -> str:
    """``"percent"``, ``"points"`` or ``"coefficient"``: how a score of ``metric`` is written."""
    found = score_entry(metric, key)
    if found and found[0].get("scale") in SCALES:
        return found[0]["scale"]
    return "coefficient" if _low_bound(metric) < 0 else "percent"


def score_name(metric: str, key: str, lang: str = "en", options: Mapping[str, Any] | None = None) -> str:
    """Return the reader's name of a score: ``rougeL`` -> ``ROUGE-L``, ``f1`` with ``average="macro"`` -> ``macro-F1``.

    ``options`` are the metric's options (a result's ``options``); without them
    an option-dependent name takes the option's default.
    """
    found = score_entry(metric, key, lang)
    if found is None:
        return key
    entry, values = found
    name = str(entry.get("name", key))
    option = entry.get("by")
    if option:
        chosen = (options or {}).get(option, _default_option(metric, option))
        name = str(entry.get("names", {}).get(str(chosen), name))
    return name.format(**values) if values else name


def base_score_name(metric: str, key: str, lang: str = "en") -> str:
    """Return the name of a score without its averaging (a per-class table's ``F1`` column)."""
    found = score_entry(metric, key, lang)
    return str(found[0].get("name", key)) if found else key


def _default_option(metric: str, option: str) -> Any:
    from nlpmetrics.errors import UnknownMetricError
    from nlpmetrics.registry import metric_class

    try:
        declared = metric_class(metric).options.get(option)
    except UnknownMetricError:
        return None
    return declared.default if declared is not None else None


def format_value(value: float | None, scale: str) -> str:
    """Format a score as a reader sees it: ``87.3%``, ``27.3`` or ``0.81``; ``n/a`` when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if scale == "coefficient":
        return f"{value:.2f}"
    shown = f"{value * 100:.1f}"
    return shown + "%" if scale == "percent" else shown


def format_amount(value: float, scale: str, *, signed: bool = False) -> str:
    """Format a difference as a number without a unit: ``2.7`` (points of a 0-100 scale) or ``0.05`` (a coefficient)."""
    if math.isnan(value):
        return "n/a"
    sign = "+" if signed else ""
    return f"{value:{sign}.2f}" if scale == "coefficient" else f"{value * 100:{sign}.1f}"


def scale_of_bounds(low_bound: float) -> str:
    """Return the scale of a score known only by its lower bound (no card): a coefficient below 0, else a percentage."""
    return "coefficient" if low_bound < 0 else "percent"
