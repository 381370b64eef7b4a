"""Paired comparison and report speed against sacrebleu's paired tests.

Run: ``python benchmarks/bench_compare.py``.  Prints, for chrF and BLEU on
2,000 synthetic sentence pairs, the time of ``nlpmetrics.reporting.compare``
(paired bootstrap *and* approximate randomization, 1,000 resamples each) and
of sacrebleu's ``PairedTest`` (bootstrap alone, then randomization alone, 1,000
each), their ratio, and the time to build and render a two-system HTML report
on 100,000 classification labels.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

WORDS = [
    "the", "a", "cat", "dog", "sat", "ran", "on", "under", "mat", "house", "red", "blue", "small", "big",
    "quickly", "slowly", "today", "here", "there", "it", "is", "was", "be", "go", "went", "see", "saw", "make",
    "made",
]


def _sentences(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, int(rng.integers(10, 40)))) for _ in range(n)]


def _noisy(texts: list[str], rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(w if rng.random() > rate else str(rng.choice(WORDS)) for w in t.split()) for t in texts]


def _best_of(runs: int, function) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _sacrebleu_metric(name: str):
    from sacrebleu.metrics import BLEU, CHRF

    class IntegerStatsBLEU(BLEU):
        # sacrebleu 2.6 formats float32 length sums with ":d" in its paired bootstrap (fails under numpy 2).
        def _compute_score_from_stats(self, stats):
            return super()._compute_score_from_stats([round(float(x)) for x in stats])

    return {"bleu": IntegerStatsBLEU, "chrf": CHRF}[name]()


def bench_metric(name: str, n: int = 2000, resamples: int = 1000) -> dict:
    from sacrebleu.significance import PairedTest

    from nlpmetrics.reporting import compare

    refs = _sentences(n, 0)
    a, b = _noisy(refs, 0.3, 1), _noisy(refs, 0.25, 2)
    ours = _best_of(3, lambda: compare((a, refs), (b, refs), metrics=[name], n_resamples=resamples))
    times = {}
    for test_type in ("bs", "ar"):
        def run(test_type=test_type):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                PairedTest([("A", a), ("B", b)], {name: _sacrebleu_metric(name)}, references=[refs],
                           test_type=test_type, n_samples=resamples)()
        times[test_type] = _best_of(3, run)
    both = times["bs"] + times["ar"]
    return {"name": f"paired bootstrap + randomization, {name}, {n:,} pairs, {resamples:,} resamples each",
            "ours_s": ours, "reference_s": both, "ratio": both / ours, "identical": None, "goal": None,
            "meets_goal": None, "headline": name == "chrf",
            "note": f"sacrebleu PairedTest bootstrap {times['bs']:.2f} s + randomization {times['ar']:.2f} s"}


def bench_report(n: int = 100_000) -> dict:
    import nlpmetrics as nm
    from nlpmetrics.reporting import report

    rng = np.random.default_rng(3)
    refs = rng.integers(0, 5, n)
    a = np.where(rng.random(n) < 0.7, refs, rng.integers(0, 5, n))
    b = np.where(rng.random(n) < 0.8, refs, rng.integers(0, 5, n))
    systems = {"a": (a.tolist(), refs.tolist()), "b": (b.tolist(), refs.tolist())}
    start = time.perf_counter()
    built = report(systems, metrics=["accuracy", nm.load("f1", average="macro")], n_resamples=1000)
    middle = time.perf_counter()
    html = built.to_html()
    end = time.perf_counter()
    plots = sum(len(section.plots) for section in built.sections) + (built.forest is not None)
    return {"name": f"client report, 2 systems x {n:,} labels, accuracy + macro-F1, 1,000 resamples",
            "value": f"build {middle - start:.2f} s, render HTML {end - middle:.2f} s", "goal": None,
            "meets_goal": None, "headline": False, "note": f"{plots} plots, {len(html) / 1024:.0f} KiB"}


TITLE = "Paired comparisons and reports"


def run(quick: bool = False) -> list[dict]:
    """Paired tests against sacrebleu's PairedTest (chrF, BLEU) and the time to build a report."""
    n = 500 if quick else 2000
    return [bench_metric("chrf", n), bench_metric("bleu", n), bench_report(20_000 if quick else 100_000)]


if __name__ == "__main__":
    for row in run():
        print(row)
