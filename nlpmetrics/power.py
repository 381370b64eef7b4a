"""How much a paired comparison can tell: detectable differences, examples needed, Holm's correction.

Generic over every metric: everything here starts from the standard error of
a difference between two systems on the same examples, either the standard
deviation of the paired-bootstrap differences (:attr:`PairedTest.standard_error
<nlpmetrics.resampling.PairedTest.standard_error>`, any metric, corpus-level
ones such as BLEU included) or, for a score that is a mean over examples, the
per-example differences themselves (:func:`standard_error_of_mean`).

With a two-sided test at level ``alpha`` and a standard error ``se``, a true
difference ``delta`` is found with probability about ``power`` when
``delta = (z(1 - alpha / 2) + z(power)) * se`` (the normal approximation
behind every sample-size table).  The standard error of a difference shrinks
as one over the square root of the number of examples, so the examples needed
to detect a difference ``d`` are ``n * (detectable / d) ** 2``.  Both are
checked against simulated test sets in ``tests/test_power.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from nlpmetrics.errors import InputError

#: The power a "detectable" difference is found with (the usual 80%).
POWER = 0.8


def _check_level(alpha: float, power: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha={alpha!r} must lie strictly between 0 and 1 (e.g. 0.05)", argument="alpha")
    if not 0.0 < power < 1.0:
        raise InputError(f"power={power!r} must lie strictly between 0 and 1 (e.g. 0.8)", argument="power")


def z_sum(alpha: float = 0.05, power: float = POWER) -> float:
    """``z(1 - alpha / 2) + z(power)``: detectable differences in units of the standard error (2.80 for 0.05, 0.8)."""
    _check_level(alpha, power)
    normal = NormalDist()
    return normal.inv_cdf(1.0 - alpha / 2.0) + normal.inv_cdf(power)


def standard_error_of_mean(differences: Sequence[float] | np.ndarray) -> float:
    """Return the standard error of the mean of per-example differences ``b_i - a_i`` (NaN below two finite values)."""
    values = np.asarray(differences, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size < 2:
        return math.nan
    return float(np.std(values, ddof=1) / math.sqrt(values.size))


def detectable_difference(standard_error: float, *, alpha: float = 0.05, power: float = POWER) -> float:
    """Return the smallest true difference a two-sided test at ``alpha`` finds with probability ``power``.

    Parameters
    ----------
    standard_error : float
        Standard error of the difference on this test set (the paired
        bootstrap's, or :func:`standard_error_of_mean` of per-example differences).
    alpha : float
        Level of the test (1 - the confidence level).
    power : float
        Probability of finding a true difference of the returned size.
    """
    if not math.isfinite(standard_error):
        return math.nan
    return z_sum(alpha, power) * standard_error


def examples_needed(difference: float, standard_error: float, n: int, *, alpha: float = 0.05,
                    power: float = POWER) -> int | None:
    """About how many examples a test set needs to detect a true difference of ``difference``.

    The standard error on ``n`` examples scales as ``1 / sqrt(n)``, so the
    answer is ``n * (detectable / difference) ** 2``, rounded up.  ``None``
    when it cannot be said: no difference (0 or NaN), or no spread to scale.
    """
    detectable = detectable_difference(standard_error, alpha=alpha, power=power)
    if not (math.isfinite(detectable) and detectable > 0 and math.isfinite(difference) and difference != 0 and n > 0):
        return None
    return max(1, math.ceil(n * (detectable / abs(difference)) ** 2))


@dataclass(frozen=True)
class Sensitivity:
    """What one comparison could detect.

    Attributes
    ----------
    detectable : float
        Smallest true difference found with probability ``power`` at ``alpha`` on these examples.
    needed : int or None
        Examples needed to detect the observed difference (``None`` when it is 0 or undefined).
    alpha, power : float
        The level and power used.
    """

    detectable: float
    needed: int | None
    alpha: float
    power: float


def sensitivity(difference: float, standard_error: float, n: int, *, alpha: float = 0.05,
                power: float = POWER) -> Sensitivity:
    """:func:`detectable_difference` and :func:`examples_needed` of one comparison together."""
    return Sensitivity(detectable=detectable_difference(standard_error, alpha=alpha, power=power),
                       needed=examples_needed(difference, standard_error, n, alpha=alpha, power=power),
                       alpha=alpha, power=power)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as given; NaN stays NaN and is not counted).

    Compare each adjusted p-value with the level: the family of comparisons
    then has at most that chance of any false "significant" verdict (Holm,
    1979), uniformly better than the Bonferroni correction.
    """
    values = [float(p) for p in p_values]
    order = sorted((i for i, p in enumerate(values) if not math.isnan(p)), key=lambda i: values[i])
    m = len(order)
    adjusted = [math.nan] * len(values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * values[index]))
        adjusted[index] = running
    return adjusted
