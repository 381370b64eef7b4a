"""Verdicts of a set of paired comparisons: Holm's correction, scores equal by construction, detectable differences.

Generic over every metric: a verdict is read from a :class:`~nlpmetrics.resampling.PairedTest`
(its p-value, interval and bootstrap standard error) and the metric's direction.
All comparisons made together (every score of every metric, every system against
the baseline) form one family for Holm's correction, except a score that equals
another score of the same metric on both systems in every resample (ROUGE-Lsum
on texts without sentence breaks is ROUGE-L): it is shown as that score, not
counted as a finding of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nlpmetrics.power import POWER, Sensitivity, holm, sensitivity
from nlpmetrics.resampling import PairedTest


@dataclass(frozen=True)
class Verdict:
    """One compared score: system B against the baseline A, with its corrected verdict.

    Attributes
    ----------
    a, b : str
        Names of the baseline and of the system compared with it.
    metric, key : str
        Registry name and score key.
    variant : str
        What tells this metric apart from another of the same name in the report (``"macro"``), else empty.
    options : mapping
        The metric's options (the score's display name may depend on them).
    test : PairedTest
        The paired test of ``B - A``.
    higher_is_better : bool
        The metric's direction.
    n : int
        Paired examples.
    p_adjusted : float
        Holm-adjusted p-value within the family (the raw one for a duplicate, NaN when undefined).
    comparisons : int
        Size of the family.
    alpha : float
        Level of the verdicts (1 - the confidence level).
    duplicate_of : str
        The key this score equals by construction here, else empty.
    main : bool
        Whether the key is the metric's main (first) score.
    """

    a: str
    b: str
    metric: str
    key: str
    variant: str
    test: PairedTest
    higher_is_better: bool
    n: int
    p_adjusted: float
    comparisons: int
    alpha: float
    duplicate_of: str = ""
    main: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """Significant at ``alpha`` after Holm's correction (never for a duplicate or a zero difference)."""
        return (not self.duplicate_of and self.test.difference != 0 and not math.isnan(self.p_adjusted)
                and self.p_adjusted < self.alpha)

    @property
    def direction(self) -> str:
        """``"better"`` or ``"worse"`` (B against A, by the metric's direction), ``"same"`` or ``"undefined"``."""
        difference = self.test.difference
        if math.isnan(difference):
            return "undefined"
        if difference == 0:
            return "same"
        return "better" if (difference > 0) == self.higher_is_better else "worse"

    @property
    def power_alpha(self) -> float:
        """The level detectable differences are computed at: Holm's strictest level, ``alpha / comparisons``.

        Holm's correction compares the smallest p-value of the family with ``alpha / m`` and the others with
        larger levels, but only once every smaller p-value has passed; a difference this comparison finds
        8 times in 10 at ``alpha / m`` is therefore found whatever the other comparisons show, so the
        detectable difference agrees with the corrected verdicts (``alpha`` itself for one comparison).
        """
        return self.alpha / max(1, self.comparisons)

    @property
    def sensitivity(self) -> Sensitivity:
        """Smallest difference found 8 times in 10 at :attr:`power_alpha`; examples needed for the observed one."""
        return sensitivity(self.test.difference, self.test.standard_error, self.n, alpha=self.power_alpha,
                           power=POWER)


def _identical(x: PairedTest, y: PairedTest) -> bool:
    return (x.a, x.b, x.difference, x.interval, x.p_value) == (y.a, y.b, y.difference, y.interval, y.p_value)


def judge(compared: Iterable[tuple[str, str, Any]], *, alpha: float) -> list[Verdict]:
    """Verdicts of ``(baseline name, other name, MetricComparison)`` triples, corrected together.

    A score whose test is identical to an earlier score's of the same metric
    (both systems' values, the difference, its interval and p-value) is marked
    ``duplicate_of`` that key and left out of the family.
    """
    rows: list[dict[str, Any]] = []
    for a, b, comparison in compared:
        seen: list[tuple[str, PairedTest]] = []
        for position, (key, test) in enumerate(comparison.tests.items()):
            twin = next((k for k, t in seen if _identical(t, test)), "")
            seen.append((key, test))
            rows.append({"a": a, "b": b, "metric": comparison.metric, "key": key, "variant": comparison.variant,
                         "test": test, "higher_is_better": comparison.higher_is_better, "n": comparison.n,
                         "duplicate_of": twin, "main": position == 0,
                         "options": dict(getattr(comparison, "options", {}) or {})})
    counted = [i for i, row in enumerate(rows) if not row["duplicate_of"] and not math.isnan(row["test"].p_value)]
    adjusted = holm([rows[i]["test"].p_value for i in counted])
    by_row = dict(zip(counted, adjusted, strict=True))
    return [Verdict(**row, p_adjusted=by_row.get(i, row["test"].p_value), comparisons=len(counted), alpha=alpha)
            for i, row in enumerate(rows)]
