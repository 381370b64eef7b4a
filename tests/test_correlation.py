"""pearson and spearman against scipy.stats on the same inputs (bit-for-bit)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import nlpmetrics as nm
from nlpmetrics.metrics.correlation import ConstantInputWarning


def scipy_scores(x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"pearson": float(stats.pearsonr(x, y).statistic), "spearman": float(stats.spearmanr(x, y).statistic)}


def ours(x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantInputWarning)  # constant draws: nan on both sides, checked below
        return {name: nm.compute(name, predictions=x, references=y)[name] for name in ("pearson", "spearman")}


def assert_identical(got, expected):
    for key, value in expected.items():
        assert got[key] == value or (math.isnan(got[key]) and math.isnan(value)), (key, got[key], value)


def random_pair(rng, n, kind):
    x = rng.normal(size=n)
    y = 0.7 * x + rng.normal(size=n)
    if kind == "offset":  # a large common offset: naive sums of squares lose every digit
        return 1e9 + x * 1e-3, 1e9 + y * 1e-3
    if kind == "ties":
        return rng.integers(0, 5, n).astype(float), rng.integers(0, 3, n).astype(float)
    if kind == "ints":
        return rng.integers(-50, 50, n), rng.integers(-50, 50, n)
    if kind == "tiny":
        return x * 1e-200, y * 1e-200
    return x, y


@pytest.mark.parametrize("n", [2, 3, 5, 10, 100, 1_000, 100_000])
@pytest.mark.parametrize("kind", ["normal", "offset", "ties", "ints", "tiny"])
def test_random_inputs_match_scipy(n, kind):
    rng = np.random.default_rng(n)
    x, y = random_pair(rng, n, kind)
    assert_identical(ours(x, y), scipy_scores(x, y))
    if n <= 1_000:
        assert_identical(ours(x.tolist(), y.tolist()), scipy_scores(x, y))


@pytest.mark.parametrize("seed", range(30))
def test_many_seeded_cases_match_scipy(seed):
    rng = np.random.default_rng(1000 + seed)
    x, y = random_pair(rng, int(rng.integers(3, 400)), ("normal", "offset", "ties", "ints")[seed % 4])
    assert_identical(ours(x, y), scipy_scores(x, y))


def test_large_offset_stays_exact():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=1000)
    x = 1e9 + noise
    y = 1e9 + 2 * noise + rng.normal(size=1000) * 0.1
    shifted = ours(x, y)
    centred = ours(noise, 2 * noise + (y - 1e9 - 2 * noise))
    assert shifted["pearson"] == scipy_scores(x, y)["pearson"]
    assert math.isclose(shifted["pearson"], centred["pearson"], rel_tol=1e-6)
    assert shifted["pearson"] > 0.99


@pytest.mark.parametrize("name", ["pearson", "spearman"])
def test_constant_input_is_nan_with_a_warning_naming_the_cause(name):
    with pytest.warns(ConstantInputWarning, match="predictions are all equal.*not defined.*nan, not 0"):
        result = nm.compute(name, predictions=[3.0, 3.0, 3.0], references=[1.0, 2.0, 3.0])
    assert math.isnan(result[name])
    with pytest.warns(ConstantInputWarning, match="references are all equal"):
        assert math.isnan(nm.compute(name, predictions=[1, 2, 3], references=[5, 5, 5])[name])
    with pytest.warns(ConstantInputWarning, match="at least two examples"):
        assert math.isnan(nm.compute(name, predictions=[1.0], references=[2.0])[name])
    assert result.to_dict()["scores"][name] is None
    assert "n/a" in result.explain()


@pytest.mark.parametrize("name", ["pearson", "spearman"])
def test_perfect_and_reversed(name):
    x = [0.1, 0.5, 0.2, 0.9, 0.4]
    assert math.isclose(nm.compute(name, predictions=x, references=x)[name], 1.0, abs_tol=1e-12)
    assert math.isclose(nm.compute(name, predictions=x, references=[-v for v in x])[name], -1.0, abs_tol=1e-12)


@pytest.mark.parametrize("name", ["pearson", "spearman"])
def test_weighted_aggregate_equals_repeated_rows(name):
    """The bootstrap passes weights: weights of k equal the row repeated k times."""
    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 6, 60).astype(float), rng.normal(size=60)
    weights = rng.integers(0, 4, 60).astype(float)
    repeated = np.repeat(np.arange(60), weights.astype(int))
    metric = nm.load(name).update(predictions=x, references=y)
    got = metric.aggregate(metric.rows(), weights)[name]
    expected = scipy_scores(x[repeated], y[repeated])[name]
    assert math.isclose(got, expected, rel_tol=1e-12), (got, expected)


@pytest.mark.parametrize("name", ["pearson", "spearman"])
def test_weighted_constant_among_drawn_rows_is_nan(name):
    metric = nm.load(name).update(predictions=[0.1, 0.1, 0.1, 5.0], references=[1.0, 2.0, 3.0, 4.0])
    with pytest.warns(ConstantInputWarning):
        assert math.isnan(metric.aggregate(metric.rows(), np.array([3.0, 2.0, 1.0, 0.0]))[name])


@settings(max_examples=40)
@given(
    pair=st.integers(2, 30).flatmap(lambda n: st.tuples(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=n, max_size=n),
        st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.5]), min_size=n, max_size=n))),
)
def test_hypothesis_matches_scipy(pair):
    x, y = (np.asarray(v, dtype=float) for v in pair)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_identical(ours(x, y), scipy_scores(x, y))


def test_details_describe_both_sides():
    result = nm.compute("pearson", predictions=[1.0, 2.0, 3.0], references=[2.0, 4.0, 7.0])
    assert result.details["prediction_mean"] == 2.0
    assert math.isclose(result.details["reference_mean"], 13 / 3)
