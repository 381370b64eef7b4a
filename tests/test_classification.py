"""accuracy, precision, recall and f1 against scikit-learn on the same inputs (exact equality)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

import nlpmetrics as nm

PRF = ("precision", "recall", "f1")
AVERAGES = ("micro", "macro", "weighted")


def reference(y_true, y_pred, **options):
    """scikit-learn's (precision, recall, f1) with the same options, warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, **options)
    return dict(zip(PRF, (p, r, f), strict=True))


def ours(predictions, references, **options):
    return {name: nm.compute(name, predictions=predictions, references=references, **options)[name] for name in PRF}


def assert_identical(got, expected):
    for key, value in expected.items():
        value = float(value)
        assert got[key] == value or (math.isnan(got[key]) and math.isnan(value)), (key, got[key], value)


def random_labels(rng, n, k, kind):
    y, p = rng.integers(0, k, n), rng.integers(0, k, n)
    if kind == "str":
        names = np.array([f"class-{i}" for i in range(k)])
        return names[y], names[p]
    return y, p


# Sizes 1..10^5, 2..50 classes, int and text labels; every average and zero_division.
RANDOM_CASES = [
    pytest.param(n, k, kind, id=f"n{n}-k{k}-{kind}")
    for n, k in [(1, 2), (2, 2), (7, 3), (50, 5), (300, 50), (2_000, 20), (100_000, 50)]
    for kind in ("int", "str")
]


@pytest.mark.parametrize(("n", "k", "kind"), RANDOM_CASES)
def test_random_labels_match_sklearn(n, k, kind):
    rng = np.random.default_rng(n * 100 + k)
    y, p = random_labels(rng, n, k, kind)
    assert nm.compute("accuracy", predictions=p, references=y)["accuracy"] == accuracy_score(y, p)
    assert nm.compute("accuracy", predictions=p.tolist(), references=y.tolist())["accuracy"] == accuracy_score(y, p)
    for average in AVERAGES:
        for zero_division in (0.0, 1.0, math.nan) if n < 100_000 else (0.0,):  # keep the big case quick
            options = {"average": average, "zero_division": zero_division}
            assert_identical(ours(p, y, **options), reference(y, p, **options))


@pytest.mark.parametrize("seed", range(40))
def test_many_small_random_cases_with_label_options(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 40)), int(rng.integers(2, 8))
    kind = ("int", "str")[seed % 2]
    y, p = random_labels(rng, n, k, kind)
    universe = sorted(set(y.tolist()) | set(p.tolist()))
    absent = "never-seen" if kind == "str" else 99
    for labels in (None, universe[:1], universe[::-1], [*universe[: max(1, len(universe) // 2)], absent], [absent]):
        for average in AVERAGES:
            zero_division = (0.0, 1.0, math.nan)[seed % 3]
            options = {"average": average, "zero_division": zero_division, "labels": labels}
            assert_identical(ours(p.tolist(), y.tolist(), **options), reference(y, p, **options))


@pytest.mark.parametrize("seed", range(20))
def test_binary_with_pos_label_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    for pos_label in (0, 1):
        for zero_division in (0.0, 1.0, math.nan):
            options = {"average": "binary", "pos_label": pos_label, "zero_division": zero_division}
            assert_identical(ours(p, y, **options), reference(y, p, **options))
    names = np.array(["spam", "ham"])
    options = {"average": "binary", "pos_label": "spam"}
    assert_identical(ours(names[p].tolist(), names[y].tolist(), **options), reference(names[y], names[p], **options))


def test_bool_labels_match_sklearn():
    rng = np.random.default_rng(3)
    y, p = rng.random(200) < 0.3, rng.random(200) < 0.5
    assert nm.compute("accuracy", predictions=p.tolist(), references=y.tolist())["accuracy"] == accuracy_score(y, p)
    for options in ({"average": "binary"}, {"average": "binary", "pos_label": False}, {"average": "macro"}):
        assert_identical(ours(p.tolist(), y.tolist(), **options), reference(y, p, **options))
        assert_identical(ours(p, y, **options), reference(y, p, **options))


def test_whole_floats_are_labels():
    y, p = [1.0, 2.0, 3.0, 2.0, 1.0], [1.0, 2.0, 2.0, 2.0, 3.0]
    for average in AVERAGES:
        assert_identical(ours(p, y, average=average), reference(y, p, average=average))
    for average in AVERAGES:
        assert_identical(ours(np.array(p), np.array(y), average=average), reference(y, p, average=average))
    assert_identical(ours(p[:2], y[:2], average="binary", pos_label=2.0),
                     reference(y[:2], p[:2], average="binary", pos_label=2.0))


def test_labels_present_on_only_one_side():
    y = ["cat", "cat", "dog", "dog", "bird"]
    p = ["cat", "fish", "dog", "cat", "cat"]  # fish only predicted, bird only in references
    for average in AVERAGES:
        for zero_division in (0.0, 1.0, math.nan):
            options = {"average": average, "zero_division": zero_division}
            assert_identical(ours(p, y, **options), reference(y, p, **options))


def test_empty_class_with_zero_division_nan_is_ignored_in_the_average():
    y, p = [0, 0, 1, 1], [0, 0, 0, 0]  # class 1 never predicted: its precision is undefined
    options = {"average": "macro", "zero_division": math.nan}
    assert_identical(ours(p, y, **options), reference(y, p, **options))
    assert_identical(ours([0, 0], [0, 0], average="macro", labels=[5], zero_division=math.nan),
                     reference([0, 0], [0, 0], average="macro", labels=[5], zero_division=math.nan))


def test_numpy_integer_dtypes_and_large_offsets():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, 500) + 10**12
    p = rng.integers(0, 4, 500) + 10**12
    for dtype in (np.int8, np.int32, np.uint16, np.int64):
        yy, pp = (y - 10**12).astype(dtype), (p - 10**12).astype(dtype)
        assert_identical(ours(pp, yy, average="macro"), reference(yy, pp, average="macro"))
    assert_identical(ours(p, y, average="weighted"), reference(y, p, average="weighted"))
    sparse_y, sparse_p = y * 7919, p * 7919  # labels far apart: not the dense path
    assert_identical(ours(sparse_p, sparse_y, average="macro"), reference(sparse_y, sparse_p, average="macro"))


def test_details_hold_per_class_table_and_confusion_matrix():
    y = ["a", "b", "c", "a", "b", "c", "a"]
    p = ["a", "b", "b", "a", "c", "c", "c"]
    result = nm.compute("f1", predictions=p, references=y, average="macro")
    p_ref, r_ref, f_ref, support = precision_recall_fscore_support(y, p, average=None)
    table = result.details["per_class"]
    assert list(table["label"]) == ["a", "b", "c"]
    np.testing.assert_array_equal(table["precision"], p_ref)
    np.testing.assert_array_equal(table["recall"], r_ref)
    np.testing.assert_array_equal(table["f1"], f_ref)
    np.testing.assert_array_equal(table["support"], support)
    assert result.details["confusion_matrix"]["labels"] == ("a", "b", "c")
    np.testing.assert_array_equal(result.details["confusion_matrix"]["counts"], confusion_matrix(y, p))
    assert result.details["correct"] == 4
    assert nm.compute("accuracy", predictions=p, references=y).details["correct"] == 4


def test_per_example_marks_correct_examples():
    result = nm.compute("accuracy", predictions=[1, 2, 3], references=[1, 0, 3])
    np.testing.assert_array_equal(result.per_example["correct"], [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="read-only"):
        result.per_example["correct"][0] = 0.0
    assert nm.compute("f1", predictions=[1, 2, 3], references=[1, 0, 3], average="macro").per_example is None


def test_bootstrap_weights_see_only_drawn_labels():
    """Aggregate with integer weights equals sklearn on the rows repeated that many times."""
    rng = np.random.default_rng(11)
    y, p = rng.integers(0, 6, 40), rng.integers(0, 6, 40)
    weights = rng.integers(0, 3, 40).astype(float)
    repeated = np.repeat(np.arange(40), weights.astype(int))
    for name in PRF:
        for average in AVERAGES:
            metric = nm.load(name, average=average)
            metric.update(predictions=p, references=y)
            got = metric.aggregate(metric.rows(), weights)[name]
            expected = reference(y[repeated], p[repeated], average=average)[name]
            assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-15), (name, average, got, expected)
    metric = nm.load("accuracy").update(predictions=p, references=y)
    assert math.isclose(metric.aggregate(metric.rows(), weights)["accuracy"], accuracy_score(y[repeated], p[repeated]))


@settings(max_examples=30)
@given(
    pair=st.integers(1, 25).flatmap(lambda n: st.tuples(
        st.lists(st.sampled_from(["x", "y", "z", "猫"]), min_size=n, max_size=n),
        st.lists(st.sampled_from(["x", "y", "z", "猫"]), min_size=n, max_size=n))),
    average=st.sampled_from(AVERAGES),
    zero_division=st.sampled_from([0.0, 1.0, math.nan]),
)
def test_hypothesis_text_labels_match_sklearn(pair, average, zero_division):
    p, y = pair
    options = {"average": average, "zero_division": zero_division}
    assert_identical(ours(p, y, **options), reference(y, p, **options))


def test_binary_errors_name_the_fix():
    with pytest.raises(nm.InputError, match=r"average='binary' needs at most two classes.*choose average="):
        nm.compute("f1", predictions=[0, 1, 2], references=[0, 1, 2], average="binary")
    with pytest.raises(nm.InputError, match="pos_label=1 is not one of the labels"):
        nm.compute("f1", predictions=[2, 3], references=[3, 2], average="binary")
    with pytest.raises(nm.InputError, match="labels in the data are text"):
        nm.compute("f1", predictions=["a", "b"], references=["b", "a"], average="binary")


@pytest.mark.parametrize("multilabel", [False, True])
def test_a_label_no_example_has_still_counts_in_the_macro_average_and_is_named(multilabel):
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    from nlpmetrics.metrics._prf import LabelWarning

    if multilabel:
        predictions, references = [["a", "b"], ["b"], ["a"]], [["a"], ["b", "c"], ["a"]]
        binarizer = MultiLabelBinarizer(classes=["a", "b", "c", "zzz"]).fit([])
        y_true, y_pred = binarizer.transform(references), binarizer.transform(predictions)
    else:
        predictions, references = ["a", "b", "b", "a"], ["a", "b", "a", "a"]
        y_true, y_pred = references, predictions
    labels = ["a", "b", "zzz"]
    with pytest.warns(LabelWarning, match=r"1 of 3 labels \('zzz'\) appears in no prediction and no reference") as seen:
        result = nm.compute("f1", predictions=predictions, references=references, average="macro", labels=labels)
    assert [w.message.code for w in seen if isinstance(w.message, LabelWarning)] == ["labels_without_examples"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        sk_labels = [0, 1, 3] if multilabel else labels
        assert result["f1"] == f1_score(y_true, y_pred, average="macro", labels=sk_labels, zero_division=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelWarning)  # every label has an example: no warning
        nm.compute("f1", predictions=predictions, references=references, average="macro")
