"""The metric protocol (statistics -> reduce -> score) over the whole registry, and a plug-in written against it.

For every registered metric and option set of ``tests/inputs``:

* a batched reduction (one row of weights per resample) scores every resample
  exactly as scoring each weight vector alone does, so the vectorised
  bootstrap is the plain bootstrap, only faster;
* ``keep_examples=False`` gives the same scores in constant memory (a running
  summary, or for classification the distinct rows with counts, with the same
  interval);
* the state refuses what would silently change the number (merging a metric
  into itself, rows of another metric or of other options).

A third-party metric written against the protocol, in this file, gets
streaming, merge, intervals, paired tests, Dask and reports with no other code.
"""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
from nlpmetrics.base import Metric
from nlpmetrics.registry import metric_class
from tests.inputs import all_inputs

INPUTS = all_inputs()
CASES = [
    pytest.param(name, options, id=f"{name}-{i}")
    for name in nm.list_metrics()
    if name in INPUTS and metric_class(name).extra is None
    for i, options in enumerate(INPUTS[name].options)
]


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.mark.parametrize(("name", "options"), CASES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batched_reduction_scores_each_resample_as_alone(name, options, data):
    if metric_class(name).reduction != "sum":
        pytest.skip(f"{name} needs every row (reduction='rows'): the bootstrap scores its resamples one by one")
    predictions, references = data.draw(INPUTS[name].examples_for(options)(1, 10))
    metric = nm.load(name, **options)
    rows = quiet(metric.rows_for, predictions=list(predictions), references=list(references))
    n = len(predictions)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    weights = rng.integers(0, 4, size=(7, n)).astype(np.float64)
    weights[0] = 1.0
    with np.errstate(all="ignore"):
        batched = quiet(lambda: metric.score(metric.reduce(rows, weights)))
        for r in range(weights.shape[0]):
            alone = quiet(metric.aggregate, rows, weights[r])
            for key, value in alone.items():
                got = np.asarray(batched[key], dtype=np.float64).reshape(-1)
                assert got.shape == (weights.shape[0],), (key, got.shape)
                assert same(float(got[r]), value), (name, options, key, r, float(got[r]), value)


@pytest.mark.parametrize(("name", "options"), CASES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_keep_examples_false_gives_the_same_scores(name, options, data):
    cls = metric_class(name)
    predictions, references = data.draw(INPUTS[name].examples_for(options)(1, 12))
    predictions, references = list(predictions), list(references)
    whole = quiet(nm.compute, name, predictions=predictions, references=references, **options)
    if cls.reduction == "rows" and not cls.distinct_rows:
        with pytest.raises(nm.InputError, match="keep_examples=False"):
            nm.load(name, keep_examples=False, **options)
        return
    lean = nm.load(name, keep_examples=False, **options)
    half = len(predictions) // 2
    quiet(lean.update, predictions=predictions[:half], references=references[:half])
    other = nm.load(name, keep_examples=False, **options)
    quiet(other.update, predictions=predictions[half:], references=references[half:])
    result = quiet(lean.merge(other).compute)
    assert result.n == whole.n
    for key in whole.scores:
        assert same(result[key], whole[key]), (key, result[key], whole[key])
    if cls.distinct_rows:  # counts keep exact intervals
        kept = quiet(nm.compute, name, predictions=predictions, references=references, confidence=0.9,
                     n_resamples=200, seed=3, **options)
        assert quiet(lean.compute, confidence=0.9, n_resamples=200, seed=3).ci == kept.ci
    else:
        with pytest.raises(nm.InputError, match="keep_examples=True"):
            lean.compute(confidence=0.9)
        with pytest.raises(nm.InputError, match="keep_examples=True"):
            _ = result.per_example if cls.per_example is not Metric.per_example else lean.rows()


def test_keep_examples_must_be_a_bool():
    with pytest.raises(nm.InputError, match="keep_examples"):
        nm.load("accuracy", keep_examples="no")


def test_merging_a_metric_into_itself_or_foreign_rows_is_refused():
    metric = nm.load("bleu").update(predictions=["a b c"], references=["a b c"])
    with pytest.raises(nm.InputError, match="into itself"):
        metric.merge(metric)
    bleu2 = nm.load("bleu", max_ngram_order=2).rows_for(predictions=["a b"], references=["a b"])
    with pytest.raises(nm.InputError, match=r"other options \(max_ngram_order: 4 vs 2\)"):
        metric.add_rows(bleu2)
    with pytest.raises(nm.InputError, match="another metric"):
        metric.add_rows(nm.load("chrf").rows_for(predictions=["a"], references=["a"]))
    with pytest.raises(nm.InputError, match="takes the rows of a 'bleu' metric"):
        metric.add_rows({"hyp_len": np.array([1])})
    assert metric.n == 1


def test_signature_is_structured_and_compares_options_not_strings():
    a = nm.compute("f1", predictions=["a|b", "c"], references=["a|b", "c"], average="macro", labels=["a|b", "c"])
    b = nm.compute("f1", predictions=["a|x", "c"], references=["a|x", "c"], average="macro", labels=["a|x", "c"])
    assert not a.signature.compatible(b.signature)
    assert a.signature["options"]["labels"] == ("a|b", "c")
    bleu = nm.compute("bleu", predictions=["a b c d"], references=["a b c d"])
    assert "version" not in bleu.signature["options"]
    assert "sacrebleu_signature" in bleu.signature["tool"]
    assert bleu.signature.compatible(nm.compute("bleu", predictions=["x y"], references=["x y"]).signature)
    assert str(bleu.signature).startswith("nlpmetrics:")
    assert "metric:bleu" in str(bleu.signature)


def test_labels_are_stored_once_as_codes():
    long_label = "x" * 200_000
    metric = nm.load("f1", average="macro")
    metric.update(predictions=["a", long_label] * 500, references=["a", "b"] * 500)
    rows = metric.rows()
    assert rows["prediction"].dtype.kind == "i"
    assert rows["prediction"].nbytes <= 8 * 1000
    assert sorted(map(len, rows.categories.values)) == [1, 1, 200_000]


# ------------------------------------------------------------------------------------------------ a plug-in
class WordOverlap(Metric):
    """A third-party metric written against the protocol: the share of reference words found, over a corpus."""

    name = "word_overlap"
    input_kind = "text"
    reduction = "sum"
    score_keys = ("word_overlap",)

    def check_inputs(self, predictions, references):
        from nlpmetrics.metrics.text import check_text_inputs

        return check_text_inputs(predictions, references)

    def statistics(self, predictions, references):
        found = [len(set(p.split()) & set(r[0].split())) for p, r in zip(predictions, references, strict=True)]
        wanted = [len(set(r[0].split())) for r in references]
        return {"found": np.array(found, dtype=np.int64), "wanted": np.array(wanted, dtype=np.int64)}

    def score(self, summary):
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"word_overlap": np.divide(summary["found"], summary["wanted"])}

    def per_example(self, rows):
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"word_overlap": rows["found"] / rows["wanted"]}


@pytest.fixture
def plugin(monkeypatch):
    from nlpmetrics import registry

    monkeypatch.setattr(registry, "_REGISTRY", {**registry._REGISTRY, "word_overlap": WordOverlap})
    monkeypatch.setattr(registry, "_DISCOVERED", True)
    return WordOverlap


PRED = ["the cat sat on the mat", "a dog ran", "hello world", "one two three", "red blue green", "x y z"] * 5
REF = ["the cat is on the mat", "the dog ran away", "hello there world", "one two four", "red green", "z"] * 5


def test_a_plugin_gets_streaming_merge_intervals_and_paired_tests(plugin):
    whole = nm.compute("word_overlap", predictions=PRED, references=REF, confidence=0.9, n_resamples=300)
    metric = nm.load("word_overlap")
    for start in range(0, len(PRED), 7):
        metric.update(predictions=PRED[start:start + 7], references=REF[start:start + 7])
    assert metric.compute(confidence=0.9, n_resamples=300).ci == whole.ci
    lean = nm.load("word_overlap", keep_examples=False).update(predictions=PRED, references=REF)
    assert lean.compute()["word_overlap"] == whole["word_overlap"]
    low, high = whole.ci["word_overlap"]
    assert low <= whole["word_overlap"] <= high
    assert whole.per_example["word_overlap"].shape == (len(PRED),)

    from nlpmetrics.reporting import compare

    better = [r for r in REF]
    outcome = compare((PRED, REF), (better, REF), metrics=["word_overlap"], names=("A", "B"), n_resamples=300)
    test = outcome.metrics[0].tests["word_overlap"]
    assert test.difference > 0
    assert test.p_value < 0.05



def test_an_option_that_cannot_change_a_number_stays_out_of_signatures_and_merges(plugin, monkeypatch):
    from nlpmetrics.options import Option, check_bool

    monkeypatch.setattr(WordOverlap, "options", {
        "lowercase": Option(False, check=check_bool, doc="compare words in lower case"),
        "progress": Option(True, check=check_bool, affects_numbers=False, doc="show a progress bar"),
    })
    quiet_one = nm.load("word_overlap", progress=False).update(predictions=PRED[:6], references=REF[:6])
    chatty = nm.load("word_overlap").update(predictions=PRED[6:], references=REF[6:])
    merged = quiet_one.merge(chatty).compute()
    whole = nm.compute("word_overlap", predictions=PRED, references=REF)
    assert merged["word_overlap"] == whole["word_overlap"]
    assert merged.signature == whole.signature
    assert "progress" not in merged.signature["options"]
    assert merged.options["progress"] is False  # the result still says how it was made
    with pytest.raises(nm.InputError, match=r"different options \(lowercase"):
        nm.load("word_overlap", lowercase=True).merge(nm.load("word_overlap"))
    assert "progress" not in nm.load("bertscore").provenance["options"]

def test_a_plugin_gets_dask_and_reports(plugin, tmp_path):
    import json

    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"prediction": p, "reference": r}) + "\n"
                            for p, r in zip(PRED, REF, strict=True)))
    from nlpmetrics.distributed import score_files

    (scored,) = score_files(path, metrics=["word_overlap"], partitions=3, scheduler="synchronous")
    assert scored.compute()["word_overlap"] == nm.compute("word_overlap", predictions=PRED, references=REF)[
        "word_overlap"]
    report = nm.report({"A": (PRED, REF), "B": (REF, REF)}, metrics=["word_overlap"], output=str(tmp_path / "r.md"))
    expected = nm.compute("word_overlap", predictions=PRED, references=REF)["word_overlap"]
    assert report is not None
    assert f"word\\_overlap {expected:.1%}" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_absorb_checks_the_origin_of_a_part_in_every_mode():
    # a keep_examples=False part is a summary with no rows: the part itself carries its origin
    bleu = nm.load("bleu", keep_examples=False).update(predictions=["a b c"], references=["a b c"])
    chrf = nm.load("chrf", keep_examples=False).update(predictions=["a b"], references=["a b"])
    with pytest.raises(nm.InputError, match=r"cannot merge a 'chrf' metric into a 'bleu' metric") as error:
        bleu.absorb(chrf.state_part())
    assert error.value.argument == "part"
    bleu2 = nm.load("bleu", keep_examples=False, max_ngram_order=2).update(predictions=["a b"], references=["a b"])
    with pytest.raises(nm.InputError, match=r"cannot merge 'bleu' metrics made with different options "
                                            r"\(max_ngram_order\)"):
        bleu.absorb(bleu2.state_part())
    with pytest.raises(nm.InputError, match="cannot merge a 'chrf' metric"):  # even an empty part
        bleu.absorb(nm.load("chrf", keep_examples=False).state_part())
    from dataclasses import replace

    with pytest.raises(nm.InputError, match="does not say which metric made it"):
        bleu.absorb(replace(chrf.state_part(), origin=None))
    with pytest.raises(nm.InputError, match="takes a state part"):
        bleu.absorb({"hyp_len": np.array([1])})
    assert bleu.n == 1
    other = nm.load("bleu", keep_examples=False).update(predictions=["a b d"], references=["a b c"])
    part = pickle.loads(pickle.dumps(other.state_part()))  # the origin travels with the part
    assert part.origin == bleu.provenance
    whole = nm.compute("bleu", predictions=["a b c", "a b d"], references=["a b c", "a b c"])
    assert bleu.absorb(part).compute()["bleu"] == whole["bleu"]
    for keep_examples in (True, False):  # rows and counts parts too
        accuracy = nm.load("accuracy", keep_examples=keep_examples).update(predictions=[1], references=[1])
        f1 = nm.load("f1", keep_examples=keep_examples).update(predictions=[1], references=[1])
        with pytest.raises(nm.InputError, match="cannot merge a 'f1' metric into a 'accuracy' metric"):
            accuracy.absorb(f1.state_part())
        assert accuracy.n == 1


def test_absorb_and_sync_warn_like_merge_when_streaming_is_inexact(plugin, monkeypatch):
    from nlpmetrics.distributed import gather
    from nlpmetrics.errors import InexactStreamingWarning

    monkeypatch.setattr(WordOverlap, "streams_exactly", property(lambda self: False))
    part = nm.load("word_overlap").update(predictions=PRED[:3], references=REF[:3]).state_part()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty side gives the one-call number: no warning
        metric = nm.load("word_overlap").absorb(part)
        metric.absorb(nm.load("word_overlap").state_part())
    with pytest.warns(InexactStreamingWarning, match="does not stream exactly: state parts absorbed"):
        metric.absorb(part)
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj, obj])
    with pytest.warns(InexactStreamingWarning, match="does not stream exactly: several ranks' examples synced"):
        metric.sync()
    assert metric.n == 12
    collection = nm.load_many(["word_overlap"]).update(predictions=PRED[:3], references=REF[:3])
    with pytest.warns(InexactStreamingWarning, match="state parts absorbed"):
        collection.absorb(collection.copy().state_parts())
    with pytest.warns(InexactStreamingWarning, match="several ranks' examples synced"):
        collection.sync()
    assert collection["word_overlap"].n == 12
    monkeypatch.setattr(gather, "gather_objects", lambda obj: [obj])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one rank: nothing combined
        assert metric.sync().n == 12
