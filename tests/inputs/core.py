"""Inputs for the core metrics: accuracy, precision/recall/F1, Pearson and Spearman."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs


def label_pairs(min_size: int, max_size: int, labels=(0, 1, 2, 3)) -> st.SearchStrategy:
    """Equal-length lists of class labels drawn from ``labels``."""
    label = st.sampled_from(labels)
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(label, min_size=n, max_size=n), st.lists(label, min_size=n, max_size=n))
    )


def text_label_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """Equal-length lists of text labels (Japanese included)."""
    return label_pairs(min_size, max_size, labels=("pos", "neg", "中立"))


def binary_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    return label_pairs(min_size, max_size, labels=(0, 1))


def score_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """Equal-length lists of real scores (ties likely: a few distinct values plus noise)."""
    value = st.one_of(
        st.sampled_from([0.0, 0.5, 1.0, 2.5, 5.0]),
        st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64),
    )
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(value, min_size=n, max_size=n), st.lists(value, min_size=n, max_size=n))
    )


_PRF_OPTIONS = [
    {"average": "micro"},
    {"average": "macro", "zero_division": 1.0},
    {"average": "weighted"},
    {"average": "macro", "labels": [0, 1, 5], "zero_division": 1.0},
]

INPUTS = {
    "accuracy": MetricInputs(examples=label_pairs),
    "precision": MetricInputs(examples=label_pairs, options=_PRF_OPTIONS),
    "recall": MetricInputs(examples=label_pairs, options=_PRF_OPTIONS),
    "f1": MetricInputs(examples=label_pairs, options=_PRF_OPTIONS),
    # a correlation of identical inputs is 1 only when they vary; constant inputs give nan
    "pearson": MetricInputs(examples=score_pairs, perfect_is_best=False),
    "spearman": MetricInputs(examples=score_pairs, perfect_is_best=False),
}
