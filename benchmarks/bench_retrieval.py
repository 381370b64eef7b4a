"""Speed of nlpmetrics' ``retrieval`` against ranx and trec_eval (``pytrec-eval-terrier``), with identical numbers.

10,000 queries, each a ranking of 100 documents (id -> score, no tied scores,
so ranx and trec_eval agree on the order) and 1-10 graded relevant documents,
about two thirds of them retrieved.  Three races, each side timed in turns
(best of several rounds):

* against ranx's ``evaluate`` on ``Qrels``/``Run`` objects built beforehand,
  after a warm-up call (ranx compiles with numba on first use; the compile is
  not timed): Recall@10, MRR@10, nDCG@10, MAP;
* against pytrec_eval's Python path (``RelevanceEvaluator(qrels, measures)``,
  ``evaluate(run)``, the mean over queries in Python): recall.10,
  recip_rank, ndcg_cut.10, map;
* the same measures when the rankings are one integer matrix (the top-k ids
  a vector index returns), against pytrec_eval on the same queries as dicts.

Every race checks the numbers first: equal to pytrec_eval's means exactly,
to ranx's within 1e-12.

Run under the machine-wide lock: ``flock /tmp/nlpmetrics-bench.lock python benchmarks/bench_retrieval.py``.
"""

from __future__ import annotations

import argparse
import random
import warnings

import numpy as np

N_QUERIES = 10_000
DEPTH = 100
N_DOCS = 100_000
REPEATS = 7
TITLE = "retrieval: Recall@k, MRR, nDCG, MAP"
#: Our measure -> (ranx name, trec_eval request, trec_eval result key).
RANX_MEASURES = {"recall@10": "recall@10", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10", "map": "map"}
TREC_MEASURES = {"recall@10": ("recall.10", "recall_10"), "mrr": ("recip_rank", "recip_rank"),
                 "ndcg@10": ("ndcg_cut.10", "ndcg_cut_10"), "map": ("map", "map")}


def make_queries(n: int = N_QUERIES, seed: int = 0):
    """Rankings (int ids, best first), their scores and graded judgements of ``n`` queries."""
    rng = random.Random(seed)
    ids, scores, judgements = [], [], []
    for _ in range(n):
        ranked = rng.sample(range(N_DOCS), DEPTH)
        relevant = {}
        for _ in range(rng.randint(1, 10)):
            doc = ranked[min(int(rng.expovariate(1 / 15)), DEPTH - 1)] if rng.random() < 0.65 else rng.randrange(N_DOCS)
            relevant[doc] = rng.randint(1, 3)
        ids.append(ranked)
        scores.append([30.0 - i * 0.25 - rng.random() * 0.2 for i in range(DEPTH)])
        judgements.append(relevant)
    return ids, scores, judgements


def as_dicts(ids, scores, judgements):
    """Return the same queries as string ids: run = id -> score per query, qrels = id -> relevance."""
    run = [{f"d{d}": s for d, s in zip(row, score, strict=True)} for row, score in zip(ids, scores, strict=True)]
    qrels = [{f"d{d}": level for d, level in judged.items()} for judged in judgements]
    return run, qrels


def run(quick: bool = False) -> list[dict]:
    import pytrec_eval
    import ranx

    import nlpmetrics as nm

    try:
        from benchmarks.common import race
    except ImportError:
        from common import race  # type: ignore[no-redef]

    warnings.simplefilter("ignore")
    n = 2_000 if quick else N_QUERIES
    repeats = 3 if quick else REPEATS
    ids, scores, judgements = make_queries(n)
    run_dicts, qrels_dicts = as_dicts(ids, scores, judgements)
    keyed_run = {f"q{i:06d}": r for i, r in enumerate(run_dicts)}
    keyed_qrels = {f"q{i:06d}": q for i, q in enumerate(qrels_dicts)}
    shape = f"{n:,} queries x {DEPTH} documents"
    rows = []

    # ---- against ranx (numba; objects built and the code compiled before timing)
    ranx_qrels, ranx_run = ranx.Qrels(keyed_qrels), ranx.Run(keyed_run)

    def with_ranx():
        return ranx.evaluate(ranx_qrels, ranx_run, list(RANX_MEASURES.values()), save_results_in_run=False)

    def ours_ranx():
        return nm.compute("retrieval", predictions=run_dicts, references=qrels_dicts, measures=list(RANX_MEASURES))

    expected, got = with_ranx(), ours_ranx()
    identical = all(abs(got[key] - expected[name]) <= 1e-12 for key, name in RANX_MEASURES.items())
    rows.append(race(f"retrieval, 4 measures, {shape} (id -> score), vs ranx", ours_ranx, with_ranx,
                     repeats=repeats, identical=identical, goal=1, headline=True,
                     note="ranx.evaluate on prebuilt Qrels/Run after its numba compile; identical to 1e-12"))

    # ---- against pytrec_eval's Python path
    requests = {request for request, _ in TREC_MEASURES.values()}

    def with_pytrec():
        per_query = pytrec_eval.RelevanceEvaluator(keyed_qrels, requests).evaluate(keyed_run)
        return {key: np.mean([values[name] for values in per_query.values()])
                for key, (_, name) in TREC_MEASURES.items()}

    def ours_trec():
        return nm.compute("retrieval", predictions=run_dicts, references=qrels_dicts, measures=list(TREC_MEASURES))

    expected, got = with_pytrec(), ours_trec()
    identical = all(got[key] == expected[key] for key in TREC_MEASURES)
    rows.append(race(f"retrieval, 4 measures, {shape} (id -> score), vs pytrec_eval", ours_trec, with_pytrec,
                     repeats=repeats, identical=identical, goal=10, headline=True,
                     note="RelevanceEvaluator + evaluate + mean; equal to trec_eval's numbers exactly"))

    # ---- an integer matrix of ranked ids (a vector index's top-k), same queries
    matrix = np.asarray(ids, dtype=np.int64)

    def ours_matrix():
        return nm.compute("retrieval", predictions=matrix, references=judgements, measures=list(TREC_MEASURES))

    got = ours_matrix()
    identical = all(got[key] == expected[key] for key in TREC_MEASURES)
    rows.append(race(f"retrieval, 4 measures, {shape} (top-k id matrix), vs pytrec_eval", ours_matrix, with_pytrec,
                     repeats=repeats, identical=identical, goal=10, headline=True,
                     note="our input: the integer matrix of ids a vector index returns; pytrec_eval: dicts"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 queries, fewer rounds")
    args = parser.parse_args()
    for row in run(args.quick):
        print(f"{row['name']}\n  nlpmetrics {row['ours_s'] * 1000:8.1f} ms   "
              f"reference {row['reference_s'] * 1000:8.1f} ms"
              f"   {row['ratio']:.1f}x   identical: {row['identical']}   goal {row['goal']}: {row['meets_goal']}")


if __name__ == "__main__":
    main()
