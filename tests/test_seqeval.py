"""``seqeval`` against the reference library, ``seqeval.metrics``, on the same inputs.

Random tag sequences (malformed ones included: ``I-`` after ``O``, type
changes inside a span, empty sentences, sentences with no entity, Japanese
entity types) for every mode x scheme x average x zero_division, plus
hypothesis, resampling weights, streaming and bad input.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
from nlpmetrics.errors import InputError
from nlpmetrics.metrics.sequence_labeling import SCHEMES, classification_report

seqeval_metrics = pytest.importorskip("seqeval.metrics")
seqeval_scheme = pytest.importorskip("seqeval.scheme")

#: Prefix letters drawn for each scheme (None: the default conlleval mode).
PREFIXES = {None: "BIES", "IOB1": "IB", "IOB2": "IB", "IOE1": "IE", "IOE2": "IE", "IOBES": "IBES", "BILOU": "BILU"}
TYPES = ("PER", "LOC", "ORG", "人名", "地名")
MODES = list(PREFIXES)
AVERAGES = ("micro", "macro", "weighted")


def random_tag(rng: random.Random, prefixes: str) -> str:
    return "O" if rng.random() < 0.35 else f"{rng.choice(prefixes)}-{rng.choice(TYPES)}"


def random_corpus(rng: random.Random, prefixes: str, n_max: int = 8, length_max: int = 14):
    """Gold sentences and predictions that keep most gold tags (so entities are often right)."""
    gold, pred = [], []
    for _ in range(rng.randint(1, n_max)):
        length = rng.choice((0, rng.randint(1, length_max), rng.randint(1, length_max)))
        sentence = ["O"] * length if rng.random() < 0.1 else [random_tag(rng, prefixes) for _ in range(length)]
        gold.append(sentence)
        pred.append([t if rng.random() < 0.7 else random_tag(rng, prefixes) for t in sentence])
    return pred, gold


def options_for(scheme: str | None, average: str = "micro", zero_division: float = 0.0) -> dict:
    mode = {"mode": "strict", "scheme": scheme} if scheme else {}
    return {"average": average, "zero_division": zero_division, **mode}


def seqeval_kwargs(scheme: str | None) -> dict:
    return {"mode": "strict", "scheme": getattr(seqeval_scheme, scheme)} if scheme else {}


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-12


def reference_scores(pred, gold, scheme, average, zero_division) -> dict[str, float]:
    kwargs = {**seqeval_kwargs(scheme), "average": average, "zero_division": int(zero_division)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "precision": float(seqeval_metrics.precision_score(gold, pred, **kwargs)),
            "recall": float(seqeval_metrics.recall_score(gold, pred, **kwargs)),
            "f1": float(seqeval_metrics.f1_score(gold, pred, **kwargs)),
        }


def reference_report(pred, gold, scheme, zero_division) -> dict:
    kwargs = {**seqeval_kwargs(scheme), "zero_division": int(zero_division), "output_dict": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seqeval_metrics.classification_report(gold, pred, **kwargs)


def assert_scores_match(result, expected):
    for key, value in expected.items():
        assert same(result[key], value), (key, result[key], value)


def assert_report_matches(result, expected):
    ours = classification_report(result)
    assert list(ours) == list(expected)
    for row, values in expected.items():
        for key, value in values.items():
            assert same(float(ours[row][key]), float(value)), (row, key, ours[row][key], value)


# --------------------------------------------------------------------------- differential
@pytest.mark.parametrize("scheme", MODES, ids=lambda s: s or "default")
@pytest.mark.parametrize("zero_division", [0.0, 1.0])
def test_random_corpora_match_seqeval(scheme, zero_division):
    rng = random.Random(f"{scheme}-{zero_division}")
    for _ in range(40):
        pred, gold = random_corpus(rng, PREFIXES[scheme])
        for average in AVERAGES:
            result = nm.compute("seqeval", predictions=pred, references=gold,
                                **options_for(scheme, average, zero_division))
            assert_scores_match(result, reference_scores(pred, gold, scheme, average, zero_division))
        assert_report_matches(result, reference_report(pred, gold, scheme, zero_division))
        if any(gold):
            assert same(result.details["token_accuracy"], seqeval_metrics.accuracy_score(gold, pred))
        else:
            assert math.isnan(result.details["token_accuracy"])


@pytest.mark.parametrize("scheme", MODES, ids=lambda s: s or "default")
def test_larger_corpus_matches_seqeval_report(scheme):
    rng = random.Random(scheme)
    pred, gold = random_corpus(rng, PREFIXES[scheme], n_max=400, length_max=30)
    result = nm.compute("seqeval", predictions=pred, references=gold, **options_for(scheme))
    assert_report_matches(result, reference_report(pred, gold, scheme, 0.0))


def test_real_sentences_conll2003_style():
    gold = [
        ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"],
        ["B-PER", "I-PER"],
        ["B-LOC", "O", "O", "O", "O", "B-ORG", "I-ORG", "O", "O", "O", "B-PER", "I-PER", "O"],
        [],
        ["O", "O", "O"],
        ["B-人名", "I-人名", "O", "B-地名", "O", "O"],
    ]
    pred = [
        ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"],
        ["B-PER", "O"],
        ["B-LOC", "O", "O", "O", "O", "B-ORG", "I-LOC", "O", "O", "O", "I-PER", "I-PER", "O"],
        [],
        ["O", "B-MISC", "O"],
        ["B-人名", "I-人名", "O", "B-人名", "O", "O"],
    ]
    for scheme in (None, "IOB2"):
        for average in AVERAGES:
            result = nm.compute("seqeval", predictions=pred, references=gold, **options_for(scheme, average))
            assert_scores_match(result, reference_scores(pred, gold, scheme, average, 0.0))
        assert_report_matches(result, reference_report(pred, gold, scheme, 0.0))
    details = nm.compute("seqeval", predictions=pred, references=gold).details
    assert details["per_type"]["type"] == ("LOC", "MISC", "ORG", "PER", "人名", "地名")


def test_conlleval_and_strict_disagree_on_i_after_o():
    """The quirk that is the spec: default mode counts ``I-PER I-PER`` as an entity; strict IOB2 does not."""
    gold = [["I-PER", "I-PER", "O"]]
    pred = [["B-PER", "I-PER", "O"]]
    default = nm.compute("seqeval", predictions=gold, references=gold)
    assert default.details["true_entities"] == 1
    strict = nm.compute("seqeval", predictions=pred, references=gold, mode="strict", scheme="IOB2")
    assert strict.details["true_entities"] == 0
    assert strict.details["predicted_entities"] == 1
    assert_scores_match(strict, reference_scores(pred, gold, "IOB2", "micro", 0.0))


def test_suffix_tags_match_seqeval():
    rng = random.Random(7)
    for _ in range(30):
        pred, gold = random_corpus(rng, "BIES")
        flip = [[t if t == "O" else f"{t[2:]}-{t[0]}" for t in s] for s in pred]
        flip_gold = [[t if t == "O" else f"{t[2:]}-{t[0]}" for t in s] for s in gold]
        result = nm.compute("seqeval", predictions=flip, references=flip_gold, suffix=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = seqeval_metrics.f1_score(flip_gold, flip, suffix=True, zero_division=0)
        assert same(result["f1"], float(expected))
        assert same(result["f1"], nm.compute("seqeval", predictions=pred, references=gold)["f1"])


def test_no_entities_anywhere_matches_seqeval():
    gold = pred = [["O", "O"], []]
    for zero_division in (0.0, 1.0):
        for average in AVERAGES:
            result = nm.compute("seqeval", predictions=pred, references=gold,
                                average=average, zero_division=zero_division)
            assert_scores_match(result, reference_scores(pred, gold, None, average, zero_division))


@settings(max_examples=40)
@given(
    data=st.lists(
        st.integers(0, 8).flatmap(lambda n: st.tuples(
            st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-人名", "I-人名", "E-PER", "S-人名"]), min_size=n,
                     max_size=n),
            st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-人名", "I-人名", "E-PER", "S-人名"]), min_size=n,
                     max_size=n))),
        min_size=1, max_size=6),
    average=st.sampled_from(AVERAGES),
)
def test_hypothesis_default_mode_matches_seqeval(data, average):
    pred = [p for p, _ in data]
    gold = [g for _, g in data]
    result = nm.compute("seqeval", predictions=pred, references=gold, average=average)
    assert_scores_match(result, reference_scores(pred, gold, None, average, 0.0))


@settings(max_examples=40)
@given(
    data=st.lists(
        st.integers(0, 8).flatmap(lambda n: st.tuples(
            st.lists(st.sampled_from(["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC"]),
                     min_size=n, max_size=n),
            st.lists(st.sampled_from(["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC"]),
                     min_size=n, max_size=n))),
        min_size=1, max_size=6),
)
def test_hypothesis_strict_iobes_matches_seqeval(data):
    pred = [p for p, _ in data]
    gold = [g for _, g in data]
    result = nm.compute("seqeval", predictions=pred, references=gold, mode="strict", scheme="IOBES")
    assert_scores_match(result, reference_scores(pred, gold, "IOBES", "micro", 0.0))


# --------------------------------------------------------------------------- rows: weights, streaming
@pytest.mark.parametrize("scheme", [None, "IOB2", "BILOU"], ids=lambda s: s or "default")
@pytest.mark.parametrize("average", AVERAGES)
def test_weights_equal_seqeval_on_the_repeated_corpus(scheme, average):
    """Bootstrap weights over sentences: aggregate(rows, w) is seqeval on the resampled corpus."""
    rng = random.Random(11)
    pred, gold = random_corpus(rng, PREFIXES[scheme], n_max=12)
    metric = nm.load("seqeval", **options_for(scheme, average))
    rows = metric.rows_for(predictions=pred, references=gold)
    for _ in range(10):
        weights = np.array([rng.choice((0, 0, 1, 2, 3)) for _ in pred], dtype=np.float64)
        if not weights.any():
            continue
        repeated_pred = [s for s, w in zip(pred, weights, strict=True) for _ in range(int(w))]
        repeated_gold = [s for s, w in zip(gold, weights, strict=True) for _ in range(int(w))]
        got = metric.aggregate(rows, weights)
        expected = reference_scores(repeated_pred, repeated_gold, scheme, average, 0.0)
        for key, value in expected.items():
            assert same(got[key], value), (key, got[key], value, weights)


def test_streaming_with_types_present_in_some_batches_only():
    gold = [["B-PER", "O"], ["B-LOC"], ["O"], ["B-人名", "I-人名"]]
    pred = [["B-PER", "O"], ["B-ORG"], ["B-LOC"], ["B-人名", "O"]]
    metric = nm.load("seqeval", average="macro")
    for i in range(len(gold)):
        metric.update(predictions=pred[i:i + 1], references=gold[i:i + 1])
    result = metric.compute(confidence=0.9, n_resamples=200, seed=1)
    assert_scores_match(result, reference_scores(pred, gold, None, "macro", 0.0))
    assert_report_matches(result, reference_report(pred, gold, None, 0.0))
    low, high = result.ci["f1"]
    assert 0.0 <= low <= high <= 1.0


def test_per_example_is_sentence_f1_and_main_score_is_f1():
    result = nm.compute("seqeval", predictions=[["B-PER"], ["O"], ["B-LOC", "I-LOC"], ["O"], ["B-PER", "B-LOC"]],
                        references=[["B-PER"], ["B-PER"], ["B-LOC", "O"], ["O"], ["B-PER", "O"]])
    assert next(iter(result.scores)) == "f1"
    np.testing.assert_allclose(result.per_example["f1"], [1.0, 0.0, 0.0, np.nan, 2 / 3])


def test_zero_division_nan_leaves_undefined_scores_out():
    gold = [["B-PER", "O"], ["O", "O"]]
    pred = [["B-PER", "O"], ["B-LOC", "O"]]
    table = nm.compute("seqeval", predictions=pred, references=gold, zero_division=math.nan).details["per_type"]
    assert table["type"] == ("LOC", "PER")
    assert math.isnan(table["recall"][0])
    assert table["precision"][0] == 0.0
    assert table["f1"][0] == 0.0
    macro = nm.compute("seqeval", predictions=pred, references=gold, zero_division=math.nan, average="macro")
    assert macro["recall"] == 1.0
    assert macro["precision"] == 0.5
    nothing = nm.compute("seqeval", predictions=[["O"]], references=[["O"]], zero_division=math.nan)
    assert math.isnan(nothing["f1"])
    assert math.isnan(nothing["precision"])


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("pred", "gold", "fragment"), [
    (["B-PER", "O"], ["B-PER", "O"], "predictions[0] is a single tag"),
    ([["B-PER", "O"]], [["B-PER"]], "sentence 0: predictions[0] has 2 tags but references[0] has 1"),
    ([["O"], ["O", "O", "O"]], [["O"], ["O", "O"]], "sentence 1: predictions[1] has 3 tags but references[1] has 2"),
    ([["O"]], [["O"], ["O"]], "predictions has 1 entries but references has 2"),
    ([["b-PER"]], [["B-PER"]], "predictions[0][0] (sentence 0, position 0): tag 'b-PER' has a lowercase prefix"),
    ([["O"]], [["B"]], "references[0][0] (sentence 0, position 0): tag 'B' has no entity type"),
    ([["O", "B-"]], [["O", "O"]], "tag 'B-' has no entity type"),
    ([["U-PER"]], [["O"]], "use mode='strict', scheme='BILOU'"),
    ([["O", "PER"]], [["O", "O"]], "tag 'PER' is not a tag of the form"),
    ([["O", 3]], [["O", "O"]], "predictions[0][1] (sentence 0, position 1): tag 3 is an int"),
    ([["O", ["B-PER"]]], [["O", "O"]], "predictions[0][1] (sentence 0, position 1) is a list"),
    ([None], [["O"]], "predictions[0] is None"),
])
def test_bad_input_names_the_place(pred, gold, fragment):
    with pytest.raises(InputError) as error:
        nm.compute("seqeval", predictions=pred, references=gold)
    assert fragment in str(error.value)


def test_strict_mode_names_sentence_position_and_tag_of_a_disallowed_prefix():
    with pytest.raises(InputError) as error:
        nm.compute("seqeval", predictions=[["O"], ["B-PER", "E-PER"]], references=[["O"], ["B-PER", "I-PER"]],
                   mode="strict", scheme="IOB2")
    message = str(error.value)
    assert "predictions[1][1] (sentence 1, position 1)" in message
    assert "'E-PER'" in message
    assert "IOB2" in message


def test_strict_without_scheme_names_the_schemes():
    with pytest.raises(InputError, match=r"with mode='strict' needs scheme= to say which spans are valid") as error:
        nm.load("seqeval", mode="strict")
    assert all(name in str(error.value) for name in SCHEMES)
    with pytest.raises(InputError, match="only applies with mode='strict'"):
        nm.load("seqeval", scheme="IOB2")
    with pytest.raises(InputError, match="valid"):
        nm.load("seqeval", scheme="IOB3")
    with pytest.raises(InputError, match=r"zero_division must be 0\.0, 1\.0 or float\('nan'\)"):
        nm.load("seqeval", zero_division="warn")


@pytest.mark.parametrize(("options", "fix"), [
    ({"zero_division": "warn"}, "0.0, 1.0 or float('nan')"),
    ({"zero_division": 0.5}, "0.0, 1.0 or float('nan')"),
    ({"suffix": "yes"}, "True or False"),
    ({"suffix": 1}, "True or False"),
    ({"average": "samples"}, "choose one of"),
])
def test_bad_options_name_the_option_and_the_allowed_values(options, fix):
    (option,) = options
    with pytest.raises(InputError) as error:
        nm.load("seqeval", **options)
    assert f"option {option}=" in str(error.value)
    assert fix in str(error.value)


# --------------------------------------------------------------------------- explanations, imports
@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("average", AVERAGES)
def test_explanation_names_the_counts(lang, average):
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG"]] * 20
    pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG"]] * 20
    result = nm.compute("seqeval", predictions=pred, references=gold, average=average, confidence=0.9,
                        n_resamples=100)
    text = result.explain(lang)
    assert "40" in text
    assert "60" in text
    assert "{" not in text
    card = nm.load("seqeval").explanation(lang)
    assert card.what
    assert card.caveats
    assert "ner" in card.good_for


def test_scoring_does_not_import_seqeval_or_sklearn():
    code = ("import sys, nlpmetrics as nm; nm.compute('seqeval', predictions=[['B-PER']], references=[['B-PER']], "
            "mode='strict', scheme='IOB2'); bad = [m for m in ('seqeval', 'sklearn') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
