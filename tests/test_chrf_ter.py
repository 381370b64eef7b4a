"""chrF and TER against sacrebleu: corpus and sentence scores, options, references, streaming."""

from __future__ import annotations

import logging
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import CHRF, TER

import nlpmetrics as nm
from tests.translation_texts import (
    cjk_pairs,
    edge_pairs,
    english_pairs,
    multi_references,
    reference_groups,
    sacrebleu_streams,
)

REFERENCE_CLASSES = {"chrf": CHRF, "ter": TER}


def reference_scores(name, predictions, references, sentences=None, **options):
    """sacrebleu's corpus score and the first ``sentences`` sentence scores (fractions).

    ``references`` holds one list or string per example.  TER is slow in
    sacrebleu, so its sentence scores are checked on a prefix.
    """
    groups = reference_groups(references)
    metric = REFERENCE_CLASSES[name](**options)
    corpus = metric.corpus_score(predictions, sacrebleu_streams(groups)).score / 100
    pairs = list(zip(predictions, groups, strict=True))[:sentences]
    return corpus, np.array([metric.sentence_score(p, g).score / 100 for p, g in pairs])


def assert_matches_sacrebleu(name, predictions, references, sentences=None, **options):
    result = nm.compute(name, predictions=predictions, references=references, **options)
    corpus, expected = reference_scores(name, predictions, references, sentences, **options)
    assert math.isclose(result[name], corpus, rel_tol=0, abs_tol=1e-9), (result[name], corpus)
    np.testing.assert_allclose(result.per_example[name][: len(expected)], expected, rtol=0, atol=1e-9)
    return result


def mixed_corpus(long_tokens: int = 2000):
    english = english_pairs(60, seed=1)
    cjk = cjk_pairs(seed=2)
    edge = edge_pairs(long_tokens)
    return english[0] + cjk[0] + edge[0], english[1] + cjk[1] + edge[1]


# ---------------------------------------------------------------------------- chrF
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"word_order": 2},
        {"word_order": 1, "char_order": 4, "beta": 3},
        {"lowercase": True, "whitespace": True},
        {"eps_smoothing": True},
        {"eps_smoothing": True, "word_order": 2, "lowercase": True},
        {"char_order": 1, "beta": 1},
    ],
)
def test_chrf_matches_sacrebleu_on_real_text(options):
    predictions, references = mixed_corpus()
    assert_matches_sacrebleu("chrf", predictions, references, **options)


@pytest.mark.parametrize("variable", [False, True])
def test_chrf_several_references_match_sacrebleu(variable):
    predictions, references = english_pairs(60, seed=3)
    groups = multi_references(references, seed=3, variable=variable)
    result = assert_matches_sacrebleu("chrf", predictions, groups, word_order=2)
    assert ("nrefs:var" in str(result.signature)) is variable


def test_chrf_signature_is_sacrebleus():
    predictions, references = english_pairs(20, seed=4)
    result = nm.compute("chrf", predictions=predictions, references=references, word_order=2)
    metric = CHRF(word_order=2)
    metric.corpus_score(predictions, [references])
    assert result.details["sacrebleu_signature"] == metric.get_signature().format()
    assert f"sacrebleu_signature:{metric.get_signature().format()}" in str(result.signature)


def test_chrf_japanese_identical_text_is_perfect_without_a_tokenizer():
    _, references = cjk_pairs()
    result = nm.compute("chrf", predictions=references, references=references, lang="ja")
    assert result["chrf"] == pytest.approx(1.0)


# ---------------------------------------------------------------------------- TER
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"normalized": True},
        {"no_punct": True},
        {"case_sensitive": True},
        {"normalized": True, "asian_support": True},
        {"no_punct": True, "asian_support": True, "case_sensitive": True},
    ],
)
def test_ter_matches_sacrebleu_on_real_text(options):
    # sacrebleu's TER is slow on long segments (minutes at 2,000 tokens), so the long pair is 120 tokens here
    predictions, references = mixed_corpus(long_tokens=120)
    assert_matches_sacrebleu("ter", predictions, references, sentences=20, **options)


@pytest.mark.parametrize("variable", [False, True])
def test_ter_several_references_match_sacrebleu(variable):
    predictions, references = english_pairs(40, seed=5)
    groups = multi_references(references, seed=5, variable=variable)
    assert_matches_sacrebleu("ter", predictions, groups, sentences=10)


@pytest.mark.parametrize("lang", ["ja", "zh", "ko"])
def test_ter_lang_splits_cjk_characters_as_sacrebleus_asian_support(lang):
    predictions, references = cjk_pairs(seed=6)
    result = nm.compute("ter", predictions=predictions, references=references, lang=lang)
    corpus, _ = reference_scores("ter", predictions, references, normalized=True, asian_support=True)
    assert result["ter"] == pytest.approx(corpus, abs=1e-9)
    assert result.options["normalized"] is True and result.options["asian_support"] is True
    assert "norm:yes" in str(result.signature) and "asian:yes" in str(result.signature)
    explicit = nm.load("ter", lang=lang, asian_support=False)
    assert explicit.config["asian_support"] is False and explicit.config["normalized"] is True
    perfect = nm.compute("ter", predictions=references, references=references, lang=lang)
    assert perfect["ter"] == 0.0


@pytest.mark.parametrize("options", [{}, {"normalized": True, "no_punct": True, "asian_support": True}])
def test_ter_signature_is_sacrebleus(options):
    predictions, references = english_pairs(20, seed=4)
    groups = multi_references(references, seed=4, variable=True)
    result = nm.compute("ter", predictions=predictions, references=groups, **options)
    metric = TER(**options)
    metric.corpus_score(predictions, sacrebleu_streams(groups))
    assert result.details["sacrebleu_signature"] == metric.get_signature().format()


def test_ter_is_lower_is_better_and_unbounded_above():
    info = nm.load("ter").info
    assert info.higher_is_better is False
    assert info.bounds == (0.0, math.inf)
    long = nm.compute("ter", predictions=["a b c d e f g h"], references=["x"])
    assert long["ter"] > 1


def test_ter_empty_references_follow_sacrebleu():
    predictions = ["", "some words", ""]
    references = ["", "", "a reference"]
    assert_matches_sacrebleu("ter", predictions, references)
    assert_matches_sacrebleu("ter", ["words"], [""])
    assert_matches_sacrebleu("ter", [""], [""])


def test_details_are_sacrebleus_corpus_counts():
    predictions, references = english_pairs(30, seed=8)
    groups = multi_references(references, seed=8, variable=True)
    streams = sacrebleu_streams(groups)
    ter = nm.compute("ter", predictions=predictions, references=groups)
    expected = TER().corpus_score(predictions, streams)
    assert ter.details["edits"] == expected.num_edits
    assert ter.details["ref_length"] == pytest.approx(expected.ref_length, abs=1e-9)

    chrf = nm.compute("chrf", predictions=predictions, references=groups, word_order=2)
    sacre = CHRF(word_order=2)
    sums = np.sum(sacre._extract_corpus_statistics(predictions, streams), axis=0).reshape(-1, 3)
    for column, key in enumerate(("hypothesis", "reference", "matched")):
        assert list(chrf.details["char_ngrams"][key]) == list(sums[:6, column])


# ---------------------------------------------------------------------------- both
@pytest.mark.parametrize("name", ["chrf", "ter"])
def test_streaming_merge_bootstrap_and_weights_are_exact(name):
    predictions, references = english_pairs(60, seed=7)
    whole = nm.compute(name, predictions=predictions, references=references)
    streamed = nm.load(name)
    for start in range(0, 60, 17):
        streamed.update(predictions=predictions[start:start + 17], references=references[start:start + 17])
    assert streamed.compute()[name] == pytest.approx(whole[name], rel=1e-12)
    left, right = nm.load(name), nm.load(name)
    left.update(predictions=predictions[:25], references=references[:25])
    right.update(predictions=predictions[25:], references=references[25:])
    merged = pickle.loads(pickle.dumps(left)).merge(right).compute(confidence=0.9, n_resamples=40, seed=2)
    assert merged[name] == pytest.approx(whole[name], rel=1e-12)
    low, high = merged.ci[name]
    assert low <= whole[name] <= high
    # row i counted w[i] times equals sacrebleu on the repeated corpus
    metric = nm.load(name)
    rows = metric.rows_for(predictions=predictions, references=references)
    weights = np.random.default_rng(1).integers(0, 3, size=60).astype(np.float64)
    repeated = [i for i, w in enumerate(weights) for _ in range(int(w))]
    expected, _ = reference_scores(name, [predictions[i] for i in repeated], [references[i] for i in repeated], 0)
    assert metric.aggregate(rows, weights)[name] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", ["chrf", "ter"])
def test_cards_explain_and_no_sacrebleu_warnings(name, caplog):
    predictions, references = english_pairs(10, seed=8)
    with caplog.at_level(logging.WARNING, logger="sacrebleu"):
        result = nm.compute(name, predictions=predictions, references=references)
    assert not [r for r in caplog.records if r.name.startswith("sacrebleu")]
    assert result.explain("en") and result.explain("ja")
    for lang in ("en", "ja"):
        card = nm.load(name).explanation(lang)
        assert card.caveats and card.good_for and card.what


@pytest.mark.parametrize(("name", "options"), [("chrf", {"char_order": 0}), ("chrf", {"beta": "2"}),
                                                ("chrf", {"whitespace": 1}), ("ter", {"normalized": "yes"}),
                                                ("ter", {"tokenize": "13a"}), ("chrf", {"lang": 5})])
def test_bad_options_are_refused(name, options):
    (option,) = options
    with pytest.raises(nm.InputError, match=rf"option '?{option}\b"):  # the message names the option
        nm.load(name, **options)


@settings(max_examples=40)
@given(
    data=st.lists(
        st.tuples(st.text(alphabet="ab c.,!(東京😀\t", max_size=16),
                  st.lists(st.text(alphabet="ab c.,!(東京😀\t", max_size=16), min_size=1, max_size=3)),
        min_size=1, max_size=6),
    char_order=st.integers(1, 6),
    word_order=st.integers(0, 2),
    whitespace=st.booleans(),
    lowercase=st.booleans(),
)
def test_chrf_rows_equal_sacrebleu_segment_statistics(data, char_order, word_order, whitespace, lowercase):
    """The vectorised counts (and the best-reference choice, ties included) are sacrebleu's, row by row."""
    options = {"char_order": char_order, "word_order": word_order, "whitespace": whitespace, "lowercase": lowercase}
    predictions = [p for p, _ in data]
    references = [r for _, r in data]
    rows = nm.load("chrf", **options).rows_for(predictions=predictions, references=references)
    sacre = CHRF(**options)
    for i, (prediction, group) in enumerate(data):
        info = sacre._extract_reference_info([sacre._preprocess_segment(r) for r in group])
        expected = sacre._compute_segment_statistics(sacre._preprocess_segment(prediction), info)
        assert [int(x) for x in rows["stats"][i]] == expected


def test_chrf_best_reference_tie_keeps_the_first():
    predictions = ["abc def"]
    references = [["abc xyz", "abc xyz", "def abc"]]
    assert_matches_sacrebleu("chrf", predictions, references)
    assert_matches_sacrebleu("chrf", ["ab"], [["ba", "ab ", "ab"]], word_order=2)
