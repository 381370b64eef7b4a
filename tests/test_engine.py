"""The metric engine: streaming state, options, registry, Result, signatures, bootstrap and paired tests."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.resampling import bootstrap_interval, paired_test
from nlpmetrics.result import Result

PRED = [0, 1, 2, 1, 0, 2, 2, 1]
REF = [0, 1, 1, 1, 0, 2, 0, 1]


def test_update_merge_reset_compute():
    whole = nm.compute("f1", predictions=PRED, references=REF, average="macro")
    metric = nm.load("f1", average="macro")
    assert metric.update(predictions=PRED[:3], references=REF[:3]) is metric
    other = nm.load("f1", average="macro").update(predictions=PRED[3:], references=REF[3:])
    assert metric.merge(other) is metric
    assert metric.n == len(PRED)
    assert metric.compute()["f1"] == whole["f1"]
    assert metric.reset() is metric
    assert metric.n == 0
    assert metric.config["average"] == "macro", "reset keeps the options"
    with pytest.raises(nm.InputError, match=r"no examples to score with 'f1'.*call update\(\) before compute\(\)"):
        metric.compute()


def test_compute_does_not_change_state():
    metric = nm.load("accuracy").update(predictions=PRED, references=REF)
    first = metric.compute(confidence=0.9, n_resamples=100)
    second = metric.compute(confidence=0.9, n_resamples=100)
    assert first.scores == second.scores
    assert first.ci == second.ci
    assert metric.n == len(PRED)
    metric.update(predictions=[1], references=[1])
    assert metric.compute().n == len(PRED) + 1


def test_merge_refuses_other_metrics_and_options():
    with pytest.raises(nm.InputError, match="cannot merge a 'recall' metric into a 'f1' metric"):
        nm.load("f1").merge(nm.load("recall"))
    with pytest.raises(nm.InputError, match=r"different options \(average\)"):
        nm.load("f1").merge(nm.load("f1", average="macro"))


def test_batches_with_different_label_types_are_refused():
    f1 = nm.load("f1", average="micro").update(predictions=["a"], references=["a"])
    with pytest.raises(nm.InputError, match="some hold text labels and some numbers"):
        f1.update(predictions=[1], references=[1])


@pytest.mark.parametrize("call", [
    lambda: nm.compute("accuracy", [1], [1]),
    lambda: nm.load("accuracy").update([1], [1]),
])
def test_positional_predictions_are_a_type_error(call):
    with pytest.raises(TypeError, match=r"keywords only.*predictions=\.\.\., references=\.\.\."):
        call()


def test_options_are_checked_when_the_metric_is_made():
    with pytest.raises(nm.InputError, match=r"option average='macr0' is not valid for metric 'f1'; "
                                            r"choose one of 'micro', 'macro', 'weighted', 'binary'"):
        nm.load("f1", average="macr0")
    with pytest.raises(nm.InputError, match=r"unknown option 'averge' for metric 'f1'; did you mean 'average'\? "
                                            r"\(valid options: average, ignore_index, labels, pos_label, "
                                            r"zero_division\)"):
        nm.load("f1", averge="macro")
    with pytest.raises(nm.InputError,
                       match=r"unknown option 'average' for metric 'accuracy'.*valid options: ignore_index\)"):
        nm.load("accuracy", average="macro")
    with pytest.raises(nm.InputError, match=r"zero_division=0.5 is not valid.*0.0, 1.0 or float\('nan'\)"):
        nm.load("precision", zero_division=0.5)
    with pytest.raises(nm.InputError, match="labels must be a list of class labels"):
        nm.load("recall", labels="cat")
    with pytest.raises(nm.InputError, match="labels lists a class twice"):
        nm.load("recall", labels=[1, 1])
    with pytest.raises(nm.InputError, match=r"confidence=1\.5 must lie strictly between 0 and 1"):
        nm.compute("accuracy", predictions=[1], references=[1], confidence=1.5)
    with pytest.raises(nm.InputError, match="n_resamples=0 must be a positive integer"):
        nm.compute("accuracy", predictions=[1], references=[1], confidence=0.9, n_resamples=0)


def test_unknown_metric_suggests_a_close_name():
    with pytest.raises(nm.UnknownMetricError, match=r"unknown metric 'acuracy'; did you mean 'accuracy'\? "
                                                    r"\(available: .*accuracy.*spearman"):
        nm.load("acuracy")
    with pytest.raises(KeyError):
        nm.load("no-such-metric")
    with pytest.raises(ValueError, match="unknown metric"):  # also an InputError: one except clause catches any
        nm.compute("f2", predictions=[1], references=[1])


def test_list_metrics_and_info():
    names = nm.list_metrics()
    assert names == sorted(names)
    assert {"accuracy", "precision", "recall", "f1", "pearson", "spearman"} <= set(names)
    info = nm.load("pearson").info
    assert (info.name, info.higher_is_better, info.bounds, info.extra, info.streams_exactly) == \
        ("pearson", True, (-1.0, 1.0), None, True)
    assert info.score_keys == ("pearson",)
    assert nm.load("accuracy").info.bounds == (0.0, 1.0)


def test_result_is_immutable():
    result = nm.compute("f1", predictions=PRED, references=REF, average="macro", confidence=0.9, n_resamples=50)
    with pytest.raises(AttributeError):
        result.n = 3
    with pytest.raises(TypeError, match="read-only"):
        result.scores["f1"] = 1.0
    with pytest.raises(TypeError):
        result.details["per_class"]["f1"] = None
    with pytest.raises(ValueError, match="read-only"):
        result.details["per_class"]["f1"][0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        nm.compute("accuracy", predictions=PRED, references=REF).per_example["correct"][0] = 1.0
    with pytest.raises(TypeError):
        result.options["average"] = "micro"
    assert result["f1"] == result.scores["f1"] == result.value
    with pytest.raises(KeyError, match="f1 has no score 'accuracy'; its scores are f1"):
        result["accuracy"]


def test_result_does_not_share_arrays_with_the_caller():
    correct = np.array([1.0, 0.0])
    result = Result(metric="accuracy", scores={"accuracy": 0.5}, n=2, per_example={"correct": correct})
    correct[0] = 0.0
    assert result.per_example["correct"][0] == 1.0


def test_result_to_dict_is_json_and_pickles():
    result = nm.compute("f1", predictions=PRED, references=REF, average="macro", confidence=0.9, n_resamples=50)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["metric"] == "f1"
    assert data["n"] == len(PRED)
    assert data["scores"]["f1"] == result["f1"]
    assert data["ci"]["f1"] == list(result.ci["f1"])
    assert data["confidence"] == 0.9
    assert data["options"]["average"] == "macro"
    assert data["details"]["per_class"]["label"] == [0, 1, 2]
    assert data["per_example"] is None
    assert json.loads(json.dumps(nm.compute("accuracy", predictions=PRED, references=REF).to_dict()))[
        "per_example"]["correct"] == [float(p == r) for p, r in zip(PRED, REF, strict=True)]
    again = pickle.loads(pickle.dumps(result))
    assert again.scores == result.scores
    assert again.ci == result.ci
    assert again.signature == result.signature
    with pytest.raises(TypeError):
        again.scores["f1"] = 0.0


def test_nan_becomes_null_in_json():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = nm.compute("pearson", predictions=[1.0, 1.0], references=[1.0, 2.0])
    assert json.loads(json.dumps(result.to_dict()))["scores"]["pearson"] is None


def test_signature_names_metric_options_versions_and_resampling():
    result = nm.compute("f1", predictions=PRED, references=REF, average="weighted", confidence=0.9,
                        n_resamples=200, seed=7)
    signature = str(result.signature)
    for part in ("nlpmetrics:", "metric:f1", "average:weighted", "labels:None", "pos_label:1", "zero_division:0.0",
                 "numpy:", "ci:percentile-bootstrap", "confidence=0.9", "resamples=200", "seed=7"):
        assert part in signature, (part, signature)
    assert "ci:" not in str(nm.compute("f1", predictions=PRED, references=REF, average="micro").signature)


def test_bootstrap_is_seeded_and_reproducible():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 500)
    p = np.where(rng.random(500) < 0.8, y, rng.integers(0, 3, 500))
    first = nm.compute("accuracy", predictions=p, references=y, confidence=0.95, seed=1)
    again = nm.compute("accuracy", predictions=p, references=y, confidence=0.95, seed=1)
    other = nm.compute("accuracy", predictions=p, references=y, confidence=0.95, seed=2)
    assert first.ci == again.ci
    assert first.ci != other.ci
    low, high = first.ci["accuracy"]
    assert low < first["accuracy"] < high
    assert 0.01 < high - low < 0.15
    wider = nm.compute("accuracy", predictions=p, references=y, confidence=0.99, seed=1).ci["accuracy"]
    assert wider[0] <= low
    assert wider[1] >= high


@pytest.mark.parametrize(("name", "options"), [("f1", {"average": "macro"}), ("recall", {"average": "weighted"}),
                                               ("pearson", {}), ("spearman", {})])
def test_bootstrap_contains_the_value_for_reasonable_data(name, options):
    rng = np.random.default_rng(3)
    if name in ("pearson", "spearman"):
        y = rng.normal(size=300)
        p = y + rng.normal(size=300)
    else:
        y = rng.integers(0, 4, 300)
        p = np.where(rng.random(300) < 0.7, y, rng.integers(0, 4, 300))
    result = nm.compute(name, predictions=p, references=y, confidence=0.95, n_resamples=300, **options)
    low, high = result.ci[name]
    assert low < result[name] < high


def test_bootstrap_over_groups_matches_a_plain_row_bootstrap_in_distribution():
    """Grouping identical rows is exact: the interval agrees with resampling rows one by one."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 400)
    p = np.where(rng.random(400) < 0.75, y, 1 - y)
    metric = nm.load("accuracy").update(predictions=p, references=y)
    grouped = bootstrap_interval(metric.aggregate, metric.rows(), confidence=0.9, n_resamples=2000, seed=0)
    correct = (p == y).astype(float)
    draws = np.random.default_rng(1).integers(0, 400, size=(2000, 400))
    plain = np.quantile(correct[draws].mean(axis=1), [0.05, 0.95])
    assert abs(grouped["accuracy"][0] - plain[0]) < 0.01
    assert abs(grouped["accuracy"][1] - plain[1]) < 0.01


def test_paired_test_identical_systems():
    metric = nm.load("accuracy").update(predictions=PRED * 10, references=REF * 10)
    rows = metric.rows()
    tests = paired_test(metric.aggregate, rows, rows, n_resamples=500, seed=0)
    test = tests["accuracy"]
    assert test.difference == 0.0
    assert test.p_value == pytest.approx(1.0)
    assert test.interval == (0.0, 0.0)
    assert "paired:" in test.signature


def test_paired_test_b_better_on_every_row():
    y = np.arange(200) % 3
    a = nm.load("accuracy").update(predictions=(y + 1) % 3, references=y)  # always wrong
    b = nm.load("accuracy").update(predictions=y, references=y)  # always right
    test = paired_test(a.aggregate, a.rows(), b.rows(), n_resamples=500, seed=0)["accuracy"]
    assert (test.a, test.b, test.difference) == (0.0, 1.0, 1.0)
    assert test.p_value < 0.01
    assert test.p_value_bootstrap < 0.01
    assert test.interval[0] > 0.9


def test_paired_test_needs_the_same_examples():
    a = nm.load("accuracy").update(predictions=[1, 2], references=[1, 2])
    b = nm.load("accuracy").update(predictions=[1], references=[1])
    with pytest.raises(nm.InputError, match="system A has 2 and system B has 1"):
        paired_test(a.aggregate, a.rows(), b.rows())


def test_add_rows_and_copy():
    metric = nm.load("accuracy").update(predictions=PRED, references=REF)
    clone = metric.copy()
    clone.update(predictions=[1], references=[0])
    assert metric.n == len(PRED)
    assert clone.n == len(PRED) + 1
    fresh = metric.empty_like().add_rows(metric.rows_for(predictions=PRED, references=REF))
    assert fresh.compute()["accuracy"] == metric.compute()["accuracy"]
    assert "accuracy" in repr(metric)
    assert "n=8" in repr(metric)


def test_numpy_and_pandas_style_inputs():
    class Series:  # the parts of a pandas Series that the boundary uses
        def __init__(self, values):
            self.values = values

        def __len__(self):
            return len(self.values)

        def to_numpy(self):
            return np.asarray(self.values)

    expected = nm.compute("accuracy", predictions=PRED, references=REF)["accuracy"]
    assert nm.compute("accuracy", predictions=np.array(PRED), references=tuple(REF))["accuracy"] == expected
    assert nm.compute("accuracy", predictions=Series(PRED), references=iter(REF))["accuracy"] == expected


def test_top_level_names():
    assert nm.Result is Result
    assert nm.Metric.__name__ == "Metric"
    assert nm.MetricInfo.__name__ == "MetricInfo"
    with pytest.raises(AttributeError):
        nm.does_not_exist  # noqa: B018 - the attribute access is what must raise
    assert isinstance(nm.__version__, str)
    assert math.isclose(nm.compute("accuracy", predictions=[1, 0, 1], references=[1, 1, 1])["accuracy"], 2 / 3)


def test_merge_accepts_nan_options_from_another_process():
    import pickle

    first = nm.load("f1", zero_division=np.nan).update(predictions=[1, 0], references=[1, 1])
    second = pickle.loads(pickle.dumps(nm.load("f1", zero_division=float("nan"))))
    second.update(predictions=[0], references=[0])
    assert first.merge(second).n == 3


class ShoutingAccuracy(nm.Metric):
    """A third-party metric, registered through the ``nlpmetrics.metrics`` entry-point group."""

    name = "shouting_accuracy"
    score_keys = ("shouting_accuracy",)

    def check_inputs(self, predictions, references):
        return [p.upper() for p in predictions], [r.upper() for r in references]

    def statistics(self, predictions, references):
        import numpy as np

        return {"correct": np.array([p == r for p, r in zip(predictions, references, strict=True)])}

    def aggregate(self, rows, weights=None):
        from nlpmetrics.base import weighted_mean

        return {"shouting_accuracy": float(weighted_mean(rows["correct"].astype(float), weights))}


def test_entry_point_metrics_are_loadable_by_name(monkeypatch):
    from importlib import metadata

    from nlpmetrics import registry

    plugin = metadata.EntryPoint(name="shouting_accuracy", value=f"{__name__}:ShoutingAccuracy",
                                 group=registry.ENTRY_POINT_GROUP)
    real_entry_points = metadata.entry_points

    def entry_points(**kwargs):
        if kwargs.get("group") == registry.ENTRY_POINT_GROUP:
            return metadata.EntryPoints([plugin])
        return real_entry_points(**kwargs)

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.setattr(registry, "_DISCOVERED", False)
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    assert "shouting_accuracy" in nm.list_metrics()
    result = nm.compute("shouting_accuracy", predictions=["a", "B"], references=["A", "c"], confidence=0.9)
    assert result["shouting_accuracy"] == 0.5
    assert result.ci is not None


@pytest.mark.parametrize("n_groups", [3, 5000])  # the multinomial path and the index-drawing path
def test_resample_weights_draw_n_examples_with_replacement(n_groups):
    import numpy as np

    from nlpmetrics.resampling import resample_weights

    rng = np.random.default_rng(1)
    inverse = rng.integers(0, n_groups, size=20_000)
    inverse[:n_groups] = np.arange(n_groups)  # every group present
    counts = np.bincount(inverse, minlength=n_groups)
    blocks = np.concatenate(list(resample_weights(counts, 400, np.random.default_rng(0), inverse)))
    assert blocks.shape == (400, n_groups)
    assert np.all(blocks.sum(axis=1) == counts.sum())
    # each group is drawn in proportion to its size: mean count ~ size, within 5 standard errors
    standard_error = np.sqrt(counts * (1 - counts / counts.sum()) / 400)
    assert np.all(np.abs(blocks.mean(axis=0) - counts) <= 5 * standard_error + 1e-9)


def test_resample_weights_index_path_bounds_the_cells_drawn_and_keeps_the_stream(monkeypatch):
    # > 2,048 groups draw example indices: a block is (block, n) indices, so n (not n_groups) bounds it
    from nlpmetrics import resampling

    rng = np.random.default_rng(5)
    n_groups, n = 2100, 20_000
    inverse = rng.integers(0, n_groups, size=n)
    inverse[:n_groups] = np.arange(n_groups)
    counts = np.bincount(inverse, minlength=n_groups)
    monkeypatch.setattr(resampling, "_CHUNK_CELLS", 100_000)  # 5 resamples of 20,000 draws a block
    blocks = list(resampling.resample_weights(counts, 12, np.random.default_rng(7), inverse))
    assert [len(b) for b in blocks] == [5, 5, 2]
    assert all(b.shape[0] * n <= resampling._CHUNK_CELLS for b in blocks)
    monkeypatch.setattr(resampling, "_CHUNK_CELLS", 10**12)  # one block: the weights drawn before the bound
    whole = list(resampling.resample_weights(counts, 12, np.random.default_rng(7), inverse))
    assert len(whole) == 1
    np.testing.assert_array_equal(np.concatenate(blocks), whole[0])


def _mean_of_x(rows, weights=None):
    from nlpmetrics.base import weighted_mean

    return {"x": float(weighted_mean(rows["x"], weights))}


def test_paired_test_scores_block_by_block_with_the_same_results(monkeypatch):
    # paired_test used to hold every bootstrap block and two full (n_resamples, n_groups) swap matrices;
    # now it holds one block at a time, and the results do not depend on the block size.
    import tracemalloc

    from nlpmetrics import resampling

    rng = np.random.default_rng(11)
    n = 5000  # distinct rows: the index-drawing bootstrap path
    rows_a = {"x": rng.random(n)}
    rows_b = {"x": rows_a["x"] + rng.normal(0.01, 0.1, n)}
    monkeypatch.setattr(resampling, "_CHUNK_CELLS", 10**12)
    whole = paired_test(_mean_of_x, rows_a, rows_b, n_resamples=1000, seed=4)
    monkeypatch.setattr(resampling, "_CHUNK_CELLS", 50_000)
    tracemalloc.start()
    try:
        chunked = paired_test(_mean_of_x, rows_a, rows_b, n_resamples=1000, seed=4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunked == whole
    one_matrix = 1000 * n * 8  # 40 MB: a single (n_resamples, n_groups) float matrix
    assert peak < one_matrix / 4


@pytest.mark.parametrize("keep_examples", [True, False])
def test_label_kind_is_checked_against_every_earlier_batch(keep_examples):
    # an empty multi-label batch (kind "sets") agrees with anything: the kind resolved so far must be kept
    metric = nm.load("f1", average="micro", keep_examples=keep_examples)
    metric.update(predictions=[["a"]], references=[["a"]])
    metric.update(predictions=[[]], references=[[]])
    with pytest.raises(nm.InputError, match=r"batches disagree on the type of 'prediction'.*str\(\)"):
        metric.update(predictions=[[1]], references=[[1]])
    assert metric.n == 2  # the refused batch is not kept, and the state still scores
    assert metric.compute()["f1"] == 1.0
    numbers = nm.load("f1", average="micro", keep_examples=keep_examples).update(predictions=[[1]],
                                                                                   references=[[1]])
    with pytest.raises(nm.InputError, match=r"batches disagree on the type of 'prediction'"):
        metric.merge(numbers)
    with pytest.raises(nm.InputError, match=r"batches disagree on the type of 'prediction'"):
        metric.absorb(numbers.state_part())
    assert metric.n == 2
    metric.reset()  # a reset forgets the kind too
    assert metric.update(predictions=[[1]], references=[[1]]).compute()["f1"] == 1.0


def test_sync_checks_every_rank_before_changing_the_state(monkeypatch):
    from nlpmetrics.distributed import gather

    metric = nm.load("bleu", keep_examples=False).update(predictions=["a b c"], references=["a b c"])
    chrf = nm.load("chrf", keep_examples=False).update(predictions=["a b"], references=["a b"])
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj, chrf.state_part()])
    with pytest.raises(nm.InputError, match="cannot merge a 'chrf' metric into a 'bleu' metric"):
        metric.sync()
    assert metric.n == 1
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj, obj])
    assert metric.sync().n == 2


def test_sync_is_checked_by_check_bool_like_keep_examples():
    metric = nm.load("accuracy").update(predictions=[1], references=[1])
    assert metric.compute(sync=np.bool_(False))["accuracy"] == 1.0
    for value in (1, "yes", None):
        with pytest.raises(nm.InputError, match=r"sync=.* must be True or False") as error:
            metric.compute(sync=value)
        assert error.value.argument == "sync"


def test_an_unknown_option_is_named_as_the_argument_and_numpy_indices_are_kept():
    with pytest.raises(nm.InputError, match="unknown option 'averge'") as error:
        nm.load("f1", averge="macro", zero_divison=1.0)
    assert error.value.argument == "averge"  # the first unknown one, as the message says
    located = nm.InputError(argument="predictions", index=np.int64(3), detail="is None")
    assert located.index == (3,)
    assert str(located) == "predictions[3] is None"
    assert nm.InputError(argument="references", index=(np.int64(1), np.int32(2)), detail="x").index == (1, 2)
    assert pickle.loads(pickle.dumps(located)).index == (3,)
