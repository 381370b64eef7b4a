"""ROUGE: per-example numbers identical to rouge-score, Japanese done right, warnings, bad input."""

from __future__ import annotations

import inspect
import json
import os
import random
import re
import string
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

import nlpmetrics as nm
from nlpmetrics.errors import InputError
from nlpmetrics.metrics.rouge import RougeWarning
from nlpmetrics.metrics.rouge._lcs import lcs_length, lcs_lengths, lcs_ref_indices
from nlpmetrics.metrics.rouge._scores import TokenBatch, ngram_overlaps, short_pair_counts
from nlpmetrics.metrics.rouge._tokens import split_sentences
from tests.translation_texts import BAD_TEXT_INPUTS

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
FIELDS = ("precision", "recall", "fmeasure")


# ---------------------------------------------------------------------------- helpers
class SacrebleuHook:
    """What a rouge-score user would pass as ``tokenizer=`` for CJK: sacrebleu's tokenizer, split on spaces."""

    def __init__(self, name: str) -> None:
        from sacrebleu.metrics import BLEU

        self._tokenize = BLEU(tokenize=name).tokenizer

    def tokenize(self, text: str) -> list[str]:
        return self._tokenize(text).split()


def our_rows(predictions, references, **options):
    metric = nm.load("rouge", **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RougeWarning)
        return metric.rows_for(predictions=predictions, references=references)


def assert_identical(predictions, references, types=TYPES, use_stemmer=False, tokenizer=None, **options):
    """Every per-example P/R/F equals rouge-score's ``score`` / ``score_multi`` (to 1e-12)."""
    scorer = rouge_scorer.RougeScorer(list(types), use_stemmer=use_stemmer, tokenizer=tokenizer)
    rows = our_rows(predictions, references, rouge_types=tuple(types), use_stemmer=use_stemmer, **options)
    for i, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        if isinstance(reference, str):
            expected = scorer.score(reference, prediction)
        else:
            expected = scorer.score_multi(reference, prediction)
        for rouge_type in types:
            for field in FIELDS:
                ours = rows[f"{rouge_type}_{field}"][i]
                theirs = getattr(expected[rouge_type], field)
                assert abs(ours - theirs) <= 1e-12, (i, rouge_type, field, prediction, reference, ours, theirs)


def docstring_sentences() -> list[str]:
    """Real English: sentences of standard-library docstrings."""
    text = " ".join(filter(None, (m.__doc__ for m in (os, json, random, re, string, inspect))))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]


WORDS = [
    "the", "a", "cat", "dog", "sat", "on", "mat", "running", "runs", "ran", "quickly", "quick", "brown", "fox",
    "jumps", "over", "lazy", "is", "was", "be",
]


def random_text(rng: random.Random, max_sentences: int = 3, max_words: int = 8) -> str:
    separator = rng.choice(["\n", " ", ". ", "\n\n", " \n "])
    return separator.join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, max_words)))
        for _ in range(rng.randint(0, max_sentences))
    )


# ---------------------------------------------------------------------------- parity with rouge-score
@pytest.mark.parametrize("use_stemmer", [False, True])
def test_random_texts_with_newlines_and_several_references(use_stemmer):
    rng = random.Random(7 + use_stemmer)
    predictions = [random_text(rng) for _ in range(300)]
    references = [[random_text(rng) for _ in range(rng.randint(1, 3))] for _ in range(300)]
    assert_identical(predictions, references, [*TYPES, "rouge3"], use_stemmer=use_stemmer)


@pytest.mark.parametrize("use_stemmer", [False, True])
def test_real_english_docstrings(use_stemmer):
    sentences = docstring_sentences()
    rng = random.Random(3)
    predictions, references = [], []
    for _ in range(200):
        reference = rng.choice(sentences)
        words = [w for w in reference.split() if rng.random() > 0.3] + rng.choice(sentences).split()[:5]
        predictions.append(" ".join(words))
        references.append(reference if rng.random() < 0.5 else "\n".join(rng.sample(sentences, 3)))
    assert_identical(predictions, references, use_stemmer=use_stemmer)


def test_rouge_n_for_n_up_to_9():
    rng = random.Random(11)
    predictions = [" ".join(rng.choice(WORDS[:5]) for _ in range(rng.randint(0, 30))) for _ in range(100)]
    references = [" ".join(rng.choice(WORDS[:5]) for _ in range(rng.randint(0, 30))) for _ in range(100)]
    assert_identical(predictions, references, ["rouge3", "rouge4", "rouge9", "rouge1"])


EDGE_TEXTS = [
    "", " ", "\n", "\n\n", "...", "a", "word", "The", "ＦＵＬＬ ｗｉｄｔｈ ＡＢＣ", "café crème brûlée",
    "İstanbul KELVIN", "emoji 😀 here 🎉", "東京は晴れです", "Привет мир", "mixed 東京 Tokyo 2024",
    "tab\tseparated\ttext", "nul\x00inside",
    "Hello, World! Hello?", "running runs ran easily fairly", "a b a b a b", "1 2 3 4 5", "x\ny\nz", "x.\ny!\nz?",
]


def test_edge_cases_every_pair():
    predictions = [p for p in EDGE_TEXTS for _ in EDGE_TEXTS]
    references = [r for _ in EDGE_TEXTS for r in EDGE_TEXTS]
    for use_stemmer in (False, True):
        assert_identical(predictions, references, [*TYPES, "rouge3"], use_stemmer=use_stemmer)


def test_long_texts_of_2000_tokens():
    """Sides over 64 tokens take the other code paths (bits over the shorter side, Python big ints)."""
    rng = random.Random(5)

    def text(n):
        return " ".join(rng.choice(WORDS) for _ in range(n))

    assert_identical([text(2000)], [text(2000)], ["rouge1", "rougeL"])
    predictions = [text(2000), text(30), text(300), text(64), text(65), text(100),
                   "\n".join(text(30) for _ in range(3))]
    references = [text(40), text(2000), "\n".join(text(60) for _ in range(5)), text(65), text(64), text(100), text(300)]
    assert_identical(predictions, references)


# ---------------------------------------------------------------------------- LCS internals
@settings(max_examples=60)
@given(st.lists(st.integers(0, 4), max_size=70), st.lists(st.integers(0, 4), max_size=70))
def test_lcs_and_backtrack_equal_rouge_score_tables(a, b):
    table = rouge_scorer._lcs_table(a, b)
    assert lcs_length(a, b) == table[-1][-1]
    assert lcs_ref_indices(a, b) == rouge_scorer._backtrack_norec(table, a, b)


def test_vectorised_lcs_lengths_match_the_table():
    rng = random.Random(2)
    rows = [[rng.randrange(6) for _ in range(rng.randrange(0, 90))] for _ in range(300)]
    bits = [[rng.randrange(6) for _ in range(rng.randrange(0, 65))] for _ in range(300)]
    got = lcs_lengths(
        np.array([t for r in rows for t in r], dtype=np.int64), np.array([len(r) for r in rows]),
        np.array([t for r in bits for t in r], dtype=np.int64), np.array([len(r) for r in bits]),
    )
    assert got.tolist() == [rouge_scorer._lcs_table(r, b)[-1][-1] for r, b in zip(rows, bits, strict=True)]


@pytest.mark.parametrize(("id_offset", "longest_prediction"), [(0, 65), (2**24, 65), (0, 193)])
def test_short_pair_table_equals_the_general_counting(id_offset, longest_prediction):
    """The padded per-pair table (int32 keys, or int64 for huge vocabularies; LCS bits over 1-3 words)."""
    rng = random.Random(4)
    preds = [[rng.randrange(5) for _ in range(rng.randrange(0, longest_prediction))] for _ in range(300)]
    refs = [[rng.randrange(5) for _ in range(rng.randrange(0, 255 - len(p)))] for p in preds]

    def batch(lists):
        ids = np.array([t + id_offset for tokens in lists for t in tokens], dtype=np.int64)
        return TokenBatch(ids, np.array([len(t) for t in lists], dtype=np.int64))

    prediction, reference = batch(preds), batch(refs)
    matches, lcs = short_pair_counts(prediction, reference, [1, 2, 3, 4], True)
    for n in (1, 2, 3, 4):
        assert matches[n].tolist() == ngram_overlaps(prediction, reference, n)[0].tolist()
    assert lcs.tolist() == [rouge_scorer._lcs_table(r, p)[-1][-1] for p, r in zip(preds, refs, strict=True)]


@pytest.mark.parametrize(("id_offset", "longest_prediction"), [(0, 321), (2**21, 150), (2**24, 321)])
def test_wide_short_pair_table_equals_the_general_counting(id_offset, longest_prediction):
    """Pairs of up to 511 tokens, predictions of up to 320 (LCS bits over 1-5 words).

    The keys are int32, and int64 from ids of 2**21 on.
    """
    rng = random.Random(6)
    preds = [[rng.randrange(7) for _ in range(rng.randrange(0, longest_prediction))] for _ in range(120)]
    refs = [[rng.randrange(7) for _ in range(rng.randrange(0, 512 - len(p)))] for p in preds]

    def batch(lists):
        ids = np.array([t + id_offset for tokens in lists for t in tokens], dtype=np.int64)
        return TokenBatch(ids, np.array([len(t) for t in lists], dtype=np.int64))

    prediction, reference = batch(preds), batch(refs)
    matches, lcs = short_pair_counts(prediction, reference, [1, 2, 3], True)
    for n in (1, 2, 3):
        assert matches[n].tolist() == ngram_overlaps(prediction, reference, n)[0].tolist()
    assert lcs.tolist() == [lcs_length(r, p) for p, r in zip(preds, refs, strict=True)]


# ---------------------------------------------------------------------------- hypothesis
_PIECES = st.sampled_from([*"abc xyz.\n!?,-", "é", "東", "😀", "Ｘ", "running", "RUNS", " the "])
_TEXT = st.lists(_PIECES, max_size=25).map("".join)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(_TEXT, st.lists(_TEXT, min_size=1, max_size=3)),
             min_size=1, max_size=6),
    st.booleans(),
)
def test_hypothesis_texts_equal_rouge_score(pairs, use_stemmer):
    predictions = [p for p, _ in pairs]
    references = [r for _, r in pairs]
    assert_identical(predictions, references, [*TYPES, "rouge3"], use_stemmer=use_stemmer)


# ---------------------------------------------------------------------------- Japanese, Chinese, Korean
CJK = {
    "ja": (["東京は今日とても良い天気です。", "新しいモデルの精度は前より高くなりました。\n会議で報告しました。",
            "猫がマットに座った", "ＡＢＣ 全角 と emoji 😀", ""],
           ["今日の東京は良い天気です。", "モデルの精度が高くなりました。\n結果を会議で報告した。",
            "猫がマットの上に座った", "ＡＢＣ 全角", "空ではない"]),
    "zh": (["今天北京天气很好。", "新模型的准确率提高了。\n我们在会上报告了结果。", "猫坐在垫子上",
            "mixed 中文 English 😀", ""],
           ["北京今天天气很好。", "模型准确率提高了。\n结果在会上报告。", "猫在垫子上坐着", "中文 English",
            "不是空的"]),
    "ko": (["오늘 서울은 날씨가 좋습니다.", "새 모델의 정확도가 높아졌습니다.\n회의에서 보고했습니다.",
            "고양이가 매트에 앉았다", "혼합 한국어 English 😀", ""],
           ["서울은 오늘 날씨가 좋다.", "모델 정확도가 높아졌다.\n결과를 회의에서 보고했다.",
            "고양이가 매트 위에 앉았다", "한국어 English", "비어 있지 않음"]),
}
HOOKS = {"ja": "ja-mecab", "zh": "zh", "ko": "ko-mecab"}


@pytest.mark.parametrize("lang", ["ja", "zh", "ko"])
def test_cjk_equals_rouge_score_with_the_sacrebleu_tokenizer_hook(lang):
    predictions, references = CJK[lang]
    assert_identical(predictions, references, [*TYPES, "rouge3"], tokenizer=SacrebleuHook(HOOKS[lang]), lang=lang)
    multi = [[r, predictions[(i + 1) % len(predictions)]] for i, r in enumerate(references)]
    assert_identical(predictions, multi, tokenizer=SacrebleuHook(HOOKS[lang]), lang=lang)


def test_japanese_is_not_zero_and_identical_text_is_perfect():
    text = ["東京は今日とても良い天気です。"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = nm.compute("rouge", predictions=text, references=text, lang="ja", rouge_types=("rouge1", "rougeL"))
    assert result.scores == {"rouge1": 1.0, "rougeL": 1.0}
    assert "ja-mecab" in str(result.signature)


def test_japanese_with_the_english_tokenizer_warns_naming_lang():
    with pytest.warns(RougeWarning, match="lang='ja'") as record:
        result = nm.compute("rouge", predictions=["東京は晴れ", "大阪は雨"], references=["東京は晴れ", "大阪は雨"],
                            rouge_types=("rouge1",))
    assert result["rouge1"] == 0.0
    assert len([w for w in record if "lost every word" in str(w.message)]) == 1, "one warning per update"


def test_lost_words_warning_names_the_reference_of_several():
    with pytest.warns(RougeWarning, match=r"first: references\[1\]\[1\]"):
        nm.compute("rouge", predictions=["a b", "c d"], references=[["a b"], ["c d", "東京"]], rouge_types=("rouge1",))


def test_partly_deleted_letters_warn():
    with pytest.warns(RougeWarning, match="café"):
        nm.compute("rouge", predictions=["café au lait"], references=["cafe au lait"], rouge_types=("rouge1",))


def test_stemmer_with_cjk_is_refused():
    with pytest.raises(InputError, match="use_stemmer"):
        nm.load("rouge", lang="ja", use_stemmer=True)


# ---------------------------------------------------------------------------- rougeLsum
def test_rougelsum_without_newlines_warns_once_and_equals_rougel():
    predictions = ["the cat sat. the dog ran.", "a b c"] * 5
    references = ["the dog sat. the cat ran.", "c b a"] * 5
    with pytest.warns(RougeWarning, match="split_sentences=True") as record:
        result = nm.compute("rouge", predictions=predictions, references=references)
    assert len([w for w in record if "rougeLsum" in str(w.message)]) == 1
    assert result["rougeLsum"] == result["rougeL"]


def test_no_warning_for_plain_english_with_newlines():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nm.compute("rouge", predictions=["the cat sat\nthe dog ran"], references=["the dog sat\nthe cat ran"])


@pytest.mark.parametrize("use_stemmer", [False, True])
def test_rougelsum_many_sentences_with_ties_and_64_token_sentences(use_stemmer):
    """Summary-level LCS: a tiny vocabulary (ties everywhere), up to 9 sentences a side.

    Sentences have 63-65 tokens (the carry leaves the 64-bit word; 65 takes the per-combination path); empty
    and punctuation lines are mixed in.
    """
    rng = random.Random(13)
    vocabulary = WORDS[:4]

    def sentence():
        length = rng.choice([0, 1, 2, 5, 12, 30, 63, 64, 65])
        return " ".join(rng.choice(vocabulary) for _ in range(length)) or rng.choice(["", "...", " "])

    def text():
        return "\n".join(sentence() for _ in range(rng.randint(1, 9)))

    predictions = [text() for _ in range(120)]
    references = [[text() for _ in range(rng.randint(1, 2))] for _ in range(120)]
    assert_identical(predictions, references, ["rougeLsum", "rougeL", "rouge1"], use_stemmer=use_stemmer)


def test_rougelsum_control_characters_are_not_line_breaks():
    r"""Texts are tokenized by lines with \x01 standing for a newline.

    A text's own \x01, \r or NUL stays a token separator, never a sentence break.
    """
    predictions = ["a\x01b a\nb a", "a\rb\nb a b", "a\x00b\na b", "a b\x01\n\x01b a", "\x01\n\x00\n\r"]
    references = ["b a\nb\x01a b", "b a\rb a\nb", "b\na\x00b a", "b\x01a b\nb", "a"]
    assert_identical(predictions, references, ["rougeLsum", "rouge1"])


def test_split_sentences_equals_rouge_score_on_the_split_text():
    predictions = ["The cat sat. The dog ran! Did it? 3.14 stays.", "東京は晴れ。大阪は雨！", "no end", "A. B.\nC"]
    references = ["The dog sat. The cat ran. It did.", "大阪は晴れ。東京は雨。", "no end at all", "C. B. A."]
    rows = our_rows(predictions, references, rouge_types=("rougeLsum",), split_sentences=True)
    scorer = rouge_scorer.RougeScorer(["rougeLsum"])
    for i, (p, r) in enumerate(zip(predictions, references, strict=True)):
        expected = scorer.score(split_sentences(r), split_sentences(p))["rougeLsum"]
        assert rows["rougeLsum_fmeasure"][i] == expected.fmeasure
    assert split_sentences("The cat sat. The dog ran! 3.14 stays.") == "The cat sat.\nThe dog ran!\n3.14 stays."
    assert split_sentences("東京は晴れ。大阪は雨！") == "東京は晴れ。\n大阪は雨！"
    ja_rows = our_rows(["東京は晴れ。大阪は雨！"], ["大阪は晴れ。東京は雨。"], rouge_types=("rougeLsum",), lang="ja",
                       split_sentences=True)
    hooked = rouge_scorer.RougeScorer(["rougeLsum"], tokenizer=SacrebleuHook("ja-mecab"))
    expected = hooked.score(split_sentences("大阪は晴れ。東京は雨。"), split_sentences("東京は晴れ。大阪は雨！"))
    assert ja_rows["rougeLsum_fmeasure"][0] == expected["rougeLsum"].fmeasure


# ---------------------------------------------------------------------------- the Result
def test_result_scores_details_and_per_example():
    predictions = ["the cat sat on the mat", "a quick brown fox"]
    references = ["the cat lay on the mat", ["a slow fox", "the quick brown fox"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RougeWarning)
        result = nm.compute("rouge", predictions=predictions, references=references, confidence=0.9, n_resamples=50)
    scorer = rouge_scorer.RougeScorer(TYPES)
    expected = [scorer.score_multi([r] if isinstance(r, str) else r, p)
                for p, r in zip(predictions, references, strict=True)]
    assert list(result.scores) == TYPES
    for t in TYPES:
        assert result[t] == pytest.approx(np.mean([e[t].fmeasure for e in expected]), abs=1e-12)
        assert result.details["precision"][t] == pytest.approx(np.mean([e[t].precision for e in expected]), abs=1e-12)
        assert result.details["recall"][t] == pytest.approx(np.mean([e[t].recall for e in expected]), abs=1e-12)
        assert result.per_example[t].tolist() == [e[t].fmeasure for e in expected]
    assert set(result.ci) == set(TYPES)
    assert nm.load("rouge", rouge_types=["rougeL", "rouge1"]).info.score_keys == ("rougeL", "rouge1")
    for lang in ("en", "ja"):
        assert "rouge1" in result.explain(lang)


def test_streaming_and_merge_equal_one_shot():
    rng = random.Random(9)
    predictions = [random_text(rng) for _ in range(60)]
    references = [[random_text(rng)] for _ in range(60)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RougeWarning)
        whole = nm.compute("rouge", predictions=predictions, references=references)
        a, b = nm.load("rouge"), nm.load("rouge")
        a.update(predictions=predictions[:25], references=references[:25])
        b.update(predictions=predictions[25:40], references=references[25:40])
        b.update(predictions=predictions[40:], references=references[40:])
        merged = a.merge(b).compute()
    assert merged.scores == whole.scores


# ---------------------------------------------------------------------------- bad input and options
@pytest.mark.parametrize(("predictions", "references", "message"), BAD_TEXT_INPUTS)
def test_bad_input_names_the_index(predictions, references, message):
    with pytest.raises(InputError, match=message):
        nm.compute("rouge", predictions=predictions, references=references)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rouge_types": ("rouge1", "rougeX")}, "not a ROUGE type"),
        ({"rouge_types": ("rouge0",)}, "not a ROUGE type"),
        ({"rouge_types": ()}, "non-empty"),
        ({"rouge_types": ("rouge1", "rouge1")}, "twice"),
        ({"lang": "fr"}, "choose one of"),
        ({"use_stemmer": "yes"}, "True or False"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(InputError, match=message):
        nm.load("rouge", **options)


def test_a_single_type_may_be_a_string():
    assert nm.load("rouge", rouge_types="rougeL").config["rouge_types"] == ("rougeL",)
