"""Paired comparison of systems: constructed cases, wording, reproducibility, and sacrebleu's paired tests."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
from nlpmetrics.reporting import compare
from nlpmetrics.reporting.text import comparison_sentence
from nlpmetrics.resampling import PairedTest

WORDS = [
    "the", "a", "cat", "dog", "sat", "ran", "on", "under", "mat", "house", "red", "blue", "small", "big",
    "quickly", "slowly", "today", "here", "there", "it",
]


def _labels(n: int, seed: int = 0) -> list[int]:
    return np.random.default_rng(seed).integers(0, 3, n).tolist()


def _sentences(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, int(rng.integers(8, 20)))) for _ in range(n)]


def _noisy(sentences: list[str], rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for sentence in sentences:
        words = [w if rng.random() > rate else str(rng.choice(WORDS)) for w in sentence.split()]
        out.append(" ".join(words))
    return out


def test_identical_systems_give_p_one_and_zero_difference():
    refs = _labels(80)
    preds = [r if i % 3 else (r + 1) % 3 for i, r in enumerate(refs)]
    result = compare((preds, refs), (list(preds), refs), metrics=["accuracy", nm.load("f1", average="micro")],
                     n_resamples=200)
    for comparison in result.metrics:
        for test in comparison.tests.values():
            assert test.difference == 0
            assert test.interval == (0.0, 0.0)
            assert test.p_value == pytest.approx(1.0)
    assert "exactly the same" in result.to_text()


def test_better_on_every_row_gives_p_near_zero():
    refs = _labels(60, seed=1)
    wrong = [(r + 1) % 3 for r in refs]
    result = compare((wrong, refs), (list(refs), refs), metrics=["accuracy"], n_resamples=300, seed=3)
    test = result["accuracy"].tests["accuracy"]
    assert test.difference == pytest.approx(1.0)
    assert test.p_value <= 1 / 301 + 1e-12
    assert test.interval[0] > 0
    sentence = result.sentences("en")[0]
    assert sentence.startswith("B is better than A on accuracy by 100.0 points")
    assert "the difference is significant (p ≤ 0.003)" in sentence  # no random swap was as extreme


def test_sentence_follows_the_issue_wording_and_direction():
    test = PairedTest(key="rougeL", a=0.30, b=0.321, difference=0.021, interval=(0.012, 0.030), p_value=0.002,
                      p_value_bootstrap=0.002, confidence=0.95, n_resamples=1000, seed=0)
    text = comparison_sentence(test, names=("A", "B"), metric="rouge", higher_is_better=True, low_bound=0.0)
    # The paired interval and test speak; "significant" is said only below the level.
    assert text == ("B is better than A on ROUGE-L by 2.1 points (95% interval of the difference 1.2 to 3.0); "
                    "the difference is significant (p = 0.002).")
    worse = PairedTest(key="rougeL", a=0.321, b=0.30, difference=-0.021, interval=(-0.030, -0.012), p_value=0.4,
                       p_value_bootstrap=0.4, confidence=0.95, n_resamples=1000, seed=0)
    text = comparison_sentence(worse, names=("A", "B"), metric="rouge", higher_is_better=True, low_bound=0.0)
    assert text == ("A is ahead of B on ROUGE-L by 2.1 points (95% interval of the difference 1.2 to 3.0), but the "
                    "difference is not significant (p = 0.400).")
    ja = comparison_sentence(test, names=("A", "B"), metric="rouge", higher_is_better=True, low_bound=0.0, lang="ja")
    assert ja == "ROUGE-LではBがAより2.1ポイント優れており、有意な差です（差の95%信頼区間 1.2〜3.0、p値 = 0.002）。"
    for sentence in (text, ja):
        assert "chance" not in sentence, "no misreading of the p-value as luck"
        assert "偶然" not in sentence, "no misreading of the p-value as luck"


def _test(key: str, difference: float, interval: tuple[float, float], p_value: float = 0.002) -> PairedTest:
    return PairedTest(key=key, a=0.5, b=0.5 + difference, difference=difference, interval=interval, p_value=p_value,
                      p_value_bootstrap=p_value, confidence=0.95, n_resamples=1000, seed=0)


@pytest.mark.parametrize(("difference", "interval", "winner"),
                         [(0.05, (0.02, 0.08), "A"), (-0.05, (-0.08, -0.02), "B")])
def test_lower_is_better_names_the_lower_score_the_winner_with_a_positive_interval(difference, interval, winner):
    loser = "B" if winner == "A" else "A"
    text = comparison_sentence(_test("ter", difference, interval), names=("A", "B"), metric="ter",
                               higher_is_better=False, low_bound=0.0)
    assert text.startswith(f"{winner} is better than {loser} on TER by 5.0 points (95% interval of the difference "
                           "2.0 to 8.0);")


def test_correlations_are_compared_in_coefficient_units_not_points():
    text = comparison_sentence(_test("pearson", 0.39, (0.2, 0.66)), names=("A", "B"), metric="pearson",
                               higher_is_better=True, low_bound=-1.0)
    assert text.startswith("B is better than A on Pearson r by 0.39 (95% interval of the difference 0.20 to 0.66);")
    assert "points" not in text
    assert "%" not in text.replace("95%", "")
    unsure = comparison_sentence(_test("spearman", -0.05, (-0.2, 0.1), p_value=0.5), names=("A", "B"),
                                 metric="spearman", higher_is_better=True, low_bound=-1.0, lang="ja")
    assert unsure.startswith("スピアマン順位相関係数ではAがBを0.05上回っていますが、有意な差ではありません"
                             "（差の95%信頼区間 −0.10〜0.20")


def test_lower_is_better_metric_reads_the_right_way_round():
    refs = _sentences(40, seed=2)
    a, b = _noisy(refs, 0.5, 3), _noisy(refs, 0.1, 4)
    result = compare((a, refs), (b, refs), metrics=["ter"], n_resamples=100)
    test = result["ter"].tests["ter"]
    assert test.difference < 0  # B has fewer edits
    assert result.sentences()[0].startswith("B is better than A on TER")


def test_seeded_and_reproducible_with_method_in_signature():
    refs = _labels(50, seed=4)
    a = _labels(50, seed=5)
    b = [r if i % 2 else x for i, (r, x) in enumerate(zip(refs, a, strict=True))]
    first = compare((a, refs), (b, refs), metrics=[nm.load("f1", average="micro")], n_resamples=100, seed=7).to_dict()
    again = compare((a, refs), (b, refs), metrics=[nm.load("f1", average="micro")], n_resamples=100, seed=7).to_dict()
    assert first == again
    signature = first["metrics"]["f1"]["signature"]
    assert "paired:bootstrap+approximate-randomization" in signature
    assert "seed=7" in signature


def test_different_references_or_lengths_are_refused():
    refs = _labels(10)
    other = list(refs)
    other[4] = (other[4] + 1) % 3
    with pytest.raises(nm.InputError, match="index 4"):
        compare((refs, refs), (refs, other), metrics=["accuracy"])
    with pytest.raises(nm.InputError, match="same examples"):
        compare((refs, refs), (refs[:5], refs[:5]), metrics=["accuracy"])
    with pytest.raises(nm.InputError, match="metrics is empty"):
        compare((refs, refs), (refs, refs), metrics=[])
    with pytest.raises(nm.InputError, match="system 'B': references is None"):
        compare((refs, refs), (refs, None), metrics=["accuracy"])


def test_systems_may_be_iterables_or_mappings():
    refs = _labels(30, seed=15)
    preds = _labels(30, seed=16)
    expected = compare((preds, refs), (refs, refs), metrics=["accuracy"], n_resamples=50).to_dict()
    given = compare((iter(preds), (r for r in refs)), {"predictions": np.array(refs), "references": refs},
                    metrics=["accuracy"], n_resamples=50).to_dict()
    assert given == expected


def test_metric_objects_are_used_as_templates():
    refs = _labels(40, seed=6)
    a = _labels(40, seed=7)
    template = nm.load("f1", average="macro")
    template.update(predictions=[0], references=[1])  # state must not leak into the comparison
    result = compare((a, refs), (refs, refs), metrics=[template], n_resamples=50)
    expected = nm.compute("f1", predictions=a, references=refs, average="macro")["f1"]
    assert result["f1"].tests["f1"].a == pytest.approx(expected)
    assert "average:macro" in str(result["f1"].signature)


def test_markdown_and_dict_forms():
    refs = _labels(30, seed=8)
    result = compare((_labels(30, seed=9), refs), (refs, refs), metrics=["accuracy"], names=("old", "new|x"),
                     n_resamples=50)
    markdown = result.to_markdown()
    header = markdown.splitlines()[0]
    # Score, both systems' scores, the difference, its interval, p, Holm's p, the verdict, the detectable difference.
    assert len(re.findall(r"(?<!\\)\|", header)) == 10
    assert "new\\|x" in header
    assert result.to_dict()["names"] == ["old", "new|x"]


@settings(max_examples=15)
@given(st.lists(st.integers(0, 2), min_size=2, max_size=30), st.integers(0, 2**16))
def test_p_values_are_probabilities_and_swap_is_symmetric(refs, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, len(refs)).tolist()
    b = rng.integers(0, 3, len(refs)).tolist()
    ab = compare((a, refs), (b, refs), metrics=["accuracy"], n_resamples=60, seed=seed)["accuracy"].tests["accuracy"]
    ba = compare((b, refs), (a, refs), metrics=["accuracy"], n_resamples=60, seed=seed)["accuracy"].tests["accuracy"]
    assert 0 < ab.p_value <= 1
    assert 0 < ab.p_value_bootstrap <= 1
    assert ab.difference == pytest.approx(-ba.difference)
    assert ab.interval[0] <= ab.difference + 1e-12 or ab.interval[1] >= ab.difference - 1e-12
    assert -1 <= ab.interval[0] <= ab.interval[1] <= 1, "an interval of a difference of two accuracies"


def _sacrebleu_p(test_type: str, a: list[str], b: list[str], refs: list[str]) -> tuple[float, float]:
    from sacrebleu.metrics import BLEU
    from sacrebleu.significance import PairedTest as SacrePairedTest

    class IntegerStatsBLEU(BLEU):
        # sacrebleu 2.6's paired bootstrap sums float32 statistics and then formats the lengths with
        # ":d", which fails under numpy 2; the sums are whole numbers, so hand them back as ints.
        def _compute_score_from_stats(self, stats):
            return super()._compute_score_from_stats([round(float(x)) for x in stats])

    test = SacrePairedTest([("A", a), ("B", b)], {"BLEU": IntegerStatsBLEU()}, references=[refs], test_type=test_type,
                           n_samples=1000)
    _, scores = test()
    result = scores["BLEU"][1]
    return result.score / 100, result.p_value


@pytest.mark.parametrize("case", ["clearly_better", "nearly_identical"])
def test_bleu_agrees_with_sacrebleu_paired_tests(case):
    refs = _sentences(150, seed=10)
    a = _noisy(refs, 0.35, seed=11)
    if case == "clearly_better":
        b = _noisy(refs, 0.15, seed=12)
    else:
        # Same quality, different errors on 40 sentences: enough differing rows that ties in the
        # randomization are negligible (sacrebleu counts only strictly larger differences; we count ties too,
        # so that identical systems get p = 1 rather than sacrebleu's p = 1 / (R + 1)).
        b = list(a)
        b[:40] = _noisy(refs[:40], 0.35, seed=13)
    ours = compare((a, refs), (b, refs), metrics=["bleu"], n_resamples=1000, seed=0)["bleu"].tests["bleu"]
    b_score, p_bs = _sacrebleu_p("bs", a, b, refs)
    _, p_ar = _sacrebleu_p("ar", a, b, refs)
    assert ours.b == pytest.approx(b_score, abs=1e-9)
    lo, hi = ours.interval
    assert lo <= ours.difference <= hi
    if case == "clearly_better":
        assert ours.difference > 0
        assert lo > 0
        assert ours.p_value < 0.01
        assert p_ar < 0.01
        assert ours.p_value_bootstrap < 0.01
        assert p_bs < 0.01
    else:
        assert ours.p_value > 0.05
        assert p_ar > 0.05
        assert abs(ours.p_value - p_ar) < 0.15
        assert p_bs > 0.05
        assert ours.p_value_bootstrap > 0.05


def test_text_lists_method():
    refs = _labels(20, seed=14)
    text = compare((refs, refs), (refs, refs), metrics=["accuracy"], n_resamples=20).to_text()
    assert re.search(r"Paired over 20 examples; 20 bootstrap resamples and 20 random swaps; one comparison", text)


def test_a_mirrored_interval_that_touches_zero_reads_0_not_minus_0():
    # B - A = -0.1 with the interval -0.25 to 0.0: mirrored for the winner A, 0.0 becomes -0.0.
    test = _test("accuracy", -0.1, (-0.25, 0.0), p_value=0.06)
    en = comparison_sentence(test, names=("A", "B"), metric="accuracy", higher_is_better=True, low_bound=0.0)
    assert "(95% interval of the difference 0.0 to 25.0)" in en
    ja = comparison_sentence(test, names=("A", "B"), metric="accuracy", higher_is_better=True, low_bound=0.0,
                             lang="ja")
    assert "差の95%信頼区間 0.0〜25.0" in ja
    for sentence in (en, ja):
        assert "−0.0" not in sentence
        assert "-0.0" not in sentence
    from nlpmetrics.reporting.text import _plain, signed_difference, unsigned_zero, value_text

    assert _plain(-0.0, "points") == "0.0"
    assert _plain(-0.0004, "coefficient") == "0.00"
    assert _plain(-0.05, "points") == "−5.0"
    assert signed_difference(-0.0, "points") == "+0.0"
    assert signed_difference(-0.00001, "coefficient") == "+0.00"
    assert signed_difference(-0.01, "points") == "-1.0"
    assert value_text(-0.001, "coefficient") == "0.00"
    assert value_text(-0.0, "percent") == "0.0%"
    assert unsigned_zero("-10.0") == "-10.0"
    assert unsigned_zero("−0.05") == "−0.05"
