"""ROUGE: nlpmetrics against rouge-score's ``RougeScorer.score`` on the same pairs, numbers asserted identical.

Each case first checks that every per-example precision, recall and F-measure
of every type equals rouge-score's (exactly), then times the two in turns,
best of several rounds: ``nm.compute("rouge", ...)`` (the whole public call)
against ``[scorer.score(reference, prediction) for ...]``.  Cases: 10,000
English single-sentence pairs of 10-40 words (rouge1, rouge2, rougeL,
rougeLsum); 2,000 pairs of texts of four such sentences, one per line
(rougeLsum's summary-level path); English with ``use_stemmer=True`` (also with
the stem cache emptied before each run, the figure of a first call); 2,000
Japanese pairs (``lang="ja"``) against rouge-score given the same MeCab tokens
through its ``tokenizer=`` hook.  ``--quick`` runs a fifth of the pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence

import numpy as np

try:
    from benchmarks.common import race
    from benchmarks.texts import english_pairs, japanese_pairs
except ImportError:  # run as a script from benchmarks/
    from common import race  # type: ignore[no-redef]
    from texts import english_pairs, japanese_pairs  # type: ignore[no-redef]

TITLE = "ROUGE: rouge1, rouge2, rougeL, rougeLsum against rouge-score"
TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
FIELDS = ("precision", "recall", "fmeasure")
#: The ratio issue 16 asks for on single- and multi-sentence English.
GOAL = 25.0


def differences(predictions: Sequence[str], references: Sequence[str], options: dict, scorer) -> list[str]:
    """Where nlpmetrics' per-example P/R/F differ from rouge-score's (empty when identical to the last bit)."""
    import nlpmetrics as nm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = nm.load("rouge", **options).rows_for(predictions=predictions, references=references)
    expected = [scorer.score(r, p) for p, r in zip(predictions, references, strict=True)]
    found = []
    for rouge_type in options.get("rouge_types", TYPES):
        for field in FIELDS:
            theirs = np.array([getattr(e[rouge_type], field) for e in expected])
            wrong = np.flatnonzero(rows[f"{rouge_type}_{field}"] != theirs)
            if wrong.size:
                found.append(f"{rouge_type} {field}: {wrong.size} examples differ (first: {int(wrong[0])})")
    return found


def case(name: str, predictions: list[str], references: list[str], options: dict, scorer, *, repeats: int,
         goal: float | None = None, reset: Callable[[], object] | None = None, headline: bool = False) -> dict:
    """One published row: identical numbers asserted, then both sides timed in turns (best of ``repeats``).

    ``reset`` (optional) runs at the start of every nlpmetrics call, inside
    its timing (it costs next to nothing), e.g. to empty the stem cache.
    """
    import nlpmetrics as nm

    wrong = differences(predictions, references, options, scorer)  # also the warm-up of both sides
    if wrong:
        raise AssertionError(f"{name}: nlpmetrics differs from rouge-score: {'; '.join(wrong)}")

    def ours():
        if reset is not None:
            reset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nm.compute("rouge", predictions=predictions, references=references, **options)

    def theirs():
        return [scorer.score(r, p) for p, r in zip(predictions, references, strict=True)]

    row = race(name, ours, theirs, repeats=repeats, identical=True, goal=goal, headline=headline, warmup=0)
    n = len(predictions)
    row["note"] = f"{n / row['ours_s']:,.0f} vs {n / row['reference_s']:,.0f} pairs/s"
    return row


def run(quick: bool = False) -> list[dict]:
    """Every ROUGE case as published rows (see benchmarks/common.py)."""
    from rouge_score import rouge_scorer

    from nlpmetrics.metrics.rouge import _tokens

    n = 2_000 if quick else 10_000
    repeats = 2 if quick else 5
    predictions, references = english_pairs(n)
    multi_predictions = ["\n".join(predictions[i:i + 4]) for i in range(0, n, 4)][: n // 5]
    multi_references = ["\n".join(references[i:i + 4]) for i in range(0, n, 4)][: n // 5]
    ja_predictions, ja_references = japanese_pairs(n // 5)
    plain, stemming = rouge_scorer.RougeScorer(TYPES), rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    mecab = rouge_scorer.RougeScorer(TYPES, tokenizer=_tokens.SacrebleuTokenizer("ja-mecab"))
    return [
        case(f"English, 4 types, {n:,} single-sentence pairs", predictions, references, {}, plain,
             repeats=repeats, goal=GOAL, headline=True),
        case(f"English, 4 types, {len(multi_predictions):,} pairs of 4-sentence texts (newlines)",
             multi_predictions, multi_references, {}, plain, repeats=max(2, repeats - 2), goal=GOAL, headline=True),
        case(f"English, use_stemmer=True, {n:,} pairs", predictions, references, {"use_stemmer": True}, stemming,
             repeats=max(2, repeats - 2)),
        case(f"English, use_stemmer=True, {n:,} pairs, stem cache emptied before each run", predictions, references,
             {"use_stemmer": True}, stemming, repeats=max(2, repeats - 2), reset=_tokens._STEMS.clear),
        case(f"Japanese (lang='ja', MeCab), {len(ja_predictions):,} pairs, vs rouge-score with the same tokens",
             ja_predictions, ja_references, {"lang": "ja"}, mecab, repeats=repeats),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the pairs, fewer rounds")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}")
    for row in run(args.quick):
        print(f"{row['name']:<86} {row['ratio']:6.1f}x  ({row['note']}; {row['goal'] or 'no goal'}; "
              f"identical: {row['identical']})")
        print("  " + json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()}))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
