"""Speed of nlpmetrics' ``seqeval`` against ``seqeval.metrics.classification_report``.

Scores 8,000 synthetic NER sentences (about 120,000 tokens, IOB2 tags over four
entity types, with realistic prediction errors) and builds the full per-type
table both ways, in default (conlleval) mode and in strict IOB2 mode; checks
the numbers are identical and prints the timings and the speed ratio.

Run: ``python benchmarks/bench_seqeval.py``
"""

from __future__ import annotations

import random
import statistics
import time
import warnings

N_SENTENCES = 8_000
TYPES = ("PER", "LOC", "ORG", "MISC")
REPEATS = 5


def make_corpus(seed: int = 0) -> tuple[list[list[str]], list[list[str]]]:
    """Gold IOB2 sentences (mean 15 tokens) and predictions with boundary, type and miss errors."""
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(N_SENTENCES):
        tags: list[str] = []
        length = rng.randint(5, 25)
        while len(tags) < length:
            if rng.random() < 0.75:
                tags.append("O")
            else:
                kind = rng.choice(TYPES)
                tags += [f"B-{kind}"] + [f"I-{kind}"] * rng.choice((0, 0, 1, 1, 2))
        tags = tags[:length]
        guess = list(tags)
        for i, tag in enumerate(guess):
            roll = rng.random()
            if roll < 0.04:
                guess[i] = "O"
            elif roll < 0.07 and tag != "O":
                guess[i] = tag[:2] + rng.choice(TYPES)
            elif roll < 0.09:
                guess[i] = "I-" + rng.choice(TYPES)
        gold.append(tags)
        pred.append(guess)
    return pred, gold


def best_time(function, repeats: int = REPEATS) -> tuple[float, object, float]:
    """Best and median wall time of ``repeats`` calls, and the last value."""
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value, statistics.median(times)


TITLE = "seqeval: entity-level NER scores"


def run(quick: bool = False) -> list[dict]:
    """Time the full classification_report table against seqeval, default and strict mode, in turns."""
    import nlpmetrics as nm
    from nlpmetrics.metrics.sequence_labeling import classification_report as as_report

    warnings.simplefilter("ignore")
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    try:
        from benchmarks.common import race
    except ImportError:
        from common import race  # type: ignore[no-redef]

    pred, gold = make_corpus()
    if quick:
        pred, gold = pred[:2000], gold[:2000]
    tokens = sum(map(len, gold))
    rows = []
    for label, seqeval_kwargs, options in (
        ("default (conlleval) mode", {}, {}),
        ("strict IOB2", {"mode": "strict", "scheme": IOB2}, {"mode": "strict", "scheme": "IOB2"}),
    ):
        def reference(kw=seqeval_kwargs):
            return classification_report(gold, pred, output_dict=True, **kw)

        def ours(o=options):
            return nm.compute("seqeval", predictions=pred, references=gold, **o)

        expected, got = reference(), as_report(ours())
        identical = got.keys() == expected.keys() and all(
            abs(got[row][key] - expected[row][key]) <= 1e-12 for row in expected for key in expected[row])
        rows.append(race(f"seqeval classification_report, {len(gold):,} sentences / {tokens:,} tokens, {label}",
                         ours, reference, repeats=3 if quick else REPEATS, identical=identical, goal=10,
                         headline=not options, note="full per-type table; identical to 1e-12"))
    return rows


def main() -> None:
    import nlpmetrics as nm
    from nlpmetrics.metrics.sequence_labeling import classification_report as as_report

    warnings.simplefilter("ignore")
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    pred, gold = make_corpus()
    tokens = sum(map(len, gold))
    print(f"{N_SENTENCES:,} sentences, {tokens:,} tokens; best of {REPEATS} (median in brackets)")
    for label, seqeval_kwargs, options in (
        ("default (conlleval) mode", {}, {}),
        ("strict IOB2", {"mode": "strict", "scheme": IOB2}, {"mode": "strict", "scheme": "IOB2"}),
    ):
        ref_time, reference, ref_median = best_time(
            lambda kw=seqeval_kwargs: classification_report(gold, pred, output_dict=True, **kw))
        our_time, result, our_median = best_time(
            lambda o=options: nm.compute("seqeval", predictions=pred, references=gold, **o))
        ours = as_report(result)
        identical = ours.keys() == reference.keys() and all(
            abs(ours[row][key] - reference[row][key]) <= 1e-12 for row in reference for key in reference[row])
        print(f"{label}:")
        print(f"  seqeval classification_report: {ref_time * 1000:8.1f} ms [{ref_median * 1000:.1f}] "
              f"({tokens / ref_time:,.0f} tokens/s)")
        print(f"  nlpmetrics seqeval (full table): {our_time * 1000:8.1f} ms [{our_median * 1000:.1f}] "
              f"({tokens / our_time:,.0f} tokens/s)")
        print(f"  ratio: {ref_time / our_time:.1f}x faster; identical numbers (1e-12): {identical}")
        print(f"  micro F1 {result['f1']:.6f}, macro F1 {reference['macro avg']['f1-score']:.6f}")


if __name__ == "__main__":
    main()
