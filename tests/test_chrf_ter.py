"""chrF and TER against sacrebleu: corpus and sentence scores, options, references, streaming."""

from __future__ import annotations

import logging
import math
import pickle
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import CHRF, TER
from sacrebleu.metrics.lib_ter import translation_edit_rate

import nlpmetrics as nm
from nlpmetrics.metrics.translation._ngram_counts import Segments, reference_match_statistics
from nlpmetrics.metrics.translation._ter_edits import translation_edits
from tests.translation_texts import (
    cjk_pairs,
    docstring_sentences,
    edge_pairs,
    english_pairs,
    multi_references,
    perturb_words,
    reference_groups,
    sacrebleu_streams,
)

REFERENCE_CLASSES = {"chrf": CHRF, "ter": TER}


def reference_scores(name, predictions, references, sentences=None, **options):
    """Sacrebleu's corpus score and the first ``sentences`` sentence scores (fractions).

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



def test_chrf_lang_changes_no_number_so_it_neither_blocks_merging_nor_the_signature():
    _, references = cjk_pairs()
    predictions = [text[::-1] for text in references]
    japanese = nm.load("chrf", lang="ja").update(predictions=predictions[:3], references=references[:3])
    plain = nm.load("chrf").update(predictions=predictions[3:], references=references[3:])
    merged = japanese.merge(plain).compute()
    whole = nm.compute("chrf", predictions=predictions, references=references)
    assert merged["chrf"] == whole["chrf"]
    assert merged.signature.compatible(whole.signature)

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
    assert result.options["normalized"] is True
    assert result.options["asian_support"] is True
    assert "norm:yes" in str(result.signature)
    assert "asian:yes" in str(result.signature)
    explicit = nm.load("ter", lang=lang, asian_support=False)
    assert explicit.config["asian_support"] is False
    assert explicit.config["normalized"] is True
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
    assert result.explain("en")
    assert result.explain("ja")
    for lang in ("en", "ja"):
        card = nm.load(name).explanation(lang)
        assert card.caveats
        assert card.good_for
        assert card.what


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


# ---------------------------------------------------------------------------- vectorised scores
@pytest.mark.parametrize(
    ("name", "options"),
    [("chrf", {}), ("chrf", {"word_order": 2}), ("chrf", {"eps_smoothing": True}),
     ("chrf", {"eps_smoothing": True, "word_order": 2, "beta": 1}), ("chrf", {"char_order": 2, "beta": 3}),
     ("ter", {}), ("ter", {"normalized": True, "no_punct": True})],
)
def test_batched_score_equals_sacrebleu_per_summary(name, options):
    """score() of a batched summary (bootstrap) is sacrebleu's scoring of each weighted sum, to 1e-12."""
    predictions, references = english_pairs(40, seed=15)
    edge_predictions, edge_references = edge_pairs(30)
    predictions, references = predictions + edge_predictions, references + edge_references
    metric = nm.load(name, **options)
    rows = metric.rows_for(predictions=predictions, references=references)
    rng = np.random.default_rng(3)
    weights = np.concatenate([
        rng.random((30, len(predictions))) * 3,  # fractional weights
        rng.integers(0, 3, (10, len(predictions))).astype(np.float64),  # whole weights, zeros included
        np.zeros((1, len(predictions))),  # nothing at all
        np.eye(len(predictions))[[0, 1, 2, 3]],  # a single example (empty texts among them)
    ])
    scores = metric.score(metric.reduce(rows, weights))[name]
    sacre = REFERENCE_CLASSES[name](**options)
    expected = [sacre._compute_score_from_stats([float(x) for x in stats]).score / 100
                for stats in weights @ rows["stats"]]
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------- counting paths
@pytest.mark.parametrize(("method", "key_bits"), [("prefixes", 62), ("orders", 62), ("orders", 14)])
def test_chrf_counting_paths_equal_sacrebleu(method, key_bits):
    """One sort for every order, one sort per order, and re-numbered keys give sacrebleu's chrF statistics."""
    rng = random.Random(16)
    sacre = CHRF(char_order=5)
    alphabet = "abcde東京😀"
    for _ in range(8):
        hypotheses = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
                      for _ in range(rng.randint(1, 9))]
        references = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
                       for _ in range(rng.randint(1, 3))] for _ in hypotheses]
        stats = reference_match_statistics(Segments.from_characters(hypotheses, references), 5,
                                           method=method, key_bits=key_bits)
        for i, (hypothesis, group) in enumerate(zip(hypotheses, references, strict=True)):
            for j, reference in enumerate(group):
                info = sacre._extract_reference_info([reference])
                expected = sacre._compute_segment_statistics(hypothesis, info)
                assert [int(x) for x in stats[i, j].ravel()] == expected


# ---------------------------------------------------------------------------- TER edits
def _shuffled_pairs(rng: random.Random, count: int, longest: int) -> tuple[list[list[str]], list[list[str]]]:
    """Random word pairs: unrelated, with words dropped, and with blocks moved about (many shifts)."""
    hypotheses, references = [], []
    for _ in range(count):
        vocabulary = [str(i) for i in range(rng.randint(1, 30))]
        reference = [rng.choice(vocabulary) for _ in range(rng.randint(0, longest))]
        kind = rng.random()
        if kind < 0.4 and reference:
            hypothesis = list(reference)
            for _ in range(rng.randint(1, 6)):
                start, length = rng.randrange(len(hypothesis)), rng.randint(1, 6)
                block = hypothesis[start:start + length]
                del hypothesis[start:start + length]
                at = rng.randint(max(0, start - 30), min(len(hypothesis), start + 30))
                hypothesis[at:at] = block
            for _ in range(rng.randint(0, 4)):
                hypothesis[rng.randrange(len(hypothesis))] = rng.choice(vocabulary)
        elif kind < 0.7:
            hypothesis = [w for w in reference if rng.random() > 0.2] + rng.choices(vocabulary, k=rng.randint(0, 5))
            rng.shuffle(hypothesis)
        else:
            hypothesis = rng.choices(vocabulary, k=rng.randint(0, longest))
        hypotheses.append(hypothesis)
        references.append(reference)
    return hypotheses, references


def assert_edits_equal_sacrebleu(hypotheses, references):
    ours = translation_edits(hypotheses, references)
    theirs = [translation_edit_rate(h, r)[0] for h, r in zip(hypotheses, references, strict=True)]
    assert list(ours) == theirs


@pytest.mark.parametrize("seed", [0, 1])
def test_ter_edits_equal_sacrebleu_on_random_pairs(seed):
    """Sacrebleu's shift search, beam and limits: the same edits on random short pairs, many shifts included."""
    assert_edits_equal_sacrebleu(*_shuffled_pairs(random.Random(seed), 100, 25))


def test_ter_edits_equal_sacrebleu_on_long_pairs():
    """Pairs of up to 120 words: beams narrower than the rows, candidates finished with the backward matrix."""
    rng = random.Random(7)
    hypotheses, references = _shuffled_pairs(rng, 4, 120)
    words = [w for s in docstring_sentences(100) for w in s.split()]
    reference = rng.choices(words, k=100)
    hypotheses.append(perturb_words(" ".join(reference), rng, words).split())
    references.append(reference)
    assert_edits_equal_sacrebleu(hypotheses, references)


def test_ter_edits_equal_sacrebleu_when_a_round_reaches_the_candidate_limit():
    """A few repeated words give many candidates: sacrebleu drops the round in which the count reaches 1,000.

    The first two pairs reach it in their first round; the seeded block moves
    (seeds 17 and 27) reach exactly 1,000 in their third, after two shifts.
    """
    rng = random.Random(8)
    reference = rng.choices("ab", k=45)
    hypotheses, references = [rng.choices("ab", k=40), reference[::-1]], [reference, reference]
    for seed in (17, 27):
        rng = random.Random(seed)
        size = rng.randint(25, 45)
        reference = rng.choices("abcd"[: rng.randint(2, 4)], k=size)
        hypothesis = list(reference)
        for _ in range(rng.randint(1, 5)):
            start, length = rng.randrange(size - 4), rng.randint(1, 4)
            block = hypothesis[start:start + length]
            del hypothesis[start:start + length]
            at = rng.randint(0, len(hypothesis))
            hypothesis[at:at] = block
        hypotheses.append(hypothesis)
        references.append(reference)
    assert_edits_equal_sacrebleu(hypotheses, references)


def test_ter_of_a_long_pair_runs_and_its_slices_equal_sacrebleu():
    """A 2,000-word pair runs; 80-word slices of it equal sacrebleu (the whole pair takes sacrebleu minutes)."""
    predictions, references = edge_pairs(2000)
    tokenizer = TER().tokenizer
    hypothesis, reference = tokenizer(predictions[6]).split(), tokenizer(references[6]).split()
    assert len(reference) == 2000
    translation_edits([hypothesis], [reference])  # runs (its speed is benchmarked in benchmarks/bench_bleu.py)
    slices = [(hypothesis[k:k + 80], reference[k:k + 80]) for k in (0, 1000)]
    assert_edits_equal_sacrebleu([h for h, _ in slices], [r for _, r in slices])
