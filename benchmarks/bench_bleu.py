"""BLEU / chrF / TER speed: nlpmetrics vs sacrebleu on the same pairs, with the numbers checked identical.

Run ``python benchmarks/bench_bleu.py`` (``--quick`` for a smaller run).  It
prints pairs per second of both, their ratio and the score difference (which
must be below 1e-9) for:

* BLEU, 10,000 English pairs of 10-40 words: ``nm.compute("bleu")`` (corpus
  score, per-example sentence scores, details, signature) vs
  ``sacrebleu.metrics.BLEU().corpus_score``; and vs 10,000 sacrebleu
  ``sentence_score`` calls for the per-example scores;
* BLEU, 2,000 Japanese pairs with ``ja-mecab``;
* chrF on the 10,000 English pairs, TER on 1,000 of them.

Times are medians of the metric call only (inputs built beforehand), the two
sides run alternately; the ratio is given by wall time and by CPU time.  Every
run starts with cold tokenizer caches on both sides: a fresh sacrebleu object
(its tokenizer cache is per object) and a cleared nlpmetrics 13a cache.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

from texts import english_pairs, japanese_pairs

logging.getLogger("sacrebleu").setLevel(logging.ERROR)


def compare(ours, theirs, repeats: int):
    """Run ``ours`` and ``theirs`` alternately ``repeats`` times each.

    Returns the medians of wall time and of CPU time (``time.process_time``:
    this process only, so other jobs on a shared machine disturb it less)
    for both, and both last values.
    """
    timings = {"ours": ([], []), "theirs": ([], [])}
    values = {}
    for _ in range(repeats):
        for side, function in (("ours", ours), ("theirs", theirs)):
            wall, cpu = time.perf_counter(), time.process_time()
            values[side] = function()
            timings[side][0].append(time.perf_counter() - wall)
            timings[side][1].append(time.process_time() - cpu)
    medians = {side: (statistics.median(w), statistics.median(c)) for side, (w, c) in timings.items()}
    return medians["ours"], medians["theirs"], values["ours"], values["theirs"]


def clear_caches() -> None:
    """Forget tokenized lines (nlpmetrics' 13a cache and the shared MeCab tokenizer's cache)."""
    from nlpmetrics.metrics.text import sacrebleu_tokenizer
    from nlpmetrics.metrics.translation._fast_13a import tokenize_13a

    tokenize_13a.cache_clear()
    type(sacrebleu_tokenizer("ja-mecab")).__call__.cache_clear()


def report(label: str, n: int, ours: tuple[float, float], theirs: tuple[float, float], difference: float) -> None:
    """One line: pairs/s by wall time, and the speed ratio by wall and by CPU time."""
    print(f"{label:<46} {n:>6,} pairs  nlpmetrics {n / ours[0]:>7,.0f}/s  sacrebleu {n / theirs[0]:>7,.0f}/s  "
          f"ratio wall {theirs[0] / ours[0]:5.2f}x  cpu {theirs[1] / ours[1]:5.2f}x  |diff| {difference:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer pairs and repeats")
    args = parser.parse_args()
    n_english = 2_000 if args.quick else 10_000
    n_japanese = 500 if args.quick else 2_000
    n_ter = 200 if args.quick else 1_000
    repeats = 3 if args.quick else 5

    from sacrebleu.metrics import BLEU, CHRF, TER

    import nlpmetrics as nm

    predictions, references = english_pairs(n_english)

    def ours_bleu():
        clear_caches()
        return nm.compute("bleu", predictions=predictions, references=references)

    def sacrebleu_bleu():
        return BLEU().corpus_score(predictions, [references])

    def sacrebleu_sentences():
        metric = BLEU(effective_order=True)
        return [metric.sentence_score(p, [r]).score / 100 for p, r in zip(predictions, references, strict=True)]

    nm.compute("bleu", predictions=predictions[:10], references=references[:10])  # imports, not timed
    ours, theirs, result, score = compare(ours_bleu, sacrebleu_bleu, repeats)
    report("BLEU corpus (13a), full nm.compute", n_english, ours, theirs, abs(result["bleu"] - score.score / 100))
    ours, theirs, result, sentence_scores = compare(ours_bleu, sacrebleu_sentences, max(1, repeats // 2))
    difference = max(abs(a - b) for a, b in zip(result.per_example["bleu"], sentence_scores, strict=True))
    report("BLEU per-example vs sacrebleu sentence_score", n_english, ours, theirs, difference)

    ja_predictions, ja_references = japanese_pairs(n_japanese)

    def ours_japanese():
        clear_caches()
        return nm.compute("bleu", predictions=ja_predictions, references=ja_references, lang="ja")

    ours, theirs, result, score = compare(
        ours_japanese, lambda: BLEU(tokenize="ja-mecab").corpus_score(ja_predictions, [ja_references]), repeats)
    report("BLEU corpus, Japanese (ja-mecab)", n_japanese, ours, theirs, abs(result["bleu"] - score.score / 100))

    ours, theirs, result, score = compare(
        lambda: nm.compute("chrf", predictions=predictions, references=references),
        lambda: CHRF().corpus_score(predictions, [references]), max(1, repeats // 2))
    report("chrF corpus", n_english, ours, theirs, abs(result["chrf"] - score.score / 100))

    ter_predictions, ter_references = predictions[:n_ter], references[:n_ter]
    ours, theirs, result, score = compare(
        lambda: nm.compute("ter", predictions=ter_predictions, references=ter_references),
        lambda: TER().corpus_score(ter_predictions, [ter_references]), max(1, repeats // 2))
    report("TER corpus", n_ter, ours, theirs, abs(result["ter"] - score.score / 100))


if __name__ == "__main__":
    main()
