"""``exact_match`` and ``squad`` against their references, on seeded random and hand-made answers.

* ``exact_match``: Hugging Face ``evaluate``'s ``exact_match`` cannot be loaded
  offline (``evaluate.load`` fetches the metric's code), so :func:`hf_exact_match`
  below does what its ``_compute`` does (evaluate v0.4.6,
  ``metrics/exact_match/exact_match.py``): numpy string arrays, ``re.sub`` for
  each regex, ``np.char.lower``, ``np.char.translate`` deleting
  ``string.punctuation`` and ``string.digits``, the mean of ``==``.
* ``squad`` v1.1: TorchMetrics' ``SQuAD`` (installed) and :func:`official_v1`,
  the published ``evaluate-v1.1.py`` procedure over the official nested
  dataset layout; v2.0: :func:`official_v2` (``evaluate-v2.0.py``: gold answers
  that normalise to nothing dropped, ``[""]`` for none, ``HasAns``/``NoAns``);
  ``lang="ja"``: :func:`jglue`, transformers' ``squad_metrics`` as JGLUE's
  ``transformers-4.9.2_jglue-1.1.0.patch`` changes it (normalisation without
  punctuation removal, trailing 。 stripped, character F1).  The edge cases of
  the scripts are spelled out one by one below.
"""

from __future__ import annotations

import collections
import random
import re
import string
import warnings

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.explanations import load_card
from nlpmetrics.metrics.qa import SquadWarning


# ---------------------------------------------------------------- reference procedures (see the module docstring)
# Source: Hugging Face evaluate v0.4.6, metrics/exact_match/exact_match.py, ExactMatch._compute
# (https://github.com/huggingface/evaluate/blob/v0.4.6/metrics/exact_match/exact_match.py), the code
# behind evaluate.load("exact_match"). Same steps in the same order; np.asarray comes first here, which
# changes nothing (the script's re.sub loop builds the same arrays from a list or an array).
def hf_exact_match(predictions, references, regexes_to_ignore=None, ignore_case=False, ignore_punctuation=False,
                   ignore_numbers=False) -> float:
    predictions, references = np.asarray(predictions), np.asarray(references)
    for pattern in regexes_to_ignore or ():
        predictions = np.array([re.sub(pattern, "", text) for text in predictions])
        references = np.array([re.sub(pattern, "", text) for text in references])
    if ignore_case:
        predictions, references = np.char.lower(predictions), np.char.lower(references)
    for flag, chars in ((ignore_punctuation, string.punctuation), (ignore_numbers, string.digits)):
        if flag:
            table = chars.maketrans("", "", chars)
            predictions = np.char.translate(predictions, table=table)
            references = np.char.translate(references, table=table)
    return float(np.mean(predictions == references))


_PUNCT = re.compile("[" + re.escape(string.punctuation) + "]")


# Source: normalize_answer of the official SQuAD evaluation scripts, evaluate-v1.1.py and evaluate-v2.0.py
# (identical in both; the scripts are linked at official_v1 and official_v2 below): lower, drop
# string.punctuation, replace a/an/the by a space, collapse whitespace.
def squad_clean(text: str) -> str:
    text = _PUNCT.sub("", text.lower())
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# Source: f1_score of the official evaluate-v1.1.py (both_empty_is_one=False) and compute_f1 of the official
# evaluate-v2.0.py (both_empty_is_one=True: F1 of two empty answers is 1, of one empty answer 0); transformers'
# squad_metrics.compute_f1 is the v2.0 one, which JGLUE's patch feeds characters (see jglue below).
def word_f1(prediction_tokens, gold_tokens, both_empty_is_one: bool) -> float:
    if both_empty_is_one and (len(gold_tokens) == 0 or len(prediction_tokens) == 0):
        return int(gold_tokens == prediction_tokens)
    shared = sum((collections.Counter(prediction_tokens) & collections.Counter(gold_tokens)).values())
    if shared == 0:
        return 0
    p = 1.0 * shared / len(prediction_tokens)
    r = 1.0 * shared / len(gold_tokens)
    return (2 * p * r) / (p + r)


def as_dataset(answers):
    """Questions in the official nested layout: data -> paragraphs -> qas with id and answers."""
    qas = [{"id": f"q{i}", "answers": [{"text": t, "answer_start": 0} for t in group]}
           for i, group in enumerate(answers)]
    return [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]


# Source: the official SQuAD v1.1 evaluation script, evaluate-v1.1.py ("Official evaluation script for v1.1
# of the SQuAD dataset", linked from https://rajpurkar.github.io/SQuAD-explorer/ as
# https://worksheets.codalab.org/rest/bundles/0xbcd57bee090b421c982906709c8c27e1/contents/blob/
# ): its evaluate(), with exact_match_score, f1_score and metric_max_over_ground_truths (a missing prediction
# counts as 0 in the total, as the script's `continue` after its message does).
def official_v1(dataset, predictions):
    exact = f1 = total = 0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    continue
                golds = [a["text"] for a in qa["answers"]]
                prediction = predictions[qa["id"]]
                exact += max(squad_clean(prediction) == squad_clean(g) for g in golds)
                f1 += max(word_f1(squad_clean(prediction).split(), squad_clean(g).split(), False) for g in golds)
    return {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}


# Source: get_raw_scores (gold answers that normalise to nothing dropped, [""] when none is left), compute_exact,
# compute_f1 and make_eval_dict with make_qid_to_has_ans (the HasAns_*/NoAns_* groups) of the official SQuAD v2.0
# script evaluate-v2.0.py, run without --na-prob-file (the script is linked at official_v2 below);
# transformers' squad_metrics (get_raw_scores, squad_evaluate) has the same steps.
def _v2_style(dataset, predictions, clean, units):
    """Return the per-question scores of evaluate-v2.0.py's get_raw_scores (and of transformers' squad_metrics)."""
    exact, f1, has_answer = {}, {}, {}
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                has_answer[qa["id"]] = bool(qa["answers"])
                golds = [a["text"] for a in qa["answers"] if clean(a["text"])] or [""]
                prediction = predictions[qa["id"]]
                exact[qa["id"]] = max(int(clean(g) == clean(prediction)) for g in golds)
                f1[qa["id"]] = max(word_f1(units(clean(prediction)), units(clean(g)), True) for g in golds)
    out = {"exact": 100.0 * sum(exact.values()) / len(exact), "f1": 100.0 * sum(f1.values()) / len(f1),
           "total": len(exact)}
    for prefix, wanted in (("HasAns", True), ("NoAns", False)):
        ids = [q for q, has in has_answer.items() if has == wanted]
        if ids:
            out[f"{prefix}_exact"] = 100.0 * sum(exact[q] for q in ids) / len(ids)
            out[f"{prefix}_f1"] = 100.0 * sum(f1[q] for q in ids) / len(ids)
            out[f"{prefix}_total"] = len(ids)
    return out


# Source: the official SQuAD v2.0 evaluation script, evaluate-v2.0.py ("Official evaluation script for SQuAD
# version 2.0", linked from https://rajpurkar.github.io/SQuAD-explorer/ as
# https://worksheets.codalab.org/rest/bundles/0x6b567e1cf2e041ec80d7098f031c5c9e/contents/blob/
# ): _v2_style with the script's normalize_answer and whitespace tokens.
def official_v2(dataset, predictions):
    return _v2_style(dataset, predictions, squad_clean, str.split)


# Source: JGLUE's fine-tuning/patch/transformers-4.9.2_jglue-1.1.0.patch
# (https://github.com/yahoojapan/JGLUE/blob/main/fine-tuning/patch/transformers-4.9.2_jglue-1.1.0.patch), applied to
# transformers v4.9.2's src/transformers/data/metrics/squad_metrics.py: normalize_answer keeps lower and the
# whitespace fix, its remove_punc does nothing and its remove_articles becomes text.rstrip("。").
def jglue_clean(text: str) -> str:
    return " ".join(text.lower().rstrip("。").split())


# Source: the same JGLUE patch (transformers-4.9.2_jglue-1.1.0.patch) of transformers v4.9.2's squad_metrics.py:
# compute_f1 on characters, list(normalize_answer(...)), instead of get_tokens; get_raw_scores, compute_exact and
# squad_evaluate unchanged (the v2.0 steps of _v2_style), as JGLUE scores JSQuAD.
def jglue(dataset, predictions):
    return _v2_style(dataset, predictions, jglue_clean, list)


def squad(predictions, references, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SquadWarning)
        return nm.compute("squad", predictions=predictions, references=references, **options)


# ---------------------------------------------------------------- random data
_WORDS = ("the", "a", "an", "Denver", "Broncos", "broncos", "cat", "cats", "U.S.", "1976", "1,976", "“quoted”", "'s",
          "-", "!", "théâtre", "Über", "an", "Theater", "apple", "東京", "都", "。", "、", "ＡＢＣ", "ａｂｃ", "\u3000",
          "", " ", "\t", "x\x00")


def random_text(rng: random.Random) -> str:
    return rng.choice((" ", "", "  ")).join(rng.choice(_WORDS) for _ in range(rng.randint(0, 5)))


def random_questions(seed: int, n: int = 400, unanswerable: bool = False):
    rng = random.Random(seed)
    predictions, answers = [], []
    for _ in range(n):
        low = 0 if unanswerable else 1
        group = [random_text(rng) for _ in range(rng.randint(low, 3))]
        answers.append(group)
        predictions.append(rng.choice(group) if group and rng.random() < 0.3 else random_text(rng))
    return predictions, answers


# ---------------------------------------------------------------- exact_match
OPTION_SETS = [
    {},
    {"ignore_case": True},
    {"ignore_punctuation": True},
    {"ignore_numbers": True},
    {"regexes_to_ignore": ["^the ", r"\s+$", "x"]},
    {"regexes_to_ignore": ["the ", "yell", "YELL"], "ignore_case": True, "ignore_punctuation": True,
     "ignore_numbers": True},
]


@pytest.mark.parametrize("options", OPTION_SETS)
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_match_equals_evaluate_on_random_texts(options, seed):
    predictions, answers = random_questions(seed)
    references = [group[0] for group in answers]
    ours = nm.compute("exact_match", predictions=predictions, references=references, **options)
    assert ours["exact_match"] == hf_exact_match(predictions, references, **options)


@pytest.mark.parametrize(("options", "expected"), [
    ({}, 0.25),
    ({"regexes_to_ignore": ["the ", "yell"], "ignore_case": True, "ignore_punctuation": True}, 0.5),
    ({"regexes_to_ignore": ["the ", "yell", "YELL"], "ignore_case": True, "ignore_punctuation": True}, 0.75),
    ({"regexes_to_ignore": ["the ", "yell", "YELL"], "ignore_case": True, "ignore_punctuation": True,
      "ignore_numbers": True}, 1.0),
])
def test_exact_match_examples_of_evaluates_documentation(options, expected):
    references = ["the cat", "theater", "YELLING", "agent007"]
    predictions = ["cat?", "theater", "yelling", "agent"]
    result = nm.compute("exact_match", predictions=predictions, references=references, **options)
    assert result["exact_match"] == expected == hf_exact_match(predictions, references, **options)


def test_exact_match_several_references_count_when_any_matches():
    result = nm.compute("exact_match", predictions=["Paris", "paris", "Rome"],
                        references=[["Lyon", "Paris"], ["Paris"], {"text": ["Roma", "Rome"], "answer_start": [0, 0]}])
    assert result["exact_match"] == pytest.approx(2 / 3)
    assert list(result.per_example["exact_match"]) == [1.0, 0.0, 1.0]


def test_exact_match_nfkc_folds_full_width_before_the_other_options():
    predictions, references = ["ＡＢＣ１２３", "ｶﾀｶﾅ", "東京。"], ["abc", "カタカナ", "東京"]
    assert nm.compute("exact_match", predictions=predictions, references=references)["exact_match"] == 0.0
    folded = nm.compute("exact_match", predictions=predictions, references=references, normalize="nfkc",
                        ignore_case=True, ignore_numbers=True, ignore_punctuation=True)
    assert list(folded.per_example["exact_match"]) == [1.0, 1.0, 0.0], "。 is not ASCII punctuation, even after NFKC"


@pytest.mark.parametrize(("options", "message"), [
    ({"regexes_to_ignore": ["("]}, "is not a valid regular expression"),
    ({"regexes_to_ignore": [1]}, "must be a list of regular expressions"),
    ({"ignore_case": "yes"}, "must be True or False"),
    ({"normalize": "nfc"}, "choose one of None, 'nfkc'"),
])
def test_exact_match_bad_options(options, message):
    with pytest.raises(nm.InputError, match=message):
        nm.load("exact_match", **options)


def test_exact_match_bad_input_names_the_example():
    with pytest.raises(nm.InputError, match=r"predictions\[1\] is None"):
        nm.compute("exact_match", predictions=["a", None], references=["a", "b"])
    with pytest.raises(nm.InputError, match=r"references\[0\]\[1\] is an int, not a string"):
        nm.compute("exact_match", predictions=["a"], references=[["a", 1]])
    with pytest.raises(nm.InputError, match=r"references\[0\] is an empty list of answers"):
        nm.compute("exact_match", predictions=["a"], references=[[]])
    with pytest.raises(nm.InputError, match=r"references\[0\] is a mapping without a 'text' entry"):
        nm.compute("exact_match", predictions=["a"], references=[{"answer": "a"}])


# ---------------------------------------------------------------- squad v1.1
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_squad_v1_equals_the_official_procedure(seed):
    predictions, answers = random_questions(seed)
    ours = squad(predictions, answers)
    official = official_v1(as_dataset(answers), {f"q{i}": p for i, p in enumerate(predictions)})
    assert ours["exact_match"] * 100 == pytest.approx(official["exact_match"], rel=1e-12)
    assert ours["f1"] * 100 == pytest.approx(official["f1"], rel=1e-12)


def test_squad_v1_equals_torchmetrics_where_answers_do_not_normalise_to_nothing():
    torchmetrics_text = pytest.importorskip("torchmetrics.text")
    predictions, answers = random_questions(3, n=300)
    keep = [i for i, (p, group) in enumerate(zip(predictions, answers, strict=True))
            if squad_clean(p) and all(squad_clean(g) for g in group)]
    predictions = [predictions[i] for i in keep]
    answers = [answers[i] for i in keep]
    assert len(keep) > 100
    metric = torchmetrics_text.SQuAD()
    theirs = metric(preds=[{"prediction_text": p, "id": str(i)} for i, p in enumerate(predictions)],
                    target=[{"answers": {"text": g, "answer_start": [0] * len(g)}, "id": str(i)}
                            for i, g in enumerate(answers)])
    ours = squad(predictions, answers)
    assert ours["exact_match"] * 100 == pytest.approx(float(theirs["exact_match"]), rel=1e-6)
    assert ours["f1"] * 100 == pytest.approx(float(theirs["f1"]), rel=1e-6)


def test_where_torchmetrics_differs_from_the_official_v1_script():
    # Both normalise to nothing: the official v1.1 f1_score finds no shared token and returns 0; TorchMetrics
    # returns 1 (the v2.0 rule).  nlpmetrics follows the official script (exact match is 1 in both).
    torchmetrics_text = pytest.importorskip("torchmetrics.text")
    theirs = torchmetrics_text.SQuAD()(preds=[{"prediction_text": "the", "id": "1"}],
                                       target=[{"answers": {"text": ["a"], "answer_start": [0]}, "id": "1"}])
    assert float(theirs["f1"]) == 100.0
    ours = squad(["the"], [["a"]])
    assert ours["exact_match"] == 1.0
    assert ours["f1"] == 0.0
    assert official_v1(as_dataset([["a"]]), {"q0": "the"}) == {"exact_match": 100.0, "f1": 0.0}


@pytest.mark.parametrize(("prediction", "answers", "exact", "f1"), [
    ("The Eiffel Tower", ["Eiffel Tower"], 1.0, 1.0),            # articles dropped
    ("an apple", ["apple"], 1.0, 1.0),
    ("Theater", ["theater"], 1.0, 1.0),                         # case only; 'the' inside a word stays
    ("U.S.", ["US"], 1.0, 1.0),                                 # ASCII punctuation deleted, not replaced by a space
    ("1,976", ["1976"], 1.0, 1.0),
    ("“Broncos”", ["Broncos"], 0.0, 0.0),                       # curly quotes are not string.punctuation
    ("Denver\n  Broncos", ["denver broncos"], 1.0, 1.0),        # whitespace collapsed
    ("cat cat", ["cat"], 0.0, 2 * 0.5 * 1.0 / 1.5),             # tokens counted with multiplicity
    ("Broncos", ["Denver", "Denver Broncos"], 0.0, 2 * 1.0 * 0.5 / 1.5),  # max over the gold answers
    ("the Broncos", ["Denver Broncos"], 0.0, 2 * 1.0 * 0.5 / 1.5),
    ("", ["Denver"], 0.0, 0.0),
    ("the", ["a"], 1.0, 0.0),                                   # v1.1: both empty -> exact 1, F1 0
])
def test_squad_v1_edge_cases_of_the_official_script(prediction, answers, exact, f1):
    result = squad([prediction], [answers])
    assert (result["exact_match"], result["f1"]) == (exact, f1)
    assert official_v1(as_dataset([answers]), {"q0": prediction}) == {"exact_match": exact * 100, "f1": f1 * 100}


def test_squad_v1_needs_an_answer_per_question():
    with pytest.raises(nm.InputError, match=r"references\[1\] is an empty list of answers; version='1.1' needs"):
        nm.compute("squad", predictions=["a", ""], references=[["a"], []])


# ---------------------------------------------------------------- squad v2.0
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_squad_v2_equals_the_official_procedure(seed):
    predictions, answers = random_questions(seed, unanswerable=True)
    ours = squad(predictions, answers, version="2.0")
    official = official_v2(as_dataset(answers), {f"q{i}": p for i, p in enumerate(predictions)})
    assert ours["exact_match"] * 100 == pytest.approx(official["exact"], rel=1e-12)
    assert ours["f1"] * 100 == pytest.approx(official["f1"], rel=1e-12)
    assert ours.details["total"] == official["total"]
    for prefix in ("HasAns", "NoAns"):
        assert ours.details[f"{prefix}_total"] == official[f"{prefix}_total"]
        assert ours.details[f"{prefix}_exact"] * 100 == pytest.approx(official[f"{prefix}_exact"], rel=1e-12)
        assert ours.details[f"{prefix}_f1"] * 100 == pytest.approx(official[f"{prefix}_f1"], rel=1e-12)


@pytest.mark.parametrize(("prediction", "answers", "exact", "f1"), [
    ("", [], 1.0, 1.0),                      # unanswerable: the empty answer is right
    ("Denver", [], 0.0, 0.0),
    ("the", [], 1.0, 1.0),                   # normalises to nothing, so it is the empty answer
    ("", ["the"], 1.0, 1.0),                 # a gold answer that normalises to nothing is dropped: [""] is left
    ("the", ["a"], 1.0, 1.0),                # v2.0: both empty -> F1 1
    ("", ["Denver"], 0.0, 0.0),
    ("Broncos", ["the", "Denver Broncos"], 0.0, 2 * 1.0 * 0.5 / 1.5),
])
def test_squad_v2_edge_cases_of_the_official_script(prediction, answers, exact, f1):
    result = squad([prediction], [answers], version="2.0")
    assert (result["exact_match"], result["f1"]) == (exact, f1)
    official = official_v2(as_dataset([answers]), {"q0": prediction})
    assert (official["exact"], official["f1"]) == (exact * 100, f1 * 100)


def test_squad_v2_groups_follow_the_scripts_has_answer():
    # ["the"] is a non-empty answer list, so the question counts as answerable (bool(qa["answers"])) although its
    # only gold answer is dropped; a group with no question is left out, as the script leaves it out.
    result = squad(["", "Denver", ""], [["the"], ["Denver"], []], version="2.0")
    assert result.details["HasAns_total"] == 2
    assert result.details["NoAns_total"] == 1
    assert result.details["HasAns_exact"] == 1.0
    table = result.details["per_answerability"]
    assert list(table["type"]) == ["HasAns", "NoAns"]
    assert list(table["count"]) == [2, 1]
    only_answerable = squad(["Denver"], [["Denver"]], version="2.0")
    assert "NoAns_exact" not in only_answerable.details
    assert list(only_answerable.details["per_answerability"]["type"]) == ["HasAns"]


# ---------------------------------------------------------------- JSQuAD (lang="ja")
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("version", ["1.1", "2.0"])
def test_squad_ja_equals_jglues_patched_squad_metrics(seed, version):
    predictions, answers = random_questions(seed, unanswerable=version == "2.0")
    ours = squad(predictions, answers, lang="ja", version=version)
    reference = jglue(as_dataset(answers), {f"q{i}": p for i, p in enumerate(predictions)})
    assert ours["exact_match"] * 100 == pytest.approx(reference["exact"], rel=1e-12)
    assert ours["f1"] * 100 == pytest.approx(reference["f1"], rel=1e-12)


@pytest.mark.parametrize(("prediction", "answer", "exact", "f1"), [
    ("東京", "東京都", 0.0, 0.8),               # characters: 2 of 2 right, 2 of 3 found
    ("東京。", "東京", 1.0, 1.0),               # a trailing 。 is stripped
    ("東京。 ", "東京", 0.0, 0.8),              # ... but not before a trailing space (rstrip comes first)
    ("東京、", "東京", 0.0, 0.8),               # punctuation is kept
    ("ＡＢＣ", "ａｂｃ", 1.0, 1.0),             # lower() folds full-width capitals
    ("ABC", "ＡＢＣ", 0.0, 0.0),               # but full-width is not half-width
    ("東京 都", "東京都", 0.0, 2 * 0.75 * 1.0 / 1.75),  # the space is a character too
    ("the cat", "cat", 0.0, 2 * (3 / 7) * 1.0 / (3 / 7 + 1.0)),  # no article removal
])
def test_squad_ja_edge_cases_of_the_jglue_rule(prediction, answer, exact, f1):
    result = squad([prediction], [[answer]], lang="ja")
    assert result["exact_match"] == exact
    assert result["f1"] == pytest.approx(f1, rel=1e-15)
    reference = jglue(as_dataset([[answer]]), {"q0": prediction})
    assert (reference["exact"], reference["f1"]) == (exact * 100, pytest.approx(f1 * 100, rel=1e-15))


def test_japanese_with_the_english_rule_is_never_a_silent_zero():
    with pytest.warns(SquadWarning, match="lang='ja'") as caught:
        result = nm.compute("squad", predictions=["東京"], references=[["東京都"]])
    assert result["f1"] == 0.0
    assert caught[0].message.code == "cjk_with_word_tokens"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nm.compute("squad", predictions=["東京"], references=[["東京都"]], lang="ja")["f1"] == 0.8


def test_squad_lang_accepts_language_codes_and_refuses_other_languages():
    assert nm.load("squad", lang="ja-JP").config["lang"] == "ja"
    with pytest.raises(nm.InputError, match="not 'de'"):
        nm.load("squad", lang="de")
    with pytest.raises(nm.InputError, match="look Chinese to the automatic detection: pass lang='ja'"):
        nm.load("squad", lang="zh")


def test_squad_signature_says_which_rule():
    assert "squad-v1.1-official" in str(nm.compute("squad", predictions=["a"], references=[["a"]]).signature)
    ja = nm.compute("squad", predictions=["東京"], references=[["東京"]], lang="ja")
    assert "jsquad-jglue" in str(ja.signature)
    assert ja.details["f1_units"] == "characters"


# ---------------------------------------------------------------- the cards' examples are computed
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_exact_match_card_examples(lang):
    example = load_card("exact_match", lang).example
    if lang == "en":
        predictions, references = ["Paris", "paris", "Tokyo.", "Milan"], ["Paris", "Paris", "Tokyo", "Rome"]
        relaxed = {"ignore_case": True, "ignore_punctuation": True}
    else:
        predictions, references = ["東京", "東京。", "ＡＢＣ", "大阪"], ["東京", "東京", "ABC", "京都"]
        relaxed = {"ignore_punctuation": True, "normalize": "nfkc"}
    for options in ({}, relaxed):
        value = nm.compute("exact_match", predictions=predictions, references=references, **options)["exact_match"]
        assert f"{round(value * 100)}%" in example, (options, value)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_squad_card_examples(lang):
    example = load_card("squad", lang).example
    from nlpmetrics.metrics.qa._answers import jglue_normalize, squad_normalize

    if lang == "en":
        result = squad(["the Broncos"], [["Denver Broncos"]])
        assert "0%" in example
        assert "67%" in example
        assert round(result["f1"] * 100) == 67
        assert result["exact_match"] == 0.0
        predicted, gold = squad_normalize("the Broncos").split(), squad_normalize("Denver Broncos").split()
        assert (predicted, gold) == (["broncos"], ["denver", "broncos"])
        assert '"broncos"' in example
        shared = len(set(predicted) & set(gold))
        assert f"precision {shared / len(predicted):.0%}" in example
        assert f"recall {shared / len(gold):.0%}" in example
    else:
        result = squad(["東京"], [["東京都"]], lang="ja")
        assert round(result["f1"] * 100) == 80
        assert "80%" in example
        assert result["exact_match"] == 0.0
        assert squad(["東京"], [["東京都"]])["f1"] == 0.0
        assert "F値は0%" in example
        predicted, gold = list(jglue_normalize("東京")), list(jglue_normalize("東京都"))
        shared = len(set(predicted) & set(gold))
        assert f"適合率{shared / len(predicted):.0%}" in example
        assert f"再現率{shared / len(gold):.0%}" in example
        assert f"正解{len(gold)}文字のうち{shared}文字" in example
        assert f"回答の{len(predicted)}文字" in example


# ---------------------------------------------------------------- files and the command line
def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def squad_files(tmp_path, predictions, answers, version="1.1"):
    import json

    dataset = write(tmp_path / "dev.json", json.dumps({"version": version, "data": as_dataset(answers)}, indent=1))
    entries = ",\n".join(f" {json.dumps(f'q{i}')}: {json.dumps(p)}" for i, p in enumerate(predictions))
    return write(tmp_path / "predictions.json", "{\n" + entries + "\n}\n"), dataset


@pytest.mark.parametrize("version", ["1.1", "2.0"])
def test_the_official_file_pair_scores_as_the_scripts(tmp_path, version):
    import json

    from nlpmetrics.cli import main

    predictions, answers = random_questions(4, n=120, unanswerable=version == "2.0")
    prediction_file, dataset = squad_files(tmp_path, predictions, answers, version)
    out = tmp_path / "out.json"
    assert main(["score", str(prediction_file), "--dataset", str(dataset), "--option", f"version={version}",
                 "--lang", "en", "-o", str(out), "-q"]) == 0
    result = json.loads(out.read_text())["results"]["squad"]
    by_id = {f"q{i}": p for i, p in enumerate(predictions)}
    if version == "1.1":
        official = official_v1(as_dataset(answers), by_id)
        assert result["scores"]["exact_match"] * 100 == pytest.approx(official["exact_match"], rel=1e-12)
        assert result["scores"]["f1"] * 100 == pytest.approx(official["f1"], rel=1e-12)
    else:
        official = official_v2(as_dataset(answers), by_id)
        assert result["scores"]["f1"] * 100 == pytest.approx(official["f1"], rel=1e-12)
        assert result["details"]["NoAns_total"] == official["NoAns_total"]


def test_the_file_pair_refuses_missing_answers_and_names_lines(tmp_path):
    from nlpmetrics.io import read_all
    from nlpmetrics.io.squad import SquadFileWarning

    prediction_file, dataset = squad_files(tmp_path, ["Denver", "Paris"], [["Denver"], ["Paris"], ["Rome"]])
    with pytest.raises(nm.InputError,
                       match=r"1 of the 3 questions of .*dev\.json have no answer here \(the first: 'q2'\)"):
        read_all(prediction_file, dataset=dataset)
    prediction_file, dataset = squad_files(tmp_path, ["Denver", "Paris", "x"], [["Denver"], ["Paris"]])
    with pytest.warns(SquadFileWarning, match="1 answers in .* are for question ids"):
        predictions, references = read_all(prediction_file, dataset=dataset)
    assert predictions == ["Denver", "Paris"]
    assert references == [["Denver"], ["Paris"]]
    write(prediction_file, '{\n "q0": "Denver",\n "q1": 3\n}')
    with pytest.raises(nm.InputError, match=r"predictions\.json:3: the answer to question 'q1' is an int"):
        read_all(prediction_file, dataset=dataset)
    write(prediction_file, '{"q0": "a",\n"q0": "b", "q1": "c"}')
    with pytest.raises(nm.InputError,
                       match=r"predictions\.json:2: question 'q0' is answered twice \(first on line 1\)"):
        read_all(prediction_file, dataset=dataset)
    write(prediction_file, '["a"]')
    with pytest.raises(nm.InputError, match=r"predictions\.json:1: predictions\.json must be one JSON object"):
        read_all(prediction_file, dataset=dataset)
    write(prediction_file, '{"q0": "a"}')
    write(dataset, '{"data": [{"paragraphs": [{"qas": [{"id": "q0"}]}]}]}')
    with pytest.raises(nm.InputError, match=r"dev\.json: data\[0\]\.paragraphs\[0\]\.qas\[0\] needs an 'id' string"):
        read_all(prediction_file, dataset=dataset)


def test_a_metric_error_names_the_line_of_predictions_json(tmp_path, capsys):
    from nlpmetrics.cli import main

    prediction_file, dataset = squad_files(tmp_path, ["Denver", ""], [["Denver"], []])
    assert main(["score", str(prediction_file), "--dataset", str(dataset), "-q"]) == 2
    err = capsys.readouterr().err
    assert "predictions.json:3:" in err
    assert "version='2.0'" in err


def test_squad_style_jsonl_with_answers_chooses_squad_and_japanese(tmp_path, capsys):
    import json

    from nlpmetrics.cli import main

    records = [{"id": "1", "prediction": "東京", "answers": ["東京都"]},
               {"id": "2", "prediction": "ひらがな", "answers": ["ひらがな", "かな"]}]
    path = write(tmp_path / "qa.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    assert main(["score", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "answers to questions; scoring with squad" in err
    assert "lang=ja" in err
    assert json.loads(out)["results"]["squad"]["scores"]["f1"] == pytest.approx((0.8 + 1.0) / 2)


def test_a_report_lists_the_questions_answered_wrongly():
    predictions, answers = ["Denver", "Paris", "the cat", "Rome"], [["Denver"], ["Lyon"], ["a cat"], ["Milan"]]
    report = nm.report({"model": (predictions, answers)}, metrics=["squad"], n_resamples=50)
    block = report.sections[0].worst[0]
    assert [e.index for e in block.examples] == [2, 4]
    assert "2 of 4 examples wrong" in block.intro
    markdown = report.to_markdown()
    assert "| 2 |" in markdown
    assert "Lyon" in markdown
