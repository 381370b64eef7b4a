"""Detectable differences and examples needed, checked against simulated test sets; Holm's correction."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.power import (
    detectable_difference,
    examples_needed,
    holm,
    sensitivity,
    standard_error_of_mean,
    z_sum,
)
from nlpmetrics.resampling import paired_test


def _pairs(n: int, shift: float, discordant: float, rng: np.random.Generator) -> tuple[list, list, list]:
    """Draw labels of two classifiers on ``n`` examples that disagree on a share ``discordant``.

    B is right on ``(discordant + shift) / 2`` of them and A on the rest, so B's accuracy is higher by ``shift``.
    """
    kind = rng.choice(4, size=n, p=[(1 - discordant) / 2, (1 - discordant) / 2, (discordant - shift) / 2,
                                    (discordant + shift) / 2])
    refs = rng.integers(0, 2, n)
    a_right = (kind == 0) | (kind == 2)
    b_right = (kind == 0) | (kind == 3)
    a = np.where(a_right, refs, 1 - refs)
    b = np.where(b_right, refs, 1 - refs)
    return a.tolist(), b.tolist(), refs.tolist()


def _true_detectable(n: int, discordant: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Return the shift that equals the detectable difference of its own population.

    Per-example differences are -1, 0, 1 with variance ``discordant - shift**2``, so
    ``shift**2 = z**2 * discordant / (n + z**2)``.
    """
    z = z_sum(alpha, power)
    return z * math.sqrt(discordant / (n + z * z))


def _significant_share(n: int, shift: float, discordant: float, runs: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    accuracy = nm.load("accuracy")
    hits = 0
    for run in range(runs):
        a, b, refs = _pairs(n, shift, discordant, rng)
        rows_a = accuracy.empty_like().update(predictions=a, references=refs).rows()
        rows_b = accuracy.empty_like().update(predictions=b, references=refs).rows()
        test = paired_test(accuracy, rows_a, rows_b, n_resamples=400, seed=run)["accuracy"]
        hits += test.p_value < 0.05
    return hits / runs


def test_z_sum_is_the_textbook_value():
    assert z_sum(0.05, 0.8) == pytest.approx(1.959964 + 0.841621, abs=1e-5)
    assert z_sum(0.01, 0.9) == pytest.approx(2.575829 + 1.281552, abs=1e-5)
    from scipy.stats import norm  # scipy is a dependency of nlpmetrics
    for alpha, power in [(0.05, 0.8), (0.01, 0.9), (0.1, 0.5), (0.001, 0.99)]:
        expected = norm.ppf(1 - alpha / 2) + norm.ppf(power)
        assert z_sum(alpha, power) == pytest.approx(expected, rel=1e-12, abs=1e-12), (alpha, power)
    with pytest.raises(nm.InputError, match="alpha"):
        z_sum(1.5)
    with pytest.raises(nm.InputError, match="power"):
        z_sum(0.05, 0.0)


def test_the_bootstrap_standard_error_matches_the_per_example_one():
    """For a mean over examples the paired bootstrap's spread is the textbook standard error of the mean."""
    rng = np.random.default_rng(0)
    a, b, refs = _pairs(600, 0.04, 0.3, rng)
    accuracy = nm.load("accuracy")
    rows_a = accuracy.empty_like().update(predictions=a, references=refs).rows()
    rows_b = accuracy.empty_like().update(predictions=b, references=refs).rows()
    test = paired_test(accuracy, rows_a, rows_b, n_resamples=4000, seed=1)["accuracy"]
    differences = (np.array(b) == refs).astype(float) - (np.array(a) == refs)
    assert test.standard_error == pytest.approx(standard_error_of_mean(differences), rel=0.06)


def test_a_difference_of_the_detectable_size_is_found_four_times_in_five():
    """Simulated test sets whose true difference is the detectable difference: the paired test finds ~80%."""
    n, discordant = 300, 0.3
    shift = _true_detectable(n, discordant)
    # One test set's own estimate lands near the population's detectable difference.
    a, b, refs = _pairs(n, shift, discordant, np.random.default_rng(3))
    accuracy = nm.load("accuracy")
    test = paired_test(accuracy, accuracy.empty_like().update(predictions=a, references=refs).rows(),
                       accuracy.empty_like().update(predictions=b, references=refs).rows(), seed=0)["accuracy"]
    assert detectable_difference(test.standard_error) == pytest.approx(shift, rel=0.15)
    share = _significant_share(n, shift, discordant, runs=300, seed=4)
    assert 0.72 <= share <= 0.88, share  # 0.80 within about three standard errors of 300 runs
    assert _significant_share(n, shift / 2, discordant, runs=200, seed=5) < 0.45, "half the size is often missed"


def test_the_examples_needed_detect_the_observed_difference_four_times_in_five():
    """A small observed difference on 150 examples; at the number of examples said to be needed, ~80% found."""
    discordant, shift, n = 0.3, 0.05, 150
    z = z_sum()
    standard_error = math.sqrt((discordant - shift**2) / n)  # the population's, on n examples
    needed = examples_needed(shift, standard_error, n)
    assert needed == math.ceil(z**2 * (discordant - shift**2) / shift**2)
    share = _significant_share(needed, shift, discordant, runs=200, seed=6)
    assert 0.70 <= share <= 0.90, (needed, share)


def test_nothing_to_scale_gives_none():
    assert examples_needed(0.0, 0.01, 100) is None
    assert examples_needed(math.nan, 0.01, 100) is None
    assert examples_needed(0.02, 0.0, 100) is None
    assert math.isnan(detectable_difference(math.nan))
    assert math.isnan(standard_error_of_mean([1.0]))
    result = sensitivity(0.01, 0.01, 400)
    assert result.detectable == pytest.approx(0.028, abs=1e-3)
    assert result.needed == math.ceil(400 * 2.8016**2)


def test_holm_adjusts_step_down_and_keeps_the_order():
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max 0.06
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    with_nan = holm([0.5, math.nan])
    assert with_nan[0] == 0.5, "an undefined p-value is not counted"
    assert math.isnan(with_nan[1]), "an undefined p-value is not counted"
    assert holm([0.4, 0.9]) == [0.8, 0.9]
    assert holm([]) == []
