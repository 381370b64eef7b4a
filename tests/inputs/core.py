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


@st.composite
def _label_sets(draw, min_size: int, max_size: int, labels: tuple) -> tuple[list, list]:
    """Equal-length lists of label collections (lists, tuples or sets, some empty); some reference has a label."""
    n = draw(st.integers(max(min_size, 1), max(max_size, 1)))
    one = st.frozensets(st.sampled_from(labels), max_size=3).flatmap(
        lambda labels: st.sampled_from([sorted(labels), tuple(sorted(labels)), set(labels)]))
    predictions = draw(st.lists(one, min_size=n, max_size=n))
    references = draw(st.lists(one, min_size=n, max_size=n))
    if not any(references):
        references[draw(st.integers(0, n - 1))] = [labels[0]]
    return predictions, references


def label_set_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """Multi-label examples: several integer or text labels per example (one kind per draw)."""
    return st.one_of(_label_sets(min_size, max_size, (0, 1, 2, 3)), _label_sets(min_size, max_size, ("spam", "税金")))


def int_label_set_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """Multi-label examples with integer labels (for the ``labels`` option)."""
    return _label_sets(min_size, max_size, (0, 1, 2, 3))


_PRF_OPTIONS = [
    {"average": "micro"},
    {"average": "macro", "zero_division": 1.0},
    {"average": "weighted"},
    {"average": "macro", "labels": [0, 1, 5], "zero_division": 1.0},
]
#: Option sets that take multi-label inputs (each differs from every single-label set above).  ``ignore_index``
#: is tested in tests/test_multilabel.py: the examples it drops are no examples, so ``n`` is not the input's length.
_PRF_OTHER_INPUTS = (
    ({"average": "micro", "zero_division": 1.0}, label_set_pairs),
    ({"average": "samples", "zero_division": 1.0}, label_set_pairs),
    ({"average": "weighted", "zero_division": 1.0}, label_set_pairs),
    ({"average": "macro", "labels": [0, 1, 5], "zero_division": 1.0, "ignore_index": None}, int_label_set_pairs),
)
#: Accuracy and Hamming loss: ``{}`` on one label per example, multi-label under the default written out.
_LABEL_OTHER_INPUTS = (({"ignore_index": None}, label_set_pairs),)


def _classification(options: list, others: tuple) -> MetricInputs:
    return MetricInputs(examples=label_pairs, options=[*options, *(o for o, _ in others)], examples_by_options=others)


INPUTS = {
    "accuracy": _classification([{}], _LABEL_OTHER_INPUTS),
    "hamming_loss": _classification([{}], _LABEL_OTHER_INPUTS),
    "precision": _classification(_PRF_OPTIONS, _PRF_OTHER_INPUTS),
    "recall": _classification(_PRF_OPTIONS, _PRF_OTHER_INPUTS),
    "f1": _classification(_PRF_OPTIONS, _PRF_OTHER_INPUTS),
    # a correlation of identical inputs is 1 only when they vary; constant inputs give nan
    "pearson": MetricInputs(examples=score_pairs, perfect_is_best=False),
    "spearman": MetricInputs(examples=score_pairs, perfect_is_best=False),
}
