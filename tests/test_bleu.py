"""BLEU against sacrebleu: corpus scores, sentence scores, statistics, options, bad input."""

from __future__ import annotations

import logging
import math
import pickle
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import BLEU as SacreBLEU

import nlpmetrics as nm
from nlpmetrics.errors import InputError
from nlpmetrics.metrics.translation._fast_13a import prepare_lines, tokenize_13a, tokenize_13a_words
from nlpmetrics.metrics.translation._ngram_counts import Segments, clipped_counts, clipped_ngram_counts
from tests.translation_texts import (
    BAD_TEXT_INPUTS,
    cjk_pairs,
    edge_pairs,
    english_pairs,
    multi_references,
    reference_groups,
    sacrebleu_streams,
)

OFFLINE_TOKENIZERS = ["13a", "intl", "char", "none", "zh", "ja-mecab", "ko-mecab"]


def sacrebleu_corpus(predictions, references, **options) -> float:
    """Sacrebleu's corpus BLEU as a fraction; ``references`` one list (or string) per example."""
    groups = reference_groups(references)
    return SacreBLEU(**options).corpus_score(predictions, sacrebleu_streams(groups)).score / 100


def sacrebleu_sentences(predictions, references, **options) -> np.ndarray:
    metric = SacreBLEU(**{**options, "effective_order": True})
    groups = reference_groups(references)
    return np.array([metric.sentence_score(p, g).score / 100 for p, g in zip(predictions, groups, strict=True)])


def assert_matches_sacrebleu(predictions, references, **options):
    result = nm.compute("bleu", predictions=predictions, references=references, **options)
    sacrebleu_options = {k: v for k, v in options.items() if k != "lang"}
    assert math.isclose(result["bleu"], sacrebleu_corpus(predictions, references, **sacrebleu_options),
                        rel_tol=0, abs_tol=1e-9)
    np.testing.assert_allclose(result.per_example["bleu"], sacrebleu_sentences(predictions, references,
                                                                               **sacrebleu_options),
                               rtol=0, atol=1e-9)
    return result


# ---------------------------------------------------------------------------- corpus parity
@pytest.mark.parametrize("tokenize", OFFLINE_TOKENIZERS)
def test_every_offline_tokenizer_matches_sacrebleu(tokenize):
    english = english_pairs(150, seed=1)
    cjk = cjk_pairs(seed=2)
    edge = edge_pairs()
    predictions = english[0] + cjk[0] + edge[0]
    references = english[1] + cjk[1] + edge[1]
    assert_matches_sacrebleu(predictions, references, tokenize=tokenize)
    assert_matches_sacrebleu(predictions, references, tokenize=tokenize, lowercase=True)


@pytest.mark.parametrize("smooth_method", ["exp", "floor", "add-k", "none"])
@pytest.mark.parametrize("smooth_value", [None, 0.0, 0.5, 3])
def test_every_smoothing_matches_sacrebleu(smooth_method, smooth_value):
    predictions, references = english_pairs(40, seed=3)
    edge_predictions, edge_references = edge_pairs()
    options = {"smooth_method": smooth_method}
    if smooth_value is not None:
        options["smooth_value"] = smooth_value
    assert_matches_sacrebleu(predictions + edge_predictions, references + edge_references, **options)
    # short texts: zero counts at the higher orders, where smoothing decides the score
    short_predictions = ["the cat", "a dog sat", "on", "mat the cat sat on"]
    short_references = ["the cat sat", "a dog", "on the mat", "the cat sat on the mat"]
    assert_matches_sacrebleu(short_predictions, short_references, **options)


@pytest.mark.parametrize("max_ngram_order", [1, 2, 3, 5, 6])
@pytest.mark.parametrize("effective_order", [False, True])
def test_max_ngram_order_and_effective_order_match_sacrebleu(max_ngram_order, effective_order):
    predictions, references = english_pairs(60, seed=4)
    predictions += ["one two", "x"]
    references += ["one two three", "x"]
    result = assert_matches_sacrebleu(predictions, references, max_ngram_order=max_ngram_order,
                                      effective_order=effective_order)
    assert len(result.details["precisions"]) == max_ngram_order


def test_several_references_same_number_match_sacrebleu():
    predictions, references = english_pairs(80, seed=5)
    groups = multi_references(references, seed=5, variable=False)
    assert_matches_sacrebleu(predictions, groups)
    result = nm.compute("bleu", predictions=predictions, references=groups)
    streams = [list(s) for s in zip(*groups, strict=True)]
    sacre = SacreBLEU()
    assert result["bleu"] == pytest.approx(sacre.corpus_score(predictions, streams).score / 100, abs=1e-9)
    assert f"sacrebleu_signature:{sacre.get_signature().format()}" in str(result.signature)
    assert result.details["sacrebleu_signature"] == sacre.get_signature().format()


def test_variable_number_of_references_matches_sacrebleu_padding_and_segment_statistics():
    predictions, references = english_pairs(80, seed=6)
    groups = multi_references(references, seed=6, variable=True)
    assert len({len(g) for g in groups}) > 1
    result = assert_matches_sacrebleu(predictions, groups)
    # sacrebleu's own per-segment statistics on each example's own references
    sacre = SacreBLEU()
    rows = nm.load("bleu").rows_for(predictions=predictions, references=groups)
    for i, (prediction, group) in enumerate(zip(predictions, groups, strict=True)):
        info = sacre._extract_reference_info([sacre._preprocess_segment(r) for r in group])
        expected = sacre._compute_segment_statistics(sacre._preprocess_segment(prediction), info)
        got = [rows["hyp_len"][i], rows["ref_len"][i], *rows["correct"][i], *rows["total"][i]]
        assert [int(x) for x in got] == expected
    assert "nrefs:var" in str(result.signature)


def test_japanese_with_lang_picks_mecab_and_never_scores_identical_text_zero():
    predictions, references = cjk_pairs(seed=8)
    japanese = slice(0, 12)
    result = assert_matches_sacrebleu(predictions[japanese], references[japanese], tokenize="ja-mecab")
    via_lang = nm.compute("bleu", predictions=predictions[japanese], references=references[japanese], lang="ja")
    assert via_lang["bleu"] == result["bleu"]
    assert via_lang.options["tokenize"] == "ja-mecab"
    assert "tok:ja-mecab" in str(via_lang.signature)
    assert "tokenize:ja-mecab" in str(via_lang.signature)
    same = nm.compute("bleu", predictions=references[japanese], references=references[japanese], lang="ja")
    assert same["bleu"] == pytest.approx(1.0)
    assert nm.load("bleu", lang="zh").config["tokenize"] == "zh"
    assert nm.load("bleu", lang="ko").config["tokenize"] == "ko-mecab"
    assert nm.load("bleu", lang="en").config["tokenize"] == "13a"
    assert nm.load("bleu", lang="ja", tokenize="char").config["tokenize"] == "char"


@settings(max_examples=30)
@given(
    data=st.lists(
        st.tuples(st.text(alphabet="ab c.,1-東京😀 ", max_size=20),
                  st.lists(st.text(alphabet="ab c.,1-東京😀 ", max_size=20), min_size=1, max_size=3)),
        min_size=1, max_size=6),
    smooth_method=st.sampled_from(["exp", "floor", "add-k", "none"]),
    max_ngram_order=st.integers(1, 5),
)
def test_generated_inputs_match_sacrebleu(data, smooth_method, max_ngram_order):
    predictions = [p for p, _ in data]
    references = [r for _, r in data]
    assert_matches_sacrebleu(predictions, references, smooth_method=smooth_method, max_ngram_order=max_ngram_order)


# ---------------------------------------------------------------------------- pieces
@settings(max_examples=40)
@given(st.lists(st.sampled_from([*"ab1.,-&;<>\"'()[]{}|~`^_/ \n\tqut日本😀",
                                 "&quot;", "&amp;", "&lt;", "&gt;", "<skipped>", "-\n"]), max_size=40).map("".join))
def test_fast_13a_tokenizer_equals_sacrebleu(text):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    assert tokenize_13a(text) == Tokenizer13a()(text)


def test_fast_13a_tokenizer_equals_sacrebleu_on_real_text():
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tokenizer = Tokenizer13a()
    for predictions, references in (english_pairs(200), cjk_pairs(), edge_pairs()):
        for text in predictions + references:
            assert tokenize_13a(text) == tokenizer(text)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.lists(st.sampled_from("abcd"), max_size=8),
                          st.lists(st.lists(st.sampled_from("abcd"), max_size=8), min_size=1, max_size=3)),
                min_size=1, max_size=6))
def test_clipped_counts_equal_sacrebleu_segment_statistics(data):
    sacre = SacreBLEU(tokenize="none")
    correct, total = clipped_ngram_counts([h for h, _ in data], [r for _, r in data], 4)
    for i, (hypothesis, references) in enumerate(data):
        info = sacre._extract_reference_info([" ".join(r) for r in references])
        expected = sacre._compute_segment_statistics(" ".join(hypothesis), info)
        assert [*correct[i], *total[i]] == expected[2:]


WHITESPACE_AND_PUNCTUATION = [
    *"ab1.,-&;<>\"'()[]{}|~`^_/ \n\tqut日本😀\u3000\xa0\x1c",
    "&quot;", "&amp;", "&lt;", "&gt;", "<skipped>", "-\n", "2.5", "1,000", "3-4", "e.g.", "...", ",.",
]


@settings(max_examples=60)
@given(st.lists(st.lists(st.sampled_from(WHITESPACE_AND_PUNCTUATION), max_size=30).map("".join), min_size=1,
                max_size=8))
def test_batch_13a_word_tokens_equal_sacrebleu(lines):
    """Tokenizing each distinct word of a batch once gives sacrebleu's tokens, line by line (same ids)."""
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tokenizer = Tokenizer13a()
    lines = [line.rstrip() for line in lines] + ["x"] * (len(lines) % 2)  # (hypothesis, reference) pairs
    ours = Segments.from_words(prepare_lines(lines), np.ones(len(lines) // 2, dtype=np.int64), tokenize_13a_words)
    tokens = [tokenizer(line).split() for line in lines]
    theirs = Segments.from_tokens(tokens[::2], [[reference] for reference in tokens[1::2]])
    assert list(ours.lengths) == list(map(len, tokens))
    assert list(ours.token_ids) == list(theirs.token_ids)


@pytest.mark.parametrize(("method", "key_bits"), [("prefixes", 62), ("orders", 62), ("orders", 12)])
def test_both_counting_paths_equal_sacrebleu_segment_statistics(method, key_bits):
    """One sort for every order, one sort per order, and re-numbered keys (few key bits) all count alike."""
    rng = random.Random(14)
    sacre = SacreBLEU(tokenize="none", max_ngram_order=5)
    for _ in range(10):
        vocabulary = [str(i) for i in range(rng.randint(1, 40))]
        hypotheses = [[rng.choice(vocabulary) for _ in range(rng.randint(0, 15))] for _ in range(rng.randint(1, 12))]
        references = [[[rng.choice(vocabulary) for _ in range(rng.randint(0, 15))] for _ in range(rng.randint(1, 3))]
                      for _ in hypotheses]
        segments = Segments.from_tokens(hypotheses, references)
        correct, total = clipped_counts(segments, 5, method=method, key_bits=key_bits)
        for i, (hypothesis, group) in enumerate(zip(hypotheses, references, strict=True)):
            info = sacre._extract_reference_info([" ".join(r) for r in group])
            expected = sacre._compute_segment_statistics(" ".join(hypothesis), info)
            assert [*correct[i], *total[i]] == expected[2:]


# ---------------------------------------------------------------------------- engine integration
def test_streaming_merge_and_bootstrap_are_exact():
    predictions, references = english_pairs(120, seed=9)
    whole = nm.compute("bleu", predictions=predictions, references=references)
    streamed = nm.load("bleu")
    for start in range(0, 120, 37):
        streamed.update(predictions=predictions[start:start + 37], references=references[start:start + 37])
    assert streamed.compute()["bleu"] == whole["bleu"]
    left, right = nm.load("bleu"), nm.load("bleu")
    left.update(predictions=predictions[:50], references=references[:50])
    right.update(predictions=predictions[50:], references=references[50:])
    merged = pickle.loads(pickle.dumps(left)).merge(right).compute(confidence=0.9, n_resamples=50, seed=1)
    assert merged["bleu"] == whole["bleu"]
    low, high = merged.ci["bleu"]
    assert 0 <= low <= whole["bleu"] <= high <= 1


def test_details_describe_the_corpus_score():
    predictions, references = english_pairs(50, seed=10)
    result = nm.compute("bleu", predictions=predictions, references=references)
    score = SacreBLEU().corpus_score(predictions, [references])
    assert result.details["brevity_penalty"] == pytest.approx(score.bp)
    assert result.details["length_ratio"] == pytest.approx(score.ratio)
    assert result.details["hyp_len"] == score.sys_len
    assert result.details["ref_len"] == score.ref_len
    assert result.details["precisions"] == pytest.approx([p / 100 for p in score.precisions])
    assert list(result.details["counts"]) == score.counts
    assert list(result.details["totals"]) == score.totals
    assert "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" in str(result.signature)
    assert result.explain("en")
    assert result.explain("ja")


def test_per_example_scores_emit_no_sacrebleu_warnings(caplog):
    predictions, references = english_pairs(20, seed=11)
    with caplog.at_level(logging.WARNING, logger="sacrebleu"):
        result = nm.compute("bleu", predictions=predictions, references=references)
    assert result.per_example["bleu"].shape == (20,)
    assert not [r for r in caplog.records if r.name.startswith("sacrebleu")]


# ---------------------------------------------------------------------------- traps and bad input
def test_flat_reference_list_is_one_reference_per_example_unlike_sacrebleu():
    predictions = ["the cat sat on the mat", "a dog barked at the moon"]
    references = ["the cat sat on the mat", "a dog barked at the moon"]
    # sacrebleu reads a flat list as reference *streams*: a silent near-zero score
    assert SacreBLEU().corpus_score(predictions, references).score < 5
    assert nm.compute("bleu", predictions=predictions, references=references)["bleu"] == pytest.approx(1.0)


@pytest.mark.parametrize(("predictions", "references", "message"), BAD_TEXT_INPUTS)
@pytest.mark.parametrize("metric", ["bleu", "chrf", "ter"])
def test_bad_input_names_the_index(metric, predictions, references, message):
    with pytest.raises(InputError, match=message):
        nm.compute(metric, predictions=predictions, references=references)


@pytest.mark.parametrize("tokenize", ["flores101", "flores200", "spm"])
def test_downloading_tokenizers_are_refused_offline(tokenize, monkeypatch, tmp_path):
    monkeypatch.setattr("sacrebleu.utils.SACREBLEU_DIR", str(tmp_path))
    with pytest.raises(InputError, match="download"):
        nm.load("bleu", tokenize=tokenize)


@pytest.mark.parametrize(
    "options",
    [{"tokenize": "13b"}, {"smooth_method": "laplace"}, {"smooth_value": -1}, {"max_ngram_order": 0},
     {"lowercase": "yes"}, {"lang": 3}, {"effective_order": 1}],
)
def test_bad_options_are_refused_when_the_metric_is_made(options):
    (option,) = options
    with pytest.raises(InputError, match=rf"option '?{option}\b"):  # the message names the option
        nm.load("bleu", **options)


def test_random_corpora_match_sacrebleu():
    rng = random.Random(12)
    words = ["the", "a", "cat", "dog", "sat", "on", "mat", ".", ",", "!", "東京", "日本", "café", "😀"]
    for _ in range(20):
        n = rng.randint(1, 15)
        predictions = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(n)]
        references = [[" ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
                       for _ in range(rng.randint(1, 3))] for _ in range(n)]
        options = {"smooth_method": rng.choice(["exp", "floor", "add-k", "none"]),
                   "lowercase": rng.random() < 0.5, "tokenize": rng.choice(["13a", "intl", "char"])}
        assert_matches_sacrebleu(predictions, references, **options)


@pytest.mark.parametrize("options", [{}, {"smooth_method": "floor"},
                                     {"smooth_method": "add-k", "effective_order": True},
                                     {"smooth_method": "none", "max_ngram_order": 5}])
def test_weighted_aggregate_equals_sacrebleu_on_repeated_rows(options):
    """The bootstrap's weights: row i counted w[i] times must equal sacrebleu on the repeated corpus."""
    predictions, references = english_pairs(30, seed=13)
    predictions += ["a b", "c"]
    references += ["a b c", "d"]
    metric = nm.load("bleu", **options)
    rows = metric.rows_for(predictions=predictions, references=references)
    weights = np.random.default_rng(0).integers(0, 4, size=len(predictions)).astype(np.float64)
    repeated = [i for i, w in enumerate(weights) for _ in range(int(w))]
    expected = sacrebleu_corpus([predictions[i] for i in repeated], [references[i] for i in repeated], **options)
    assert metric.aggregate(rows, weights)["bleu"] == pytest.approx(expected, abs=1e-12)



def test_whole_number_weights_in_a_batch_are_scored_per_resample():
    """Integer resample weights (a matrix) take the vectorised path, each row equal to sacrebleu on repeated rows."""
    predictions, references = english_pairs(12, seed=17)
    metric = nm.load("bleu")
    rows = metric.rows_for(predictions=predictions, references=references)
    weights = np.random.default_rng(2).integers(0, 3, size=(3, len(predictions)))
    scores = metric.score(metric.reduce(rows, weights))["bleu"]
    for row, got in zip(weights, scores, strict=True):
        repeated = [i for i, w in enumerate(row) for _ in range(int(w))]
        expected = sacrebleu_corpus([predictions[i] for i in repeated], [references[i] for i in repeated])
        assert got == pytest.approx(expected, abs=1e-12)

def test_missing_mecab_names_the_extra(monkeypatch):
    from nlpmetrics.errors import MissingDependencyError
    from nlpmetrics.metrics import text as _text

    class NoMeCab:
        def __init__(self):
            raise ImportError("No module named 'MeCab'")

    monkeypatch.setattr("sacrebleu.metrics.bleu._get_tokenizer", lambda name: NoMeCab)
    _text.sacrebleu_tokenizer.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r'nlpmetrics\[ja\]'):
            nm.load("bleu", lang="ja")
    finally:
        monkeypatch.undo()
        _text.sacrebleu_tokenizer.cache_clear()
    assert nm.load("bleu", lang="ja").config["tokenize"] == "ja-mecab"
