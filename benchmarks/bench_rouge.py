"""ROUGE speed: nlpmetrics vs rouge-score on the same pairs, with the numbers checked identical.

Run ``python benchmarks/bench_rouge.py`` (``--quick`` for a smaller run).  It
prints pairs per second of both, their ratio, and the largest per-example
difference (which must be 0) for:

* 10,000 English pairs of 10-40 words, rouge1/rouge2/rougeL/rougeLsum;
* the same with ``use_stemmer=True`` (also with the stem cache emptied before each run);
* 2,000 English pairs of four such sentences, one per line (rougeLsum's summary-level path);
* 2,000 Japanese pairs (``lang="ja"``) vs rouge-score given the same MeCab
  tokens through its ``tokenizer=`` hook.

Times are medians of the metric call only (inputs built beforehand).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
from texts import english_pairs, japanese_pairs

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def median_time(function, repeats: int) -> tuple[float, float, object]:
    """Median wall time, median CPU time of this process, and the last result.

    CPU time is reported too because the benchmark machine may be shared: it
    is far less disturbed by other processes than wall time.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), result


def compare(label: str, predictions, references, options: dict, scorer, repeats: int, reset=None) -> dict:
    """Time both libraries on the same pairs and check per-example equality.

    ``reset`` (optional) empties a cache before each timed nlpmetrics run, so
    the figure is that of a first call (e.g. with no Porter stems cached yet).
    """
    import nlpmetrics as nm

    def ours():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nm.compute("rouge", predictions=predictions, references=references, **options)

    def theirs():
        return [scorer.score(r, p) for p, r in zip(predictions, references, strict=True)]

    ours()  # warm-up: imports, MeCab, stemmer

    def timed_ours():
        if reset is not None:
            reset()
        return ours()

    t_ours, cpu_ours, result = median_time(timed_ours, repeats)
    t_theirs, cpu_theirs, expected = median_time(theirs, max(1, repeats // 3))
    worst = 0.0
    for t in options.get("rouge_types", TYPES):
        reference_f = np.array([e[t].fmeasure for e in expected])
        worst = max(worst, float(np.abs(result.per_example[t] - reference_f).max()))
    n = len(predictions)
    row = {"label": label, "n": n, "ours_s": t_ours, "theirs_s": t_theirs, "ours_pps": n / t_ours,
           "theirs_pps": n / t_theirs, "ratio": t_theirs / t_ours, "cpu_ratio": cpu_theirs / cpu_ours,
           "max_abs_diff": worst}
    print(f"{label:<38} n={n:>6}  nlpmetrics {row['ours_pps']:>9,.0f} pairs/s  rouge-score "
          f"{row['theirs_pps']:>7,.0f} pairs/s  ratio {row['ratio']:5.1f}x (CPU time {row['cpu_ratio']:5.1f}x)"
          f"  max|diff| {worst:.1e}")
    return row


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 pairs instead of 10,000")
    args = parser.parse_args(argv)
    from rouge_score import rouge_scorer

    from nlpmetrics.metrics.rouge import _tokens as _rouge_tokens
    from nlpmetrics.metrics.rouge._tokens import SacrebleuTokenizer

    n = 1_000 if args.quick else 10_000
    predictions, references = english_pairs(n)
    rows = [
        compare("English, 4 types", predictions, references, {}, rouge_scorer.RougeScorer(TYPES), 5),
        compare("English, 4 types, use_stemmer=True", predictions, references, {"use_stemmer": True},
                rouge_scorer.RougeScorer(TYPES, use_stemmer=True), 5),
        compare("  same, stem cache emptied before each", predictions, references, {"use_stemmer": True},
                rouge_scorer.RougeScorer(TYPES, use_stemmer=True), 5, reset=_rouge_tokens._STEMS.clear),
    ]
    multi_predictions = ["\n".join(predictions[i:i + 4]) for i in range(0, n, 4)][: n // 5]
    multi_references = ["\n".join(references[i:i + 4]) for i in range(0, n, 4)][: n // 5]
    rows.append(compare("English, 4 sentences a text (newlines)", multi_predictions, multi_references, {},
                        rouge_scorer.RougeScorer(TYPES), 5))
    ja_predictions, ja_references = japanese_pairs(n // 5)
    rows.append(compare("Japanese (lang='ja'), 4 types", ja_predictions, ja_references, {"lang": "ja"},
                        rouge_scorer.RougeScorer(TYPES, tokenizer=SacrebleuTokenizer("ja-mecab")), 5))
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    return rows


if __name__ == "__main__":
    main()
