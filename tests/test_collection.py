"""``nm.load_many``: several metrics, one update per batch, results identical to each metric alone."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.collection import MetricCollection
from nlpmetrics.metrics import multilabel

PREDICTIONS = [0, 1, 2, 2, 1, 0, 2, 1]
REFERENCES = [0, 1, 1, 2, 2, 0, 2, 0]


def test_names_with_an_average_suffix_work_in_python():
    metrics = nm.load_many(["accuracy", "f1_macro", "f1_weighted", "precision_micro"])
    assert list(metrics) == ["accuracy", "f1_macro", "f1_weighted", "precision_micro"]
    assert metrics["f1_macro"].config["average"] == "macro"
    metrics.update(predictions=PREDICTIONS[:3], references=REFERENCES[:3])
    metrics.update(predictions=np.array(PREDICTIONS[3:]), references=np.array(REFERENCES[3:]))
    results = metrics.compute()
    assert list(results) == list(metrics)
    for key, name, options in [("accuracy", "accuracy", {}), ("f1_macro", "f1", {"average": "macro"}),
                               ("f1_weighted", "f1", {"average": "weighted"}),
                               ("precision_micro", "precision", {"average": "micro"})]:
        alone = nm.compute(name, predictions=PREDICTIONS, references=REFERENCES, **options)
        assert results[key].scores == alone.scores
        assert results[key].signature == alone.signature
        assert results[key].n == len(PREDICTIONS)


def test_the_registry_resolves_names_once_for_python_and_the_command_line():
    from nlpmetrics.registry import resolve_name

    assert resolve_name("f1_macro") == ("f1", {"average": "macro"})
    assert resolve_name("seqeval_weighted") == ("seqeval", {"average": "weighted"})
    assert resolve_name("accuracy") == ("accuracy", {})
    with pytest.raises(nm.UnknownMetricError, match="f1_mcro"):
        resolve_name("f1_mcro")
    with pytest.raises(nm.UnknownMetricError):
        nm.load_many(["accuracy", "acuracy"])


def test_labels_are_converted_once_for_every_classification_metric(monkeypatch):
    calls = []
    original = multilabel.label_inputs

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(multilabel, "label_inputs", counting)
    metrics = nm.load_many(["accuracy", "f1_macro", "f1_weighted", "recall_micro", "hamming_loss"])
    metrics.update(predictions=["a", "b", "a"], references=["a", "a", "b"])
    assert len(calls) == 1
    with_ignore = nm.load_many(["f1_macro", "accuracy"], ignore_index=-100)
    calls.clear()
    with_ignore.update(predictions=[1, 0, 1], references=[1, -100, 0])
    assert len(calls) == 1
    assert with_ignore["accuracy"].n == 2


def test_shared_options_go_to_the_metrics_that_declare_them():
    metrics = nm.load_many(["accuracy", "f1_macro", "bleu"], lang="ja", zero_division=1.0)
    assert metrics["f1_macro"].config["zero_division"] == 1.0
    assert metrics["bleu"].config["lang"] == "ja"
    metrics = nm.load_many({"f1_macro": {"zero_division": 1.0}, "f1": {"average": "micro"}}, zero_division=0.0)
    assert metrics["f1_macro"].config["zero_division"] == 1.0, "a metric's own options win"
    assert metrics["f1"].config == nm.load("f1", average="micro").config
    assert nm.load_many(["accuracy"], lang="en")["accuracy"].config == {"ignore_index": None}, "lang is ignorable"
    with pytest.raises(nm.InputError, match="no metric named here has an option 'tokenise'"):
        nm.load_many(["accuracy", "f1_macro"], tokenise="char")
    with pytest.raises(nm.InputError, match="'f1_macro' implies average='macro'"):
        nm.load_many({"f1_macro": {"average": "micro"}})
    with pytest.raises(nm.InputError, match="named twice"):
        nm.load_many(["f1", nm.load("f1", average="macro")])
    custom = nm.load("bleu", tokenize="char")
    metrics = nm.load_many({"bleu_char": custom, "acc": "accuracy"})
    assert metrics["bleu_char"] is custom
    assert metrics["acc"].name == "accuracy"
    with pytest.raises(nm.InputError, match="at least one metric"):
        nm.load_many([])
    with pytest.raises(nm.InputError, match="list of metric names"):
        nm.load_many(3)


def test_keep_examples_false_reaches_every_metric():
    metrics = nm.load_many(["accuracy", "f1_macro"], keep_examples=False)
    assert all(not m.keep_examples for m in metrics.values())
    metrics.update(predictions=PREDICTIONS, references=REFERENCES)
    results = metrics.compute(confidence=0.9, n_resamples=50)
    assert results["f1_macro"].ci is not None, "classification keeps exact intervals in constant memory"


def test_a_refused_batch_changes_no_metric():
    metrics = nm.load_many(["accuracy", "f1_samples"])
    with pytest.raises(nm.InputError, match="average='samples'"):
        metrics.update(predictions=[0, 1], references=[0, 0])
    assert all(m.n == 0 for m in metrics.values())
    metrics.update(predictions=[[0], [1, 2]], references=[[0], [2]])
    with pytest.raises(nm.InputError, match="one label per example"):
        metrics.update(predictions=[[0], [1]], references=[0, 1])
    assert [m.n for m in metrics.values()] == [2, 2]


def test_merge_reset_sync_copy_and_pickle():
    whole = nm.load_many(["accuracy", "f1_macro"]).update(predictions=PREDICTIONS, references=REFERENCES)
    first = nm.load_many(["accuracy", "f1_macro"]).update(predictions=PREDICTIONS[:5], references=REFERENCES[:5])
    second = nm.load_many(["accuracy", "f1_macro"]).update(predictions=PREDICTIONS[5:], references=REFERENCES[5:])
    copied = first.copy()
    assert first.merge(second) is first
    assert {k: r.scores for k, r in first.compute().items()} == {k: r.scores for k, r in whole.compute().items()}
    assert copied["accuracy"].n == 5, "a copy is independent"
    assert {k: r.scores for k, r in first.compute(sync=True).items()} == \
        {k: r.scores for k, r in whole.compute().items()}, "without a process group, sync changes nothing"
    restored = pickle.loads(pickle.dumps(first))
    assert {k: r.scores for k, r in restored.compute().items()} == {k: r.scores for k, r in first.compute().items()}
    with pytest.raises(nm.InputError, match="into itself"):
        first.merge(first)
    with pytest.raises(nm.InputError, match="differs between the collections"):
        first.merge(nm.load_many({"accuracy": None, "f1_macro": {"zero_division": 1.0}}))
    with pytest.raises(nm.InputError, match="holds accuracy"):
        first.merge(nm.load_many(["accuracy"]))
    assert first["accuracy"].n == 8, "a refused merge changes nothing"
    first.reset()
    assert all(m.n == 0 for m in first.values())
    assert len(first) == 2
    assert first.empty_like()["f1_macro"].config == first["f1_macro"].config
    with pytest.raises(KeyError, match="holds accuracy, f1_macro"):
        first["bleu"]


def test_rows_travel_between_workers():
    driver = nm.load_many(["accuracy", "f1_macro"])
    worker = nm.load_many(["accuracy", "f1_macro"])
    driver.add_rows(worker.rows_for(predictions=PREDICTIONS, references=REFERENCES))
    assert worker["accuracy"].n == 0
    assert driver.compute()["f1_macro"].scores == nm.compute("f1", predictions=PREDICTIONS, references=REFERENCES,
                                                           average="macro").scores
    with pytest.raises(nm.InputError, match="another metric or with other options"):
        driver.add_rows(nm.load_many({"accuracy": None, "f1_macro": "f1_micro"}).rows_for(
            predictions=PREDICTIONS, references=REFERENCES))


def test_update_is_keyword_only_and_checks_once():
    metrics = nm.load_many(["accuracy", "f1_macro"])
    with pytest.raises(TypeError, match="keywords only"):
        metrics.update(PREDICTIONS, REFERENCES)
    with pytest.raises(nm.InputError, match="predictions has 2 entries but references has 1"):
        metrics.update(predictions=[1, 0], references=[1])
    assert metrics.update(predictions=[], references=[]) is metrics
    with pytest.raises(nm.InputError, match="no examples to score"):
        metrics.compute()
    assert isinstance(metrics, MetricCollection)
    assert "accuracy" in repr(metrics)


def _count_conversions(monkeypatch) -> list:
    calls: list = []
    original = multilabel.label_inputs

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(multilabel, "label_inputs", counting)
    return calls


def test_the_command_line_feeds_one_collection(monkeypatch, tmp_path, capsys):
    import json

    from nlpmetrics.cli import main

    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps({"prediction": p, "reference": r}) + "\n"
                            for p, r in zip(PREDICTIONS, REFERENCES, strict=True)))
    calls = _count_conversions(monkeypatch)
    assert main(["score", str(path), "-m", "accuracy,f1_macro,f1_weighted", "--format", "json", "-q"]) == 0
    assert calls == [len(PREDICTIONS)], "one conversion of the chunk for the three classification metrics"
    results = json.loads(capsys.readouterr().out)["results"]
    api = nm.load_many(["accuracy", "f1_macro", "f1_weighted"]).update(predictions=PREDICTIONS,
                                                                        references=REFERENCES).compute()
    assert {key: value["scores"] for key, value in results.items()} == {k: r.scores for k, r in api.items()}


def test_reports_and_dask_feed_one_collection(monkeypatch, tmp_path):
    import json

    from nlpmetrics.distributed import score_files

    calls = _count_conversions(monkeypatch)
    built = nm.report({"a": (PREDICTIONS, REFERENCES), "b": (REFERENCES, REFERENCES)},
                      metrics=["accuracy", nm.load("f1", average="macro"), nm.load("f1", average="weighted")],
                      n_resamples=20)
    assert calls == [len(PREDICTIONS)] * 2, "one conversion per system"
    assert len(built.sections) == 3
    pytest.importorskip("dask")
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps({"prediction": p, "reference": r}) + "\n"
                            for p, r in zip(PREDICTIONS, REFERENCES, strict=True)))
    calls.clear()
    scored = score_files(path, metrics=["accuracy", nm.load("f1", average="macro")], partitions=2,
                         scheduler="synchronous")
    assert len(calls) == 2, "one conversion per partition for both metrics"
    assert scored[1].compute().scores == nm.compute("f1", predictions=PREDICTIONS, references=REFERENCES,
                                                    average="macro").scores


def test_sync_must_be_a_bool():
    metrics = nm.load_many(["accuracy"]).update(predictions=[1], references=[1])
    with pytest.raises(nm.InputError, match="sync='yes' must be True or False"):
        metrics.compute(sync="yes")


def test_check_validates_without_keeping_anything(monkeypatch):
    calls = _count_conversions(monkeypatch)
    metrics = nm.load_many(["accuracy", "f1_macro", "bleu"])
    metrics.check(predictions=["a", "b"], references=["a", "a"])
    assert calls == [2]
    assert all(m.n == 0 for m in metrics.values())
    with pytest.raises(nm.InputError, match=r"predictions\[1\] is None"):
        metrics.check(predictions=["a", None], references=["a", "a"])


def test_absorb_merge_and_sync_check_every_part_before_changing_any_metric(monkeypatch):
    first = nm.load_many(["bleu", "chrf"], keep_examples=False).update(predictions=["a b c"], references=["a b c"])
    bleu_part = first["bleu"].state_part()
    with pytest.raises(nm.InputError, match="cannot merge a 'bleu' metric into a 'chrf' metric"):
        first.absorb({"bleu": bleu_part, "chrf": bleu_part})
    assert [m.n for m in first.values()] == [1, 1], "bleu took its part before chrf refused its own"
    assert first.absorb(first.copy().state_parts()) is first
    assert [m.n for m in first.values()] == [2, 2]

    # merge: the second metric's state refuses (keep_examples differs), so the first must not merge either
    keeps = nm.load_many({"a": nm.load("accuracy"), "f": nm.load("f1", average="micro")})
    keeps.update(predictions=[1, 0], references=[1, 1])
    counts = nm.load_many({"a": nm.load("accuracy"), "f": nm.load("f1", average="micro", keep_examples=False)})
    counts.update(predictions=[1], references=[1])
    with pytest.raises(nm.InputError, match="keep_examples=False"):
        keeps.merge(counts)
    assert [m.n for m in keeps.values()] == [2, 2]

    # sync: a refused rank leaves every metric as it was
    from nlpmetrics.distributed import gather

    numbers = nm.load_many(["accuracy", "f1_micro"]).update(predictions=[1], references=[1])
    texts = nm.load_many(["accuracy", "f1_micro"]).update(predictions=["x"], references=["x"])
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj, texts.state_parts()])
    with pytest.raises(nm.InputError, match="disagree on the type"):
        numbers.sync()
    assert [m.n for m in numbers.values()] == [1, 1]
    assert numbers.compute()["accuracy"]["accuracy"] == 1.0
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj, obj])
    assert [m.n for m in numbers.sync().values()] == [2, 2]


def test_sync_is_checked_by_check_bool_like_keep_examples():
    metrics = nm.load_many(["accuracy"]).update(predictions=[1], references=[1])
    assert metrics.compute(sync=np.bool_(True))["accuracy"]["accuracy"] == 1.0
    for value in (1, None, np.array([True])):
        with pytest.raises(nm.InputError, match="must be True or False") as error:
            metrics.compute(sync=value)
        assert error.value.argument == "sync"
