"""Bad input raises InputError (a ValueError) naming the argument, the index or count, and the fix."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nlpmetrics as nm

LABEL_METRICS = ["accuracy", "precision", "recall", "f1"]
NUMBER_METRICS = ["pearson", "spearman"]
CORE = LABEL_METRICS + NUMBER_METRICS


@pytest.mark.parametrize("name", CORE)
def test_length_mismatch_names_both_counts(name):
    with pytest.raises(nm.InputError, match=r"predictions has 3 entries but references has 2; pass one reference"):
        nm.compute(name, predictions=[1, 2, 3], references=[1, 2])


@pytest.mark.parametrize("name", CORE)
def test_empty_input(name):
    with pytest.raises(nm.InputError, match=rf"no examples to score with '{name}': pass non-empty predictions"):
        nm.compute(name, predictions=[], references=[])


@pytest.mark.parametrize("name", CORE)
@pytest.mark.parametrize("side", ["predictions", "references"])
def test_none_as_a_whole_argument(name, side):
    arguments = {"predictions": [1, 2], "references": [1, 2], side: None}
    with pytest.raises(nm.InputError, match=rf"{side} is None; pass a list with one entry per example"):
        nm.compute(name, **arguments)


@pytest.mark.parametrize("name", CORE)
def test_none_inside_names_the_index(name):
    with pytest.raises(nm.InputError, match=r"references\[2\] is None; every example needs a"):
        nm.compute(name, predictions=[1, 2, 3], references=[1, 2, None])


@pytest.mark.parametrize("name", NUMBER_METRICS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_name_the_index(name, bad):
    with pytest.raises(nm.InputError, match=r"predictions\[1\] is (nan|inf|-inf); remove or fix non-finite values"):
        nm.compute(name, predictions=[0.5, bad, 0.2], references=[1.0, 2.0, 3.0])
    with pytest.raises(nm.InputError, match=r"references\[0\] is"):
        nm.compute(name, predictions=np.array([0.5, 0.1]), references=np.array([bad, 2.0]))


@pytest.mark.parametrize("name", NUMBER_METRICS)
def test_text_given_to_a_correlation(name):
    with pytest.raises(nm.InputError, match=r"references\[1\] = 'high' is not a number"):
        nm.compute(name, predictions=[0.1, 0.2], references=[1.0, "high"])


@pytest.mark.parametrize("name", LABEL_METRICS)
def test_mixed_text_and_number_labels(name):
    with pytest.raises(nm.InputError, match=r"predictions mixes text and number labels \(predictions\[1\]='1', "
                                            r"predictions\[0\]=1\); convert them to one type, e.g. str\(label\)"):
        nm.compute(name, predictions=[1, "1", 2], references=[1, 1, 2])
    with pytest.raises(nm.InputError, match=r"predictions are text labels but references are numbers.*same type"):
        nm.compute(name, predictions=["1", "2"], references=[1, 2])


@pytest.mark.parametrize("name", LABEL_METRICS)
def test_text_and_number_labels_in_different_batches(name):
    options = {} if name == "accuracy" else {"average": "micro"}
    metric = nm.load(name, **options)
    metric.update(predictions=[1, 0], references=[1, 1])
    with pytest.raises(nm.InputError, match=r"batches disagree on the type of 'prediction'.*str\(\)"):
        metric.update(predictions=["1"], references=["1"])
    assert metric.n == 2  # the refused batch is not kept
    other = nm.load(name, **options).update(predictions=["1"], references=["1"])
    with pytest.raises(nm.InputError, match="batches disagree"):
        metric.merge(other).compute()


@pytest.mark.parametrize("name", LABEL_METRICS)
@pytest.mark.parametrize("values", [[0.0, 0.7, 1.0], np.array([0.0, 0.7, 1.0]), [1, 2.5, 3], [1.0, math.nan, 0.0]])
def test_continuous_values_are_not_labels(name, values):
    with pytest.raises(nm.InputError, match=r"predictions\[1\] = .* is not a class label; .*use pearson/spearman "
                                            r"for continuous scores, or round/threshold them first"):
        nm.compute(name, predictions=values, references=[0, 1, 1])


@pytest.mark.parametrize("name", LABEL_METRICS)
def test_unusable_label_objects(name):
    with pytest.raises(nm.InputError, match=r"references\[1\] is a dict; labels must be strings or integers"):
        nm.compute(name, predictions=[1, 2], references=[1, {"label": 2}])
    with pytest.raises(nm.InputError, match=r"predictions has shape \(2, 2\); pass a flat list with one label"):
        nm.compute(name, predictions=np.array([[1, 2], [3, 4]]), references=[1, 2])


@pytest.mark.parametrize("name", LABEL_METRICS)
def test_integer_labels_too_large(name):
    with pytest.raises(nm.InputError, match=r"predictions\[0\] = 2{70}.* is too large for an integer label; "
                                            r"use str\(label\)".replace("2{70}", str(2**70))):
        nm.compute(name, predictions=[2**70, 1], references=[1, 1])


@pytest.mark.parametrize("name", CORE)
def test_a_single_string_or_dict_instead_of_a_list(name):
    with pytest.raises(nm.InputError, match=r"predictions is a single string; pass a list of strings"):
        nm.compute(name, predictions="positive", references=["positive"])
    with pytest.raises(nm.InputError, match=r"references is a dict; pass a list with one entry per example"):
        nm.compute(name, predictions=[1], references={"a": 1})
    with pytest.raises(nm.InputError, match=r"predictions is a single value; pass a list with one entry per example"):
        nm.compute(name, predictions=np.array(1.0), references=[1])
    with pytest.raises(nm.InputError, match=r"references must be a list with one entry per example, not float"):
        nm.compute(name, predictions=[1.0], references=1.0)


@pytest.mark.parametrize("name", CORE)
def test_positional_arguments_are_a_type_error(name):
    with pytest.raises(TypeError, match="keywords only"):
        nm.compute(name, [1, 2], [1, 2])
    with pytest.raises(TypeError, match=r"update\(\) takes predictions= and references= as keywords only"):
        nm.load(name).update([1, 2], [1, 2])


def test_input_error_is_a_value_error():
    assert issubclass(nm.InputError, ValueError)
    assert issubclass(nm.MissingDependencyError, ImportError)


def test_nothing_is_dropped_after_an_error():
    metric = nm.load("accuracy").update(predictions=[1, 2], references=[1, 2])
    with pytest.raises(nm.InputError):
        metric.update(predictions=[1, None], references=[1, 2])
    assert metric.n == 2, "a rejected batch leaves the state untouched"
