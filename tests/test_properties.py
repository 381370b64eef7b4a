"""Properties every registered metric must have, checked with hypothesis.

The metrics and their example inputs come from ``nlpmetrics.list_metrics()``
and ``tests/inputs``: a metric registered without an entry there fails
:func:`test_every_metric_has_inputs`, so no metric escapes these checks.
"""

from __future__ import annotations

import math
import pickle
import warnings
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
from nlpmetrics.registry import metric_class
from tests.inputs import all_inputs

INPUTS = all_inputs()
CASES = [
    (name, options, f"{name}-{i}")
    for name in nm.list_metrics()
    if name in INPUTS
    for i, options in enumerate(INPUTS[name].options)
]
#: Metrics that need a pip extra (a model to run) get fewer examples, to keep the suite fast.
LIGHT = [pytest.param(n, o, id=i) for n, o, i in CASES if metric_class(n).extra is None]
HEAVY = [pytest.param(n, o, id=i) for n, o, i in CASES if metric_class(n).extra is not None]


def for_every_metric(test):
    """Run a property over every (metric, options) case: 8 examples each, 3 for metrics that need an extra.

    The variant for the heavy metrics is registered as ``<test name>_heavy``.
    """
    heavy = pytest.mark.parametrize(("name", "options"), HEAVY)(settings(max_examples=3)(given(data=st.data())(test)))
    heavy.__name__ = f"{test.__name__}_heavy"
    globals()[heavy.__name__] = heavy
    return pytest.mark.parametrize(("name", "options"), LIGHT)(settings(max_examples=8)(given(data=st.data())(test)))


def test_every_metric_has_inputs():
    missing = sorted(set(nm.list_metrics()) - set(INPUTS))
    assert not missing, f"add an entry to tests/inputs/<family>.py for: {', '.join(missing)}"


def score(name, options, batches, **compute_args):
    """Score ``batches`` of (predictions, references) one update each; warnings (constant input) silenced."""
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for predictions, references in batches:
            metric.update(predictions=predictions, references=references)
        return metric.compute(**compute_args)


def same(a: float, b: float) -> bool:
    """Equal up to summation order (1e-9 relative), NaN equal to NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def assert_same_scores(result, expected):
    assert result.n == expected.n
    assert result.scores.keys() == expected.scores.keys()
    for key in expected.scores:
        assert same(result[key], expected[key]), (key, result[key], expected[key])


def examples(data, name, options, min_size=1, max_size=12):
    predictions, references = data.draw(INPUTS[name].examples_for(options)(min_size, max_size))
    return list(predictions), list(references)


def split_points(data, n):
    return sorted(data.draw(st.lists(st.integers(0, n), max_size=4)))


def pieces(items, points):
    bounds = [0, *points, len(items)]
    return [items[a:b] for a, b in pairwise(bounds)]


@for_every_metric
def test_sample_order_does_not_matter(name, options, data):
    predictions, references = examples(data, name, options, min_size=2)
    order = data.draw(st.permutations(range(len(predictions))))
    whole = score(name, options, [(predictions, references)])
    shuffled = score(name, options, [([predictions[i] for i in order], [references[i] for i in order])])
    assert_same_scores(shuffled, whole)


@for_every_metric
def test_update_in_any_batches_equals_one_shot(name, options, data):
    if not nm.load(name, **options).info.streams_exactly:
        pytest.skip(f"{name} does not stream exactly (its info says so)")
    predictions, references = examples(data, name, options)
    points = split_points(data, len(predictions))
    batches = list(zip(pieces(predictions, points), pieces(references, points), strict=True))
    assert_same_scores(score(name, options, batches), score(name, options, [(predictions, references)]))


@for_every_metric
def test_merge_of_any_split_equals_whole(name, options, data):
    if not nm.load(name, **options).info.streams_exactly:
        pytest.skip(f"{name} does not stream exactly (its info says so)")
    predictions, references = examples(data, name, options)
    points = split_points(data, len(predictions))
    workers = []
    for p, r in zip(pieces(predictions, points), pieces(references, points), strict=True):
        worker = nm.load(name, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            worker.update(predictions=p, references=r)
        workers.append(worker)
    merged = workers[0]
    for worker in workers[1:]:
        assert merged.merge(worker) is merged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = merged.compute()
    assert_same_scores(result, score(name, options, [(predictions, references)]))


@for_every_metric
def test_empty_shard_is_identity(name, options, data):
    predictions, references = examples(data, name, options)
    whole = score(name, options, [(predictions, references)])
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metric.update(predictions=[], references=[])
        metric.update(predictions=predictions, references=references)
        metric.merge(nm.load(name, **options))
        metric.update(predictions=[], references=[])
        assert_same_scores(metric.compute(), whole)


@for_every_metric
def test_compute_does_not_change_state(name, options, data):
    predictions, references = examples(data, name, options, min_size=2)
    half = len(predictions) // 2
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metric.update(predictions=predictions[:half], references=references[:half])
        if half:
            first = metric.compute()
            assert_same_scores(metric.compute(), first)
            assert metric.n == half
        metric.update(predictions=predictions[half:], references=references[half:])
        result = metric.compute()
    assert_same_scores(result, score(name, options, [(predictions, references)]))


@for_every_metric
def test_pickle_round_trip(name, options, data):
    predictions, references = examples(data, name, options)
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metric.update(predictions=predictions, references=references)
        result = metric.compute()
        restored = pickle.loads(pickle.dumps(metric))
        assert restored.config == metric.config
        assert_same_scores(restored.compute(), result)
    again = pickle.loads(pickle.dumps(result))
    assert_same_scores(again, result)
    assert again.signature == result.signature


@for_every_metric
def test_scores_within_bounds(name, options, data):
    predictions, references = examples(data, name, options)
    result = score(name, options, [(predictions, references)])
    low, high = nm.load(name, **options).info.bounds
    for key, value in result.scores.items():
        assert math.isnan(value) or low - 1e-12 <= value <= high + 1e-12, (key, value, (low, high))


@for_every_metric
def test_perfect_prediction_is_best(name, options, data):
    spec = INPUTS[name]
    if not spec.perfect_is_best:
        pytest.skip(f"perfect prediction is not always the best score for {name}")
    _, references = examples(data, name, options)
    perfect = spec.make_perfect(references) if spec.make_perfect else list(references)
    result = score(name, options, [(perfect, references)])
    info = nm.load(name, **options).info
    best = info.bounds[1] if info.higher_is_better else info.bounds[0]
    for key, value in result.scores.items():
        assert same(value, best), (key, value, best)


# ---------------------------------------------------------------- classification-specific
PRF = [pytest.param(name, average, id=f"{name}-{average}") for name in ("precision", "recall", "f1")
       for average in ("micro", "macro", "weighted")]


def label_lists(min_size=1, max_size=30):
    label = st.integers(0, 5)
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(label, min_size=n, max_size=n), st.lists(label, min_size=n, max_size=n))
    )


@pytest.mark.parametrize(("name", "average"), PRF)
@settings(max_examples=15)
@given(pair=label_lists(), data=st.data())
def test_relabeling_does_not_matter(name, average, pair, data):
    predictions, references = pair
    names = data.draw(st.permutations(["a", "b", "c", "d", "e", "f"]))
    renamed = score(name, {"average": average}, [([names[p] for p in predictions], [names[r] for r in references])])
    assert same(renamed[name], score(name, {"average": average}, [pair])[name])


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
@settings(max_examples=15)
@given(pair=label_lists())
def test_macro_is_mean_of_per_class(name, pair):
    result = score(name, {"average": "macro"}, [pair])
    per_class = np.asarray(result.details["per_class"][name])
    assert same(result[name], float(per_class.mean()))


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
@settings(max_examples=15)
@given(pair=label_lists())
def test_micro_equals_accuracy(name, pair):
    assert same(score(name, {"average": "micro"}, [pair])[name], score("accuracy", {}, [pair])["accuracy"])
