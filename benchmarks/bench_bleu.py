"""BLEU, chrF and TER: nlpmetrics against sacrebleu on the same pairs, numbers asserted identical.

Each case first checks that nlpmetrics' number equals sacrebleu's (corpus
scores exactly, per-example BLEU to 1e-12, TER edits exactly), then times the
two in turns, best of several rounds: ``nm.compute(...)`` (the whole public
call: validation, tokenization, counting, scoring, signature) against
sacrebleu's ``corpus_score`` with a fresh metric object (its tokenizer cache
is per object, so both sides tokenize every line).  Cases: BLEU on 10,000
English pairs of 10-40 words (and its per-example scores against 10,000
``sentence_score`` calls), BLEU on 2,000 Japanese pairs with ``ja-mecab``,
chrF and chrF++ on the 10,000 pairs, TER on 1,000 of them, and TER of one
2,000-word noisy copy (sacrebleu runs that once: it takes minutes).  ``--quick``
runs a fifth of the pairs and a 400-word pair.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time

import numpy as np

try:
    from benchmarks.common import race
    from benchmarks.texts import english_pairs, english_words, japanese_pairs
except ImportError:  # run as a script from benchmarks/
    from common import race  # type: ignore[no-redef]
    from texts import english_pairs, english_words, japanese_pairs  # type: ignore[no-redef]

TITLE = "BLEU, chrF, TER: corpus scores against sacrebleu"
#: The ratios issue 16 asks for (corpus scores, the whole call on both sides).
BLEU_CHRF_GOAL, TER_GOAL = 4.0, 5.0
#: Seconds issue 16 allows for the TER of one 2,000-word pair.
LONG_PAIR_SECONDS = 1.0

logging.getLogger("sacrebleu").setLevel(logging.ERROR)


def corpus_case(name: str, metric: str, predictions: list[str], references: list[str], options: dict, *,
                repeats: int, goal: float | None = None, headline: bool = False) -> dict:
    """One published row: nm.compute against sacrebleu's corpus_score, the scores asserted equal first."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    import nlpmetrics as nm

    sacrebleu_class = {"bleu": BLEU, "chrf": CHRF, "ter": TER}[metric]
    sacrebleu_options = {k: v for k, v in options.items() if k != "lang"}

    def ours():
        return nm.compute(metric, predictions=predictions, references=references, **options)[metric]

    def theirs():
        return sacrebleu_class(**sacrebleu_options).corpus_score(predictions, [references]).score / 100

    ours_value, theirs_value = ours(), theirs()  # also the warm-up of both sides
    if ours_value != theirs_value:
        raise AssertionError(f"{name}: nlpmetrics {ours_value!r} != sacrebleu {theirs_value!r}")
    row = race(name, ours, theirs, repeats=repeats, identical=True, goal=goal, headline=headline, warmup=0)
    n = len(predictions)
    row["note"] = f"{n / row['ours_s']:,.0f} vs {n / row['reference_s']:,.0f} pairs/s"
    return row


def sentence_case(predictions: list[str], references: list[str], *, repeats: int) -> dict:
    """nm.compute's per-example BLEU against one sacrebleu ``sentence_score`` call per pair."""
    from sacrebleu.metrics import BLEU

    import nlpmetrics as nm

    def ours():
        return nm.compute("bleu", predictions=predictions, references=references).per_example["bleu"]

    def theirs():
        metric = BLEU(effective_order=True)
        return np.array([metric.sentence_score(p, [r]).score / 100 for p, r in zip(predictions, references,
                                                                                  strict=True)])

    difference = float(np.abs(ours() - theirs()).max())
    if difference > 1e-12:
        raise AssertionError(f"per-example BLEU differs from sacrebleu's sentence_score by {difference:.2e}")
    n = len(predictions)
    row = race(f"BLEU per-example scores, {n:,} pairs, vs {n:,} sentence_score calls", ours, theirs,
               repeats=repeats, identical=True, warmup=0)
    row["note"] = f"{n / row['ours_s']:,.0f} vs {n / row['reference_s']:,.0f} pairs/s; largest difference " \
                  f"{difference:.0e}"
    return row


def long_pair_case(words: int, *, repeats: int) -> dict:
    """TER of one long pair: its edits asserted equal to sacrebleu's (run once), ours best of ``repeats``."""
    from sacrebleu.metrics import TER
    from sacrebleu.metrics.lib_ter import translation_edit_rate

    from nlpmetrics.metrics.translation._ter_edits import translation_edits

    rng = random.Random(words)
    vocabulary = english_words()
    reference_list = rng.choices(vocabulary, k=words)
    # A noisy copy, as english_pairs makes them: words dropped and replaced, a few inserted.
    hypothesis_list = [w if rng.random() > 0.15 else rng.choice(vocabulary) for w in reference_list
                       if rng.random() > 0.1]
    for _ in range(words // 10):
        hypothesis_list.insert(rng.randint(0, len(hypothesis_list)), rng.choice(vocabulary))
    prediction, reference = " ".join(hypothesis_list), " ".join(reference_list)
    tokenize = TER().tokenizer
    hypothesis, reference_words = tokenize(prediction).split(), tokenize(reference).split()
    ours_s = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        (edits,) = translation_edits([hypothesis], [reference_words])
        ours_s = min(ours_s, time.perf_counter() - start)
    start = time.perf_counter()
    expected, _ = translation_edit_rate(hypothesis, reference_words)
    reference_s = time.perf_counter() - start
    if int(edits) != expected:
        raise AssertionError(f"TER edits of the {words}-word pair: nlpmetrics {edits} != sacrebleu {expected}")
    return {"name": f"TER edits of one {words:,}-word pair", "ours_s": ours_s, "reference_s": reference_s,
            "ratio": reference_s / ours_s, "identical": True, "goal": f"< {LONG_PAIR_SECONDS:g} s",
            "meets_goal": ours_s < LONG_PAIR_SECONDS, "headline": True,
            "note": f"{edits} edits; sacrebleu timed once"}


def run(quick: bool = False) -> list[dict]:
    """Every BLEU / chrF / TER case as published rows (see benchmarks/common.py)."""
    n = 2_000 if quick else 10_000
    n_ter = 200 if quick else 1_000
    repeats = 2 if quick else 5
    predictions, references = english_pairs(n)
    ja_predictions, ja_references = japanese_pairs(n // 5)
    return [
        corpus_case(f"BLEU corpus (13a), {n:,} English pairs", "bleu", predictions, references, {},
                    repeats=repeats, goal=BLEU_CHRF_GOAL, headline=True),
        sentence_case(predictions, references, repeats=max(2, repeats - 2)),
        corpus_case(f"BLEU corpus, {len(ja_predictions):,} Japanese pairs (ja-mecab)", "bleu", ja_predictions,
                    ja_references, {"tokenize": "ja-mecab"}, repeats=repeats),
        corpus_case(f"chrF corpus, {n:,} English pairs", "chrf", predictions, references, {},
                    repeats=max(2, repeats - 2), goal=BLEU_CHRF_GOAL, headline=True),
        corpus_case(f"chrF++ corpus (word_order=2), {n:,} English pairs", "chrf", predictions, references,
                    {"word_order": 2}, repeats=max(2, repeats - 2), goal=BLEU_CHRF_GOAL),
        corpus_case(f"TER corpus, {n_ter:,} English pairs", "ter", predictions[:n_ter], references[:n_ter], {},
                    repeats=repeats, goal=TER_GOAL, headline=True),
        long_pair_case(400 if quick else 2_000, repeats=3),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the pairs, a 400-word pair, fewer rounds")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}")
    for row in run(args.quick):
        print(f"{row['name']:<70} {row['ratio']:7.1f}x  ({row['note']}; {row['goal'] or 'no goal'}; "
              f"identical: {row['identical']})")
        print("  " + json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()}))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
