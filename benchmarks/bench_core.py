"""Speed of the core: classification scoring, streaming updates, bootstrap intervals and import.

Run ``python benchmarks/bench_core.py`` (``--quick`` for a smaller run).  It
prints each measured figure next to the reference (scikit-learn, a bare numpy
``bincount`` confusion matrix) and the ratio, against the goals of issue 2:

* accuracy / macro-F1 on 10^6 labels (20 classes): >= 10x faster than scikit-learn,
  within 2x of a bare numpy ``bincount`` confusion matrix;
* ``update`` of a 64-example batch: < 50 us per call;
* 1,000 bootstrap resamples of a 100,000-example accuracy: well under 1 s;
* ``import nlpmetrics``: < 150 ms, importing no heavy library.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

import nlpmetrics as nm

HEAVY = ["torch", "transformers", "matplotlib", "sklearn", "scipy.stats", "rouge_score", "nltk", "seqeval", "MeCab",
         "dask"]


def timed(function, repeats: int) -> float:
    """Best wall time of ``function()`` over ``repeats`` runs, after one warm-up run.

    The minimum, as ``timeit`` advises: on a shared machine every other
    figure measures the neighbours' load as much as the code.
    """
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_numpy_macro_f1(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    """The floor: one bincount confusion matrix over known labels 0..k-1, then macro-F1 from it."""
    matrix = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    tp = np.diag(matrix)
    denominator = matrix.sum(axis=0) + matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denominator == 0, 0.0, 2.0 * tp / denominator)
    return float(f1.mean())


def bare_numpy_accuracy(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    """The same floor for accuracy: the trace of the bincount confusion matrix over n."""
    matrix = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    return float(np.trace(matrix) / y_true.size)


def bench_classification(n: int, k: int, repeats: int) -> list[dict]:
    from sklearn.metrics import accuracy_score, f1_score

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, k, n))
    ours_f1 = nm.compute("f1", predictions=y_pred, references=y_true, average="macro")["f1"]
    assert ours_f1 == f1_score(y_true, y_pred, average="macro")
    assert nm.compute("accuracy", predictions=y_pred, references=y_true)["accuracy"] == accuracy_score(y_true, y_pred)
    rows = []
    for label, ours, sklearn_call, floor in [
        ("accuracy", lambda: nm.compute("accuracy", predictions=y_pred, references=y_true),
         lambda: accuracy_score(y_true, y_pred), lambda: bare_numpy_accuracy(y_true, y_pred, k)),
        ("macro-F1", lambda: nm.compute("f1", predictions=y_pred, references=y_true, average="macro"),
         lambda: f1_score(y_true, y_pred, average="macro"), lambda: bare_numpy_macro_f1(y_true, y_pred, k)),
    ]:
        t_ours, t_sklearn, t_floor = timed(ours, repeats), timed(sklearn_call, repeats), timed(floor, repeats)
        rows.append({"work": f"{label}, {n:,} int labels, {k} classes (nm.compute, Result included)",
                     "nlpmetrics_s": t_ours, "sklearn_s": t_sklearn, "numpy_floor_s": t_floor,
                     "speedup_vs_sklearn": t_sklearn / t_ours, "times_numpy_floor": t_ours / t_floor})
    return rows


def bench_update(batches: int, rounds: int) -> list[dict]:
    rng = np.random.default_rng(1)
    as_lists = [(rng.integers(0, 5, 64).tolist(), rng.integers(0, 5, 64).tolist()) for _ in range(64)]
    as_arrays = [(np.asarray(p), np.asarray(r)) for p, r in as_lists]
    as_text = [([f"c{v}" for v in p], [f"c{v}" for v in r]) for p, r in as_lists]
    rows = []
    for name, options in (("accuracy", {}), ("f1", {"average": "macro"})):
        for kind, data in (("python ints", as_lists), ("numpy ints", as_arrays), ("text labels", as_text)):
            per_call = math.inf
            for _ in range(rounds):  # best round, as in timed()
                metric = nm.load(name, **options)
                start = time.perf_counter()
                for i in range(batches):
                    predictions, references = data[i % len(data)]
                    metric.update(predictions=predictions, references=references)
                per_call = min(per_call, (time.perf_counter() - start) / batches)
                metric.compute()
            rows.append({"work": f"{name}.update of 64 {kind}", "us_per_call": per_call * 1e6})
    return rows


def bench_bootstrap(n: int, repeats: int) -> list[dict]:
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 5, n)
    y_pred = np.where(rng.random(n) < 0.8, y_true, rng.integers(0, 5, n))
    x = rng.normal(size=n // 10)
    y = x + rng.normal(size=n // 10)
    rows = []
    for label, name, p, r, options in [
        (f"accuracy, {n:,} examples", "accuracy", y_pred, y_true, {}),
        (f"macro-F1, {n:,} examples, 5 classes", "f1", y_pred, y_true, {"average": "macro"}),
        (f"pearson, {n // 10:,} examples (all rows distinct)", "pearson", x, y, {}),
    ]:
        metric = nm.load(name, **options).update(predictions=p, references=r)
        seconds = timed(lambda m=metric: m.compute(confidence=0.95, n_resamples=1000, seed=0), repeats)
        rows.append({"work": f"1,000 bootstrap resamples, {label}", "seconds": seconds})
    return rows


def bench_import(runs: int) -> dict:
    code = ("import json, sys, time; s = time.perf_counter(); import nlpmetrics; e = time.perf_counter() - s; "
            "print(json.dumps({'s': e, 'modules': sorted(sys.modules)}))")
    seconds, loaded = [], set()
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        probe = json.loads(out)
        seconds.append(probe["s"])
        loaded = set(probe["modules"])
    return {"work": "import nlpmetrics (fresh process)", "seconds": statistics.median(seconds),
            "heavy_modules_loaded": [m for m in HEAVY if m in loaded], "numpy_loaded": "numpy" in loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    repeats = 5 if args.quick else 15
    warnings.simplefilter("ignore")

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, nlpmetrics {nm.__version__}")
    print("\n## accuracy and macro-F1 vs scikit-learn and a bare numpy bincount (best of runs)")
    for row in bench_classification(n, 20, repeats):
        print(f"- {row['work']}: nlpmetrics {row['nlpmetrics_s'] * 1e3:.2f} ms, scikit-learn "
              f"{row['sklearn_s'] * 1e3:.2f} ms ({row['speedup_vs_sklearn']:.1f}x faster; goal >= 10x), "
              f"numpy floor {row['numpy_floor_s'] * 1e3:.2f} ms ({row['times_numpy_floor']:.2f}x the floor; "
              "goal <= 2x)")
    print("\n## update() of a 64-example batch in a loop (goal < 50 us)")
    for row in bench_update(2_000, 3 if args.quick else 10):
        print(f"- {row['work']}: {row['us_per_call']:.1f} us per call")
    print("\n## bootstrap intervals (goal: well under 1 s for the accuracy)")
    for row in bench_bootstrap(100_000, 1 if args.quick else 3):
        print(f"- {row['work']}: {row['seconds'] * 1e3:.0f} ms")
    row = bench_import(3 if args.quick else 7)
    print("\n## import (goal < 150 ms, no heavy module)")
    print(f"- {row['work']}: {row['seconds'] * 1e3:.0f} ms; heavy modules loaded: "
          f"{row['heavy_modules_loaded'] or 'none'}; numpy loaded: {row['numpy_loaded']}")


if __name__ == "__main__":
    main()
